from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    PETITION = "petition", _("Petition (letters and visits)")
    HOTLINE = "hotline", _("Hotline demand")
    DISPUTE = "dispute", _("Dispute for mediation")
    GRID_INCIDENT = "grid_incident", _("Incident found in a grid")
    SUGGESTION = "suggestion", _("Suggestion")


class Channel(models.TextChoices):
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Walk-in visit")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")
    GRID_PATROL = "grid_patrol", _("Grid patrol")
    GRID_MEETING = "grid_meeting", _("Grid meeting")
    RECEPTION = "reception", _("Leader reception")
    DOWN_VISIT = "down_visit", _("Down-visit")
    RESEARCH = "research", _("Research")
    ON_SITE = "on_site", _("On-site office")


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    NOT_REACCEPTED = "not_reaccepted", _("Not re-accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    RESOLVED = "resolved", _("Resolved")
    UNDER_REVIEW = "under_review", _("Under review")
    UNDER_REREVIEW = "under_rereview", _("Under re-review")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged into another case")


# A case in one of these states needs no more work. Tuples in a fixed order, not sets: a set's
# order changes from process to process, and SQLite uses a partial index only when the
# query's `state IN (...)` is written exactly as the index's condition.
FINAL_STATES = (State.CLOSED, State.DECLINED, State.MERGED, State.NOT_REACCEPTED, State.WITHDRAWN)
OPEN_STATES = tuple(s for s in State if s not in FINAL_STATES)


class Feedback(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class AssignmentMode(models.TextChoices):
    FORWARD = "forward", _("Forward (转送)")
    ASSIGN = "assign", _("Assign with report-back deadline (交办)")


class AssignmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SENT_BACK = "sent_back", _("Sent back")
    TRANSFERRED = "transferred", _("Transferred")
    REPORTED = "reported", _("Reported back")


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", _("Handling opinion upheld")
    CHANGED = "changed", _("Handling opinion changed")


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance notice")
    NON_ACCEPTANCE = "non_acceptance", _("Non-acceptance notice")
    EXTENSION = "extension", _("Extension notice")
    HANDLING_OPINION = "handling_opinion", _("Handling opinion")
