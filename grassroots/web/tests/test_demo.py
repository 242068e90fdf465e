"""The demo county is built from the article's mechanisms, the same every time."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from grassroots.activities.choices import ActivityKind, ActivityState
from grassroots.activities.models import Activity
from grassroots.cases.models import Case, Receipt
from grassroots.cases.seed import seed_taxonomy
from grassroots.org.choices import Level, PostingRole, Rank, TeamKind
from grassroots.org.models import Enterprise, Organisation, Person, Posting, Team, Unit

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # --reset flushes, which needs no enclosing transaction
def test_demo_county_is_realistic_and_deterministic(capsys):
    seed_taxonomy()  # an earlier transactional test may have emptied the seeded tables
    call_command("build_demo")
    out = capsys.readouterr().out
    assert "street    / demo-2024" in out
    county = Unit.objects.get(code="430723000000")
    assert Unit.objects.within(county).filter(level=Level.TOWNSHIP).count() == 10
    assert Unit.objects.within(county).filter(level=Level.VILLAGE).count() == 58
    assert Unit.objects.filter(level=Level.GRID).count() >= 150
    # Every street and town has a coordinating party (working) committee.
    for township in Unit.objects.filter(level=Level.TOWNSHIP):
        assert Organisation.objects.filter(unit=township, coordinates_unit=True).count() == 1
    cadres = Person.objects.exclude(rank=Rank.NONE)
    assert 180 <= cadres.count() <= 230
    assert Enterprise.objects.filter(above_designated_size=True).exists()
    assert Posting.objects.filter(role=PostingRole.RURAL_REVITALIZATION_INSTRUCTOR).count() >= 10  # M1
    assert Team.objects.get(kind=TeamKind.PRACTICE_GROUP).memberships.count() >= 8  # M2
    assert all(p.name_en for p in Person.objects.all()[:50])
    # The storm morning's calls came from the 12345 platform as receipts and became cases.
    storm = Receipt.objects.all()
    assert storm.count() == 6 and not storm.filter(processed_at__isnull=True).exists()
    assert Case.objects.filter(idempotency_key__in=storm.values("idempotency_key")).count() == 6
    # The night's work orders came in one batch, each under its work-order number.
    night = Case.objects.filter(idempotency_key__startswith="12345-").order_by("number")
    assert night.count() == 5 and len({c.registered_at for c in night}) == 5
    # A talk planned a week ahead was recorded held; the next working day was called off.
    assert Activity.objects.get(title="城乡居民医保新政宣讲", state=ActivityState.HELD).persons == 76
    assert Activity.objects.filter(kind=ActivityKind.WORKING_DAY, state=ActivityState.CANCELLED).count() == 1

    call_command("build_demo")
    assert "already built" in capsys.readouterr().out
    first = list(Person.objects.order_by("code").values_list("code", "name", "phone"))
    call_command("build_demo", reset=True)
    assert list(Person.objects.order_by("code").values_list("code", "name", "phone")) == first


def test_demo_logins_see_what_their_posts_give(capsys):
    from grassroots.accounts.models import User

    call_command("build_demo")
    street = User.objects.get(username="street")
    outsider = User.objects.get(username="outsider")
    liyang = Unit.objects.get(code="430723001000")
    assert Unit.objects.visible_to(street).filter(pk=liyang.pk).exists()
    assert not Unit.objects.visible_to(outsider).filter(pk=liyang.pk).exists()
    assert Unit.objects.visible_to(User.objects.get(username="grid")).count() == 1
