"""Linkage pages and API: coverage, the proposal as a diff, approval with a fingerprint."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.linkage.models import Link, LinkagePolicy
from grassroots.linkage.tests.test_pingtan import pingtan  # noqa: F401  # the fixture
from grassroots.org.choices import Rank

pytestmark = pytest.mark.django_db


@pytest.fixture
def liyang_policy(world, pingtan):  # noqa: F811
    return LinkagePolicy.objects.create(
        name="街道挂钩",
        unit=world.liyang,
        min_rank=Rank.OTHER,
        min_villages=1,
        min_enterprises=0,
        enterprise_scope="all",
    )


def test_a_leader_approves_the_proposal_on_the_page(world, client, pingtan):  # noqa: F811
    policy = pingtan["policy"]
    client.force_login(world.admin)
    page = client.get(reverse("linkage:proposal", args=[policy.pk]))
    fingerprint = page.context["fingerprint"]
    assert client.post(reverse("linkage:proposal", args=[policy.pk]), {"fingerprint": "stale"}).status_code == 200
    assert not Link.objects.exists()
    response = client.post(reverse("linkage:proposal", args=[policy.pk]), {"fingerprint": fingerprint})
    assert response.status_code == 302
    report = client.get(reverse("linkage:report", args=[policy.pk])).content.decode()
    assert "100.0%" in report
    sheet = client.get(reverse("linkage:export", args=[policy.pk]))
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api_reports_coverage_proposes_and_applies(world, client, pingtan):  # noqa: F811
    policy = pingtan["policy"]
    client.force_login(world.admin)
    base = f"/api/v1/linkage-policies/{policy.pk}"
    assert client.get(f"{base}/coverage/").json()["villages"] == {"covered": 0, "total": 6, "pct": 0.0}
    proposal = client.get(f"{base}/proposal/").json()
    assert proposal["feasible"] and proposal["max_load"] == 7
    assert client.post(f"{base}/apply/", {"fingerprint": "old"}, content_type="application/json").status_code == 409
    assert client.post(f"{base}/apply/", {}, content_type="application/json").status_code == 400
    applied = client.post(f"{base}/apply/", {"fingerprint": proposal["fingerprint"]}, content_type="application/json")
    assert applied.json() == {"added": len(proposal["add"]), "ended": 0}
    assert client.get(f"{base}/coverage/").json()["complete"] is True
    layer = client.get(f"{base}/coverage-layer/").json()
    assert layer["type"] == "FeatureCollection"


def test_outsiders_and_non_leaders(world, client, liyang_policy):
    client.force_login(world.outsider)
    assert client.get(reverse("linkage:report", args=[liyang_policy.pk])).status_code == 404
    assert client.get(f"/api/v1/linkage-policies/{liyang_policy.pk}/coverage/").status_code == 404
    client.force_login(world.street_staff)  # petition staff: may look, may not apply
    assert client.get(reverse("linkage:report", args=[liyang_policy.pk])).status_code == 200
    assert (
        client.post(
            f"/api/v1/linkage-policies/{liyang_policy.pk}/apply/", {"fingerprint": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_report_queries_do_not_grow(world, client, pingtan):  # noqa: F811
    from grassroots.linkage import services

    policy = pingtan["policy"]
    client.force_login(world.admin)
    url = reverse("linkage:report", args=[policy.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    services.apply_proposal(policy, actor=None, proposal=services.propose(policy))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)
