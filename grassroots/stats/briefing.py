"""Work briefings (工作简报) written from the statistics, in Chinese or English."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import translation

from grassroots.cases.models import Case
from grassroots.org.models import Unit
from grassroots.org.paths import within_q
from grassroots.research.models import Measure
from grassroots.stats.metrics import Period, compute


def highlights(unit: Unit, start: date, end: date) -> tuple[list[Case], list[Measure]]:
    """The period's largest problems solved (most persons behind them) and the measures
    adopted with the largest quantities."""
    period = Period(unit, start, end)
    solved = list(period.cases().filter(period.between("resolved_at")).order_by("-persons", "id")[:3])
    measures = list(
        Measure.objects.filter(
            within_q("unit_path", [unit.path]), adopted_on__gte=start, adopted_on__lte=end, quantity__isnull=False
        ).order_by("-quantity", "id")[:3]
    )
    return solved, measures


def _number(value: Decimal | None) -> str:
    return f"{value:,.0f}" if value is not None and value == value.to_integral_value() else f"{value}"


def briefing(unit: Unit, start: date, end: date, language: str) -> list[str]:
    """Paragraphs in the style of the article, each only when its figures are not zero, then
    the period's highlights."""
    m = compute(unit, start, end)
    zh = not language.startswith("en")
    with translation.override("zh-hans" if zh else "en"):
        name = unit.label
    paragraphs: list[str] = _body(m, name, start, end, zh)
    paragraphs += _hot(unit, start, end, zh)
    solved, measures = highlights(unit, start, end)
    if zh:
        if solved:
            paragraphs.append(
                "重点解决了" + "、".join(f"“{c.title}”（{c.persons}人反映）" for c in solved) + "等问题。"
            )
        if measures:
            paragraphs.append(
                "采取的举措包括"
                + "、".join(f"{x.title}{_number(x.quantity)}{x.quantity_unit}" for x in measures)
                + "。"
            )
    else:
        if solved:
            paragraphs.append(
                "Among the problems solved: " + "; ".join(f"“{c.title}” (raised by {c.persons})" for c in solved) + "."
            )
        if measures:
            paragraphs.append(
                "Measures adopted include: "
                + "; ".join(f"{x.title}, {_number(x.quantity)} {x.quantity_unit}" for x in measures)
                + "."
            )
    return paragraphs


def _hot(unit: Unit, start: date, end: date, zh: bool) -> list[str]:
    """The problems raised most often in the period, with their change on the period before."""
    from grassroots.triage.hot import hot_issues

    issues = hot_issues(unit, start, end, limit=3)
    if not issues:
        return []
    if zh:
        parts = [f"“{i.title}”{i.size}件" + (f"（较上期增加{i.growth}件）" if i.growth > 0 else "") for i in issues]
        return ["群众反映集中的问题有：" + "、".join(parts) + "。"]
    parts = [
        f"“{i.title}” ({i.size} cases" + (f", {i.growth} more than the period before" if i.growth > 0 else "") + ")"
        for i in issues
    ]
    return ["The problems raised most often: " + "; ".join(parts) + "."]


def _body(m: dict[str, float | int], name: str, start: date, end: date, zh: bool) -> list[str]:
    paragraphs: list[str] = []
    if zh:
        span = f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
        if m["receptions.batches"]:
            paragraphs.append(
                f"{span}，{name}领导干部接待群众{m['receptions.batches']:,}批次{m['receptions.persons']:,}人次，"
                f"面对面走访{m['visits.count']:,}次。"
            )
        paragraphs.append(
            f"受理群众诉求{m['cases.accepted']:,}件，办结{m['cases.resolved']:,}件，其中化解信访积案"
            f"{m['backlog.resolved']:,}件、疑难复杂问题{m['difficult.resolved']:,}件；群众满意率"
            f"{m['rate.satisfaction']}%。"
        )
        if m["grid_meetings.count"] or m["outreach.events"]:
            paragraphs.append(
                f"召开网格议事会{m['grid_meetings.count']:,}场，解决急难问题{m['urgent.resolved']:,}件；"
                f"开展宣讲和技术指导{m['outreach.events']:,}场、覆盖群众{m['outreach.audience']:,}人次。"
            )
        if m["research.topics"]:
            paragraphs.append(
                f"围绕{m['research.aspects']:,}个方面确定{m['research.topics']:,}个调研课题，查找问题"
                f"{m['research.problems']:,}个，已解决{m['research.problems_solved']:,}个，采取举措"
                f"{m['research.measures']:,}项。"
            )
        if m["postings.cadres"]:
            paragraphs.append(f"选派{m['postings.cadres']:,}名干部驻村担任乡村振兴指导员。")
        if m["linkage.villages_covered_pct"]:
            paragraphs.append(
                f"干部挂钩联系覆盖村（社区）{m['linkage.villages_covered_pct']}%、规模以上企业"
                f"{m['linkage.enterprises_covered_pct']}%。"
            )
        return paragraphs
    span = f"From {start:%d %B %Y} to {end:%d %B %Y}"
    if m["receptions.batches"]:
        paragraphs.append(
            f"{span}, leading cadres of {name} received the masses in {m['receptions.batches']:,} "
            f"batches, {m['receptions.persons']:,} persons, and made {m['visits.count']:,} "
            f"face-to-face visits."
        )
    paragraphs.append(
        f"{m['cases.accepted']:,} problems raised by residents were accepted and "
        f"{m['cases.resolved']:,} resolved, among them {m['backlog.resolved']:,} petition backlogs and "
        f"{m['difficult.resolved']:,} difficult and complex cases; {m['rate.satisfaction']}% of "
        f"residents were satisfied."
    )
    if m["grid_meetings.count"] or m["outreach.events"]:
        paragraphs.append(
            f"{m['grid_meetings.count']:,} grid meetings were held and {m['urgent.resolved']:,} urgent problems "
            f"solved; {m['outreach.events']:,} lectures and guidance sessions reached {m['outreach.audience']:,} "
            f"people."
        )
    if m["research.topics"]:
        paragraphs.append(
            f"Research covered {m['research.aspects']:,} aspects and {m['research.topics']:,} topics, "
            f"found {m['research.problems']:,} problems and solved {m['research.problems_solved']:,}; "
            f"{m['research.measures']:,} measures were adopted."
        )
    if m["postings.cadres"]:
        paragraphs.append(
            f"{m['postings.cadres']:,} cadres were stationed in villages as rural revitalization instructors."
        )
    if m["linkage.villages_covered_pct"]:
        paragraphs.append(
            f"Cadre linkage covered {m['linkage.villages_covered_pct']}% of villages and "
            f"{m['linkage.enterprises_covered_pct']}% of enterprises to be covered."
        )
    return paragraphs
