"""With a replica configured, figures are read from it and everything else from the primary."""

from __future__ import annotations

import pytest

from grassroots.cases.models import Case
from grassroots.replicas import ReplicaRouter, on_primary, statistics_reads
from grassroots.stats.models import Watermark

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
router = ReplicaRouter()


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}


def test_figures_go_to_the_replica_and_the_fold_stays_on_the_primary(with_replica):
    assert router.db_for_read(Case) is None  # case work: the primary
    with statistics_reads():
        assert router.db_for_read(Case) == "replica"
        with on_primary():  # the fold inside a statistics answer
            assert router.db_for_read(Watermark) is None
        assert router.db_for_read(Case) == "replica"
    assert router.db_for_write(Case) == "default"
    assert router.allow_migrate("replica", "cases") is False


def test_without_a_replica_nothing_changes():
    with statistics_reads():
        assert router.db_for_read(Case) is None


@pytest.mark.django_db
def test_a_dashboard_reads_its_login_from_the_primary(world, client, with_replica, monkeypatch):
    """A session made a moment ago may not have reached the replica: the user is resolved
    before the figures are read there."""
    from django.db import connections

    seen: list[str | None] = []
    real = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append(f"{model._meta.label}:{real(self, model, **hints)}")
        # Answer None: the test database has no replica alias, so read the primary all the same.

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    client.force_login(world.county_staff)
    assert client.get("/dashboard/", {"unit": world.county.code}).status_code == 200
    assert "sessions.Session:None" in seen and "accounts.User:None" in seen
    assert any(s.endswith(":replica") and s.startswith("stats.") for s in seen)
    assert not any(s.startswith(("sessions.", "accounts.User")) and s.endswith(":replica") for s in seen)
    assert "stats.Watermark:None" in seen  # the fold reads the primary (the figures, the replica)
    assert "replica" not in connections
