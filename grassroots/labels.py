"""``get_FOO_display`` without rebuilding the field's choices on every call.

Django's version turns the field's choices into a fresh dict each time it is asked: about
0.1 ms with our lazily translated labels. A case list asks three times a row (kind,
channel, state), 150 times a page — a sixth of the page's time on the benchmark machine
(docs/performance.md). The labels stay lazy, so each call still speaks the request's
language.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str

_LABELS: dict[models.Field[Any, Any], dict[Any, Any]] = {}


class ChoiceLabels(models.Model):
    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:  # noqa: N802  # Django's name
        labels = _LABELS.get(field)
        if labels is None:
            labels = _LABELS[field] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        return force_str(labels.get(value, value), strings_only=True)
