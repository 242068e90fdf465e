from __future__ import annotations

from django_tasks import task

from grassroots.triage.services import train_site_model


@task()
def retrain() -> int:
    """Train a new model version from the site's classified cases; an administrator
    activates it after looking at its figures."""
    return train_site_model(actor=None).version
