"""Printable notices (acceptance, non-acceptance, extension, handling opinion), rendered
from the editable templates in the language asked for."""

from __future__ import annotations

from dataclasses import dataclass

from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grassroots.cases.choices import NoticeKind
from grassroots.cases.models import Case, NoticeTemplate
from grassroots.cases.workflow import Act


@dataclass(frozen=True)
class Notice:
    kind: str
    language: str
    title: str
    body: str


# Which timeline event supplies the notice's reason text.
REASON_EVENT = {
    NoticeKind.NON_ACCEPTANCE: Act.DECLINE,
    NoticeKind.EXTENSION: Act.REQUEST_EXTENSION,
    NoticeKind.HANDLING_OPINION: Act.REPLY,
}


def available_notices(case: Case) -> list[str]:
    """The notices that the case's history makes meaningful."""
    kinds: list[str] = []
    if case.accepted_at:
        kinds.append(NoticeKind.ACCEPTANCE)
    if case.state == "declined":
        kinds.append(NoticeKind.NON_ACCEPTANCE)
    if case.extension_days:
        kinds.append(NoticeKind.EXTENSION)
    if case.replied_at:
        kinds.append(NoticeKind.HANDLING_OPINION)
    return kinds


def render_notice(case: Case, kind: str, language: str) -> Notice:
    template = NoticeTemplate.objects.filter(kind=kind, language=language).first()
    if template is None:
        raise LookupError(f"no {kind} notice template in {language}")
    reason_act = REASON_EVENT.get(kind)  # type: ignore[call-overload]  # kind is a NoticeKind value
    reason = ""
    if reason_act:
        event = case.events.filter(kind=reason_act).order_by("-id").first()
        reason = event.note if event else ""
    with translation.override(language):
        petitioners = list(case.petitioners.all())
        petitioner = "、".join(p.name for p in petitioners) if petitioners else _("Petitioner")
        organisation = case.responsible.label if case.responsible else ""
        context = Context(
            {
                "case": case,
                "petitioner": petitioner,
                "organisation": organisation,
                "reason": reason,
                "today": timezone.localdate(),
            }
        )
        body = Template(template.body).render(context)
        title = template.title
    return Notice(kind=kind, language=language, title=title, body=body)
