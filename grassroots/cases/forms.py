"""The intake forms of the web pages; they hand their cleaned data to the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.cases.choices import CaseKind, Channel
from grassroots.cases.models import Category
from grassroots.cases.services import MAX_REPRESENTATIVES, PetitionerData
from grassroots.org.choices import Level
from grassroots.org.models import Unit


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic only in stubs
    def label_from_instance(self, obj: Any) -> str:
        indent = "\u3000" * max(obj.level - Level.TOWNSHIP, 0)
        return f"{indent}{obj.label}"


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_label)


class IntakeForm(forms.Form):
    """Staff intake of a letter, a visit or a call; and a grid member's report."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    unit = UnitChoiceField(label=_("Where"), queryset=Unit.objects.none())
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What is the problem?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    persons = forms.IntegerField(label=_("Persons"), min_value=1, max_value=100000, initial=1)
    is_anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    is_urgent = forms.BooleanField(label=_("Urgent"), required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        visible = units if units is not None else Unit.objects.visible_to(user).filter(level__lte=Level.GRID)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = visible.order_by("path")
        category_field: Any = self.fields["category"]
        category_field.queryset = (
            Category.objects.filter(is_active=True, parent__isnull=False)
            .select_related("parent")
            .order_by("parent__sort_order", "sort_order")
        )
        for i in range(MAX_REPRESENTATIVES):
            self.fields[f"petitioner_{i}_name"] = forms.CharField(label=_("Name"), max_length=100, required=False)
            self.fields[f"petitioner_{i}_phone"] = forms.RegexField(
                label=_("Phone"),
                regex=r"^[0-9+\- ]{0,32}$",
                required=False,
                error_messages={"invalid": _("Digits, spaces, + and - only.")},
            )
            self.fields[f"petitioner_{i}_id_number"] = forms.RegexField(
                label=_("ID number"),
                regex=r"^[0-9Xx]{0,18}$",
                required=False,
                error_messages={"invalid": _("An ID number has up to 18 digits (or X).")},
            )

    def petitioner_rows(self) -> list[list[Any]]:
        return [
            [self[f"petitioner_{i}_{f}"] for f in ("name", "phone", "id_number")] for i in range(MAX_REPRESENTATIVES)
        ]

    def petitioners(self) -> list[PetitionerData]:
        rows = []
        for i in range(MAX_REPRESENTATIVES):
            name = self.cleaned_data.get(f"petitioner_{i}_name", "").strip()
            if name:
                rows.append(
                    PetitionerData(
                        name=name,
                        phone=self.cleaned_data.get(f"petitioner_{i}_phone", ""),
                        id_number=self.cleaned_data.get(f"petitioner_{i}_id_number", ""),
                        is_representative=self.cleaned_data.get("persons", 1) > 1,
                    )
                )
        return rows


class GridReportForm(forms.Form):
    """What a grid member files from a phone on a walk round."""

    unit = UnitChoiceField(label=_("Grid"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What did you find?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    is_urgent = forms.BooleanField(label=_("Urgent"), required=False)
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = Unit.objects.visible_to(user).filter(level=Level.GRID).order_by("path")
        if unit_field.queryset.count() == 1:
            self.fields["unit"].initial = unit_field.queryset.first()
