from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.activities.choices import ActivityKind, PostingOutcomeKind
from grassroots.cases.forms import UnitChoiceField
from grassroots.org.choices import Level
from grassroots.org.models import Unit


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    unit = UnitChoiceField(label=_("Unit or grid"), queryset=Unit.objects.none())
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(
        label=_("Ends"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    topic = forms.CharField(label=_("Topic"), max_length=300, required=False)
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    persons = forms.IntegerField(label=_("People taking part or reached"), min_value=0, initial=0)
    held = forms.BooleanField(label=_("Already held"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = Unit.objects.visible_to(user).filter(level__gte=Level.COUNTY).order_by("path")


class FileCaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What is the problem?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    persons = forms.IntegerField(label=_("Persons"), min_value=1, initial=1)
    petitioner = forms.CharField(label=_("Petitioner (or representative)"), max_length=100, required=False)
    phone = forms.RegexField(label=_("Phone"), regex=r"^[0-9+\- ]{0,32}$", required=False)


class HoldForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    persons = forms.IntegerField(label=_("People taking part or reached"), min_value=0)
    batches = forms.IntegerField(label=_("Batches received"), min_value=0, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is called off"), max_length=2000)


class PostingLogForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    work = forms.CharField(label=_("Work done"), widget=forms.Textarea(attrs={"rows": 2}))


class PostingOutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PostingOutcomeKind.choices)
    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=16, decimal_places=2, required=False)
    quantity_unit = forms.CharField(label=_("Unit of quantity"), max_length=30, required=False)
    achieved_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
