"""The resident portal's forms; they hand cleaned data to :mod:`grassroots.open311.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.cases.choices import Feedback
from grassroots.cases.models import Category
from grassroots.open311 import services
from grassroots.open311.models import Datatype, ServiceQuestion
from grassroots.org.models import Unit


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to a few photos in one input; their type and size are checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def service_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Services grouped as the select shows them: group > service."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in services.services():
        group = category.parent.label if category.parent else ""
        groups.setdefault(group, []).append((category.code, category.label))
    return list(groups.items())


class ReportForm(forms.Form):
    service = forms.ChoiceField(label=_("What kind of problem?"))
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": services.DESCRIPTION_MAX}),
    )
    township = forms.ChoiceField(label=_("Town or street"), required=False)
    village = forms.ChoiceField(label=_("Village or community"), required=False)
    address = forms.CharField(label=_("Address or landmark"), max_length=300, required=False)
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    photos = PhotosField(label=_("Photos (JPEG or PNG, up to 3, 5 MB each)"), required=False)
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    is_public = forms.BooleanField(
        label=_("Show this problem in the public list (never with my name or phone)"), required=False
    )
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args: Any, root: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.root = root
        service_field: Any = self.fields["service"]
        service_field.choices = [("", "—"), *service_choices()]
        townships = list(Unit.objects.filter(parent=root).order_by("code"))
        township_field: Any = self.fields["township"]
        township_field.choices = [("", "—"), *((u.code, u.label) for u in townships)]
        chosen = self.data.get("township") if self.is_bound else None
        villages = Unit.objects.filter(parent__code=chosen, parent__parent=root).order_by("code") if chosen else []
        village_field: Any = self.fields["village"]
        village_field.choices = [("", "—"), *((u.code, u.label) for u in villages)]
        self.category: Category | None = None
        code = self.data.get("service") if self.is_bound else None
        if code:
            self.category = services.service(code)
        self.questions: list[ServiceQuestion] = services.questions(self.category) if self.category else []
        for question in self.questions:
            if question.variable:
                self.fields[f"attribute_{question.code}"] = _question_field(question)

    def asked(self) -> list[tuple[ServiceQuestion, Any]]:
        """Each question with its form field (None for a text that only informs)."""
        return [(q, self[f"attribute_{q.code}"] if q.variable else None) for q in self.questions]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("website"):
            raise forms.ValidationError(_("This report looks automated and was not sent."))
        return cleaned

    def submission(self) -> services.Submission:
        data = self.cleaned_data
        assert self.category is not None
        place_code = data.get("village") or data.get("township") or ""
        answers = {
            q.code: data.get(f"attribute_{q.code}")
            for q in self.questions
            if q.variable and f"attribute_{q.code}" in data
        }
        return services.Submission(
            category=self.category,
            description=data["description"],
            unit=Unit.objects.filter(code=place_code).first() if place_code else self.root,
            latitude=data.get("latitude") or None,
            longitude=data.get("longitude") or None,
            address=data.get("address", ""),
            name=data.get("name", ""),
            phone=data.get("phone", ""),
            is_public=bool(data.get("is_public")),
            answers={k: v for k, v in answers.items() if v not in (None, "", [])},
            photos=[(f.name, f.read()) for f in data.get("photos") or []],
        )


def _question_field(question: ServiceQuestion) -> forms.Field:
    # Required-ness is checked by the service, with the same message for both doors.
    common: dict[str, Any] = {"label": question.label, "required": False, "help_text": question.hint}
    if question.datatype == Datatype.SINGLE:
        return forms.ChoiceField(choices=[("", "—"), *question.choices()], **common)
    if question.datatype == Datatype.MULTI:
        return forms.MultipleChoiceField(choices=question.choices(), widget=forms.CheckboxSelectMultiple, **common)
    if question.datatype == Datatype.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if question.datatype == Datatype.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if question.datatype == Datatype.DATETIME:
        return forms.CharField(widget=forms.DateTimeInput(attrs={"placeholder": "2026-05-01T08:30:00+08:00"}), **common)
    return forms.CharField(max_length=300, **common)


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=32)
    secret = forms.CharField(label=_("Secret"), max_length=20, widget=forms.PasswordInput(render_value=True))


class RateForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Are you satisfied with the answer?"), choices=Feedback.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the answer be reviewed?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
