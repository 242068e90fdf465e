from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.cases.choices import Channel


class ActivityKind(models.TextChoices):
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door visit")
    RECEPTION_DAY = "reception_day", _("Leader reception day")
    DOWN_VISIT = "down_visit", _("Down-visit to petitioners")
    ON_SITE_OFFICE = "on_site_office", _("On-site office session")
    OUTREACH = "outreach", _("Outreach: lecture or policy explanation")
    TECHNICAL_GUIDANCE = "technical_guidance", _("Technical guidance")
    GRID_MEETING = "grid_meeting", _("Grid meeting (micro-discussion)")
    MEDIATION = "mediation", _("Mediation session")
    RESEARCH_VISIT = "research_visit", _("Research visit")
    WORKING_DAY = "working_day", _("Grassroots working day")


# The channel a case filed from an activity arrives by.
CHANNEL_OF = {
    ActivityKind.DOOR_TO_DOOR: Channel.DOWN_VISIT,
    ActivityKind.RECEPTION_DAY: Channel.RECEPTION,
    ActivityKind.DOWN_VISIT: Channel.DOWN_VISIT,
    ActivityKind.ON_SITE_OFFICE: Channel.ON_SITE,
    ActivityKind.OUTREACH: Channel.VISIT,
    ActivityKind.TECHNICAL_GUIDANCE: Channel.VISIT,
    ActivityKind.GRID_MEETING: Channel.GRID_MEETING,
    ActivityKind.MEDIATION: Channel.VISIT,
    ActivityKind.RESEARCH_VISIT: Channel.RESEARCH,
    ActivityKind.WORKING_DAY: Channel.DOWN_VISIT,
}


class ActivityState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class CaseRole(models.TextChoices):
    RAISED = "raised", _("raised here")
    MOVED = "moved", _("moved forward here")
    RESOLVED = "resolved", _("resolved here")


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    MONTHLY_WEEKDAY = "monthly_weekday", _("Monthly, on the n-th weekday")
    MONTHLY_DAY = "monthly_day", _("Monthly, on a day of the month")


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")


class MediationOutcome(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement signed")
    FAILED = "failed", _("No agreement")
    REFERRED = "referred", _("Referred (to court, arbitration or another body)")


class PostingOutcomeKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("Cooperative founded")
    ORDER = "order", _("Order signed")
    PROJECT = "project", _("Project brought in")
    TRAINING = "training", _("Training held")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure built")
    OTHER = "other", _("Other result")
