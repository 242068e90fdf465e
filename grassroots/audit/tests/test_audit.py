"""Every write and every read of personal data leaves an entry: who, what, when, from where."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grassroots.audit.models import Action, AuditEntry
from grassroots.conftest import PASSWORD
from grassroots.org import services
from grassroots.org.choices import Level

pytestmark = pytest.mark.django_db


def test_a_service_write_is_audited_with_actor_and_origin(world):
    unit = services.create_unit(actor=world.admin, code="X1", name="新区", level=Level.TOWNSHIP, parent=world.county)
    entry = AuditEntry.objects.get(target_type="org.unit", target_id=str(unit.pk), action=Action.CREATE)
    assert entry.actor == world.admin and entry.actor_name == "admin" and entry.channel == "cli"


def test_a_failed_service_write_leaves_no_entry(world):
    before = AuditEntry.objects.count()
    with pytest.raises(Exception, match="already in use"):
        services.create_unit(
            actor=world.admin, code=world.liyang.code, name="重复", level=Level.TOWNSHIP, parent=world.county
        )
    assert AuditEntry.objects.count() == before


def test_login_and_failed_login_are_audited_with_the_address(world, client):
    client.post(reverse("login"), {"username": "street", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("login"), {"username": "street", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    failed, ok = AuditEntry.objects.filter(action__in=["login", "login_failed"]).order_by("id")
    assert (failed.action, failed.target_repr, failed.ip) == ("login_failed", "street", "10.1.2.3")
    assert (ok.action, ok.actor, ok.channel) == ("login", world.street_staff, "web")


def test_phone_numbers_are_masked_until_revealed(world, as_user):
    client = as_user(world.county_staff)
    page = client.get(reverse("org:person-detail", args=[world.liyang_cadre.code])).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert client.get(f"/api/v1/people/{world.liyang_cadre.code}/").json()["phone"] == "139****5678"
    assert not AuditEntry.objects.filter(action=Action.READ).exists()


def test_revealing_a_phone_number_is_audited(world, as_user):
    client = as_user(world.county_staff)
    response = client.post(reverse("org:reveal-phone", args=[world.liyang_cadre.code]))
    assert "13912345678" in response.content.decode()
    entry = AuditEntry.objects.get(action=Action.READ, target_id=str(world.liyang_cadre.pk))
    assert entry.actor == world.county_staff and entry.detail == {"fields": ["phone"]}
    api = client.post(f"/api/v1/people/{world.liyang_cadre.code}/reveal-phone/")
    assert api.json() == {"phone": "13912345678"}
    assert AuditEntry.objects.filter(action=Action.READ, channel="api").count() == 1


def test_roles_without_need_cannot_reveal(world, as_user):
    client = as_user(world.grid_member)
    response = client.post(reverse("org:reveal-phone", args=[world.grid_member.person.code]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=Action.READ).exists()


def test_exports_are_audited(world, as_user):
    as_user(world.street_staff).get(reverse("org:export", args=[world.liyang.code, "enterprises", "csv"]))
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.detail == {"what": "enterprises", "format": "csv", "rows": 1}


def test_admin_edits_are_audited_with_the_changed_fields(world, client):
    client.force_login(world.admin)
    url = reverse("admin:org_enterprise_change", args=[world.liyang_enterprise.pk])
    form = {
        "name": "澧县长林农业科技股份有限公司",
        "name_en": "Changlin Agritech Inc.",
        "unit": world.changlin.pk,
        "code": world.liyang_enterprise.code,
        "sector": "agriculture",
        "above_designated_size": "on",
    }
    assert client.post(url, form).status_code == 302
    entry = AuditEntry.objects.get(action=Action.UPDATE, target_type="org.enterprise")
    assert entry.detail["changes"]["name"] == ["澧县长林农业科技有限公司", "澧县长林农业科技股份有限公司"]
