"""The work briefing as a PDF, laid out like a printed 工作简报: a red masthead, the issuing
unit and date, a red rule, then the paragraphs.

Chinese is set in Adobe's STSong-Light, one of the fonts every PDF reader must be able to
substitute for the Adobe-GB1 character collection, so the file needs no font of ours and
stays a few kilobytes. A site whose rules ask for its own typeface (仿宋, say) points
`BRIEFING_FONT` at a TrueType file and it is embedded instead.
"""

from __future__ import annotations

import io
import re
from datetime import date
from functools import cache
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

from grassroots import clock
from grassroots.org.models import Unit
from grassroots.stats.briefing import briefing

RED = colors.HexColor("#c00000")
# Han characters and CJK punctuation: set in the Chinese face even inside an English briefing,
# whose case titles and place names are often Chinese.
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f]+")


@cache
def _chinese_font() -> str:
    path = getattr(settings, "BRIEFING_FONT", "")
    if path:
        pdfmetrics.registerFont(TTFont("BriefingFont", path))
        return "BriefingFont"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _markup(text: str, zh: bool) -> str:
    """Paragraph markup for ``text``: escaped, and in an English briefing its Chinese runs
    switched to the Chinese face (the Latin faces have no glyphs for them)."""
    if zh:
        return escape(text)
    font = _chinese_font()
    parts, last = [], 0
    for run in CJK.finditer(text):
        parts.append(escape(text[last : run.start()]))
        parts.append(f'<font name="{font}">{escape(run.group())}</font>')
        last = run.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def briefing_pdf(unit: Unit, start: date, end: date, language: str) -> bytes:
    """The briefing of ``unit`` for the period, in ``language`` ("zh-hans" or "en")."""
    zh = not language.startswith("en")
    body_font = _chinese_font() if zh else "Times-Roman"
    title_font = _chinese_font() if zh else "Times-Bold"
    with translation.override("zh-hans" if zh else "en"):
        name = unit.label
    today = clock.now().date()
    if zh:
        masthead, title = "工作简报", f"{name}工作简报"
        issued = f"{name}　　{today.year}年{today.month}月{today.day}日"
        period = f"统计期间：{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
        footer = "本简报各项数字均由系统据实际办理记录生成　第 {page} 页"
    else:
        masthead, title = "Work Briefing", f"Work briefing: {name}"
        issued = f"{name} · {today.day} {today:%B %Y}"
        period = f"Period: {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
        footer = "Every figure in this briefing is computed from the recorded work · page {page}"

    styles = {
        "masthead": ParagraphStyle(
            "masthead", fontName=title_font, fontSize=30, leading=40, textColor=RED, alignment=TA_CENTER
        ),
        "issued": ParagraphStyle("issued", fontName=body_font, fontSize=11, leading=16, alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName=title_font, fontSize=16, leading=24, alignment=TA_CENTER),
        "period": ParagraphStyle(
            "period", fontName=body_font, fontSize=10.5, leading=16, alignment=TA_CENTER, textColor=colors.dimgrey
        ),
        "body": ParagraphStyle(
            "body",
            fontName=body_font,
            fontSize=12 if zh else 11.5,
            leading=22 if zh else 17,
            firstLineIndent=24 if zh else 0,  # two characters, as Chinese paragraphs begin
            spaceAfter=6,
            wordWrap="CJK" if zh else None,
        ),
    }

    def footer_on(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(body_font, 8.5)
        canvas.setFillColor(colors.dimgrey)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, footer.format(page=document.page))
        canvas.restoreState()

    story = [
        Paragraph(_markup(masthead, zh), styles["masthead"]),
        Spacer(1, 4 * mm),
        Paragraph(_markup(issued, zh), styles["issued"]),
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=1.6, color=RED, spaceAfter=8 * mm),
        Paragraph(_markup(title, zh), styles["title"]),
        Paragraph(_markup(period, zh), styles["period"]),
        Spacer(1, 6 * mm),
    ]
    story += [Paragraph(_markup(text, zh), styles["body"]) for text in briefing(unit, start, end, language)]

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=26 * mm,
        rightMargin=26 * mm,
        topMargin=22 * mm,
        bottomMargin=24 * mm,
        title=title,
        author=name,
        subject=period,
        lang="zh-CN" if zh else "en",
    )
    document.build(story, onFirstPage=footer_on, onLaterPages=footer_on)
    return out.getvalue()
