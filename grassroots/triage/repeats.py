"""Repeats and near-duplicates: the open and recently closed cases that look like the same
problem as a new one — similar wording, the same place, the same petitioner — for staff to
merge in one click."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.cases.choices import OPEN_STATES, State
from grassroots.cases.models import Case, Petitioner
from grassroots.org.choices import Level
from grassroots.org.models import Unit
from grassroots.org.paths import within_q
from grassroots.triage.classifier import text_of

WINDOW = timedelta(days=90)  # closed longer ago than this, a case is history, not a repeat
CANDIDATES = 400
THRESHOLD = 0.35  # wording similarity (title and text, 0–1) for a repeat
SAME_PERSON_WORDING = 0.15  # the same petitioner needs less
NEWEST_BY_WORDS = 50_000  # cases searched by words alone, before a place is chosen


@dataclass
class Repeat:
    case: Case
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """What repeats are looked for by: a registered case, or one still being typed in at
    intake (its place and petitioner perhaps not given yet)."""

    title: str
    description: str
    unit: Unit | None = None
    names: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    case_id: int | None = None

    @classmethod
    def of(cls, case: Case) -> Problem:
        petitioners = list(case.petitioners.all())
        return cls(
            title=case.title,
            description=case.description,
            unit=case.unit,
            names=frozenset(p.name for p in petitioners if p.name),
            phones=frozenset(p.phone for p in petitioners if p.phone),
            case_id=case.pk,
        )


def repeats_of(case: Case, *, user: Any = None, limit: int = 5) -> list[Repeat]:
    """Cases that may be the same problem as ``case``, likeliest first."""
    return look_alikes(Problem.of(case), user=user, limit=limit)


def look_alikes(problem: Problem, *, user: Any = None, limit: int = 5) -> list[Repeat]:
    """Open and recently closed cases that may be ``problem``, likeliest first. The
    candidates are the cases of the same petitioner and those near its place — or, before
    a place is chosen, those whose titles share words with it; the wording decides."""
    area = _area(problem.unit) if problem.unit is not None else None
    since = clock.now() - WINDOW
    recent = Q(state__in=OPEN_STATES) | Q(closed_at__gte=since) | Q(registered_at__gte=since)
    pool = Case.objects.exclude(state=State.MERGED).filter(recent)
    if problem.case_id is not None:
        pool = pool.exclude(pk=problem.case_id)
    if user is not None:
        pool = pool.visible_to(user)
    person = Q(phone__in=problem.phones) if problem.phones else Q()
    if problem.names and area:
        person |= Q(name__in=problem.names) & within_q("case__unit_path", [area])
    same_person = (
        set(Petitioner.objects.filter(case__in=pool).filter(person).values_list("case_id", flat=True)[:CANDIDATES])
        if person
        else set()
    )
    words = shared_words(f"{problem.title} {problem.description}")
    if area:
        nearby = pool.filter(within_q("unit_path", [area]))
    elif words:
        # Before a place is chosen the title's words are all there is to go on, and a word
        # matching few cases would have the search read a province's every case: only the
        # newest are searched (a province's fortnight, a county's years).
        newest = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
        nearby = pool.filter(words, id__gt=newest - NEWEST_BY_WORDS)
    else:
        nearby = pool.none()
    ids = same_person | set(nearby.order_by("-id").values_list("pk", flat=True)[:CANDIDATES])
    if not ids:
        return []
    candidates = list(Case.objects.filter(pk__in=ids).select_related("unit"))
    # Titles weigh as much as whole texts: boilerplate in descriptions ("residents report
    # that...") must not make two different problems look alike.
    wording = (
        _similarity(problem.title, [c.title for c in candidates])
        + _similarity(
            text_of(problem.title, problem.description), [text_of(c.title, c.description) for c in candidates]
        )
    ) / 2
    found = []
    for candidate, sim in zip(candidates, wording, strict=True):
        reasons = [_("similar wording ({pct}%)").format(pct=round(float(sim) * 100))]
        same_person_here = candidate.pk in same_person
        # Where and who only rank; the wording decides (less of it for the same petitioner).
        if float(sim) < (SAME_PERSON_WORDING if same_person_here else THRESHOLD):
            continue
        score = float(sim)
        if problem.unit is not None and candidate.unit_id == problem.unit.pk:
            score += 0.15
            reasons.append(_("same place"))
        if same_person_here:
            score += 0.3
            reasons.append(_("same petitioner"))
        found.append(Repeat(candidate, round(score, 3), reasons))
    found.sort(key=lambda r: (-r.score, -r.case.pk))
    return found[:limit]


def shared_words(text: str) -> Q | None:
    """Cases whose titles share a word with ``text``: its words of three letters or more,
    and its runs of Chinese characters cut into overlapping pairs (no segmenter needed)."""
    terms: list[str] = []
    for run in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]{3,}", text):
        if re.match(r"[\u4e00-\u9fff]", run):
            terms += [run[i : i + 2] for i in range(len(run) - 1)]
        else:
            terms.append(run)
    q = Q()
    for term in list(dict.fromkeys(terms))[:12]:
        q |= Q(title__icontains=term)
    return q or None


def _similarity(query: str, texts: list[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    vectors = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform([query, *texts])
    return linear_kernel(vectors[0:1], vectors[1:]).ravel()


def _area(unit: Unit) -> str:
    """The village or community a grid lies in (a grid's neighbours count as nearby)."""
    if unit.level == Level.GRID and unit.parent_id:
        parent: str = Unit.objects.values_list("path", flat=True).get(pk=unit.parent_id)
        return parent
    return str(unit.path)
