"""The demo county's first category model, trained on its own classified cases and made
active, as an administrator would once enough cases are classified."""

from __future__ import annotations

from grassroots.demo.county import DemoCounty
from grassroots.triage.classifier import TrainingError
from grassroots.triage.models import TriageModel
from grassroots.triage.services import train_site_model


def build_triage(demo: DemoCounty) -> TriageModel | None:
    try:
        return train_site_model(actor=None, activate=True)
    except TrainingError:
        return None  # too few classified cases: suggestions stay with the keywords
