"""A case's kind, channel and state read in the language of the request."""

from __future__ import annotations

from django.utils import translation

from grassroots.cases.models import Case


def test_labels_follow_the_active_language_and_unknown_values_pass_through():
    case = Case(state="registered", kind="petition", channel="phone")
    with translation.override("en"):
        assert (case.get_state_display(), case.get_kind_display()) == ("Registered", "Petition (letters and visits)")
    with translation.override("zh-hans"):
        assert (case.get_state_display(), case.get_kind_display()) == ("已登记", "信访件")
        assert Case(state="no-such-state").get_state_display() == "no-such-state"
