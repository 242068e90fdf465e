"""The cast of every test: a small county with two streets, built through the services.

Personas, one per role, plus an outsider from the sibling street who must see nothing of
Liyang Street:

- ``admin``: superuser
- ``county_staff``: petition staff at the county Letters and Visits Bureau
- ``street_staff``: petition staff of Liyang Street's party working committee
- ``grid_member``: the grid member of Liyang's first grid
- ``outsider``: petition staff of Lipu Street
- ``nobody``: a login with no person and so no posts
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from grassroots.accounts.choices import Role
from grassroots.accounts.models import User
from grassroots.accounts.services import create_login
from grassroots.org import services
from grassroots.org.choices import Level, OrganisationKind, Rank, Sector
from grassroots.org.models import Enterprise, Organisation, Person, Unit

PASSWORD = "correct horse battery staple"


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # The real hasher takes ~0.3 s a password by design; tests make dozens of logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded files of a test run go to a scratch folder, never the data directory.
    import tempfile

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="grassroots-media-")


@dataclass
class World:
    province: Unit
    county: Unit
    liyang: Unit
    changlin: Unit
    changlin_grid: Unit
    lipu: Unit
    hexi: Unit
    petition_office: Organisation
    liyang_committee: Organisation
    lipu_committee: Organisation
    housing_centre: Organisation
    liyang_enterprise: Enterprise
    lipu_enterprise: Enterprise
    liyang_cadre: Person
    lipu_cadre: Person
    admin: User
    county_staff: User
    street_staff: User
    grid_member: User
    outsider: User
    nobody: User


def _person(unit: Unit, code: str, name: str, name_en: str, rank: Rank = Rank.OTHER, phone: str = "") -> Person:
    return services.register_person(
        actor=None, unit=unit, code=code, name=name, name_en=name_en, rank=rank, phone=phone or "13800138000"
    )


def build_world() -> World:
    unit = services.create_unit
    province = unit(actor=None, code="430000000000", name="湖南省", name_en="Hunan", level=Level.PROVINCE)
    city = unit(actor=None, code="430700000000", name="常德市", name_en="Changde", level=Level.CITY, parent=province)
    county = unit(actor=None, code="430723000000", name="澧县", name_en="Li County", level=Level.COUNTY, parent=city)
    liyang = unit(
        actor=None, code="430723001000", name="澧阳街道", name_en="Liyang Street", level=Level.TOWNSHIP, parent=county
    )
    changlin = unit(
        actor=None,
        code="430723001001",
        name="长林社区",
        name_en="Changlin Community",
        level=Level.VILLAGE,
        parent=liyang,
    )
    grid = unit(
        actor=None,
        code="43072300100101",
        name="长林第一网格",
        name_en="Changlin Grid 1",
        level=Level.GRID,
        parent=changlin,
    )
    lipu = unit(
        actor=None, code="430723002000", name="澧浦街道", name_en="Lipu Street", level=Level.TOWNSHIP, parent=county
    )
    hexi = unit(
        actor=None, code="430723002001", name="河西社区", name_en="Hexi Community", level=Level.VILLAGE, parent=lipu
    )
    org = services.create_organisation
    petition_office = org(
        actor=None,
        unit=county,
        kind=OrganisationKind.PETITION_OFFICE,
        code="xfj",
        name="澧县信访局",
        name_en="Li County Letters and Visits Bureau",
    )
    housing = org(
        actor=None,
        unit=county,
        kind=OrganisationKind.DEPARTMENT,
        code="zfbz",
        name="澧县住房保障服务中心",
        name_en="Housing Security Service Centre",
    )
    liyang_committee = org(
        actor=None,
        unit=liyang,
        kind=OrganisationKind.PARTY_WORKING_COMMITTEE,
        code="liyang-pwc",
        name="澧阳街道党工委",
        name_en="Liyang Street Party Working Committee",
        coordinates_unit=True,
    )
    lipu_committee = org(
        actor=None,
        unit=lipu,
        kind=OrganisationKind.PARTY_WORKING_COMMITTEE,
        code="lipu-pwc",
        name="澧浦街道党工委",
        name_en="Lipu Street Party Working Committee",
        coordinates_unit=True,
    )
    ent = services.register_enterprise
    liyang_enterprise = ent(
        actor=None,
        unit=changlin,
        code="91430723MA4000001",
        name="澧县长林农业科技有限公司",
        name_en="Changlin Agritech",
        sector=Sector.AGRICULTURE,
        above_designated_size=True,
    )
    lipu_enterprise = ent(
        actor=None,
        unit=hexi,
        code="91430723MA4000002",
        name="澧县河西物流有限公司",
        name_en="Hexi Logistics",
        sector=Sector.LOGISTICS,
    )
    start = date(2022, 1, 1)
    county_clerk = _person(county, "P-XF-1", "王建国", "Wang Jianguo")
    services.appoint(county_clerk, actor=None, organisation=petition_office, title="接访科科长", started_on=start)
    liyang_cadre = _person(liyang, "P-LY-1", "马志强", "Ma Zhiqiang", phone="13912345678")
    services.appoint(liyang_cadre, actor=None, organisation=liyang_committee, title="信访专干", started_on=start)
    lipu_cadre = _person(lipu, "P-LP-1", "陈海燕", "Chen Haiyan", phone="13787654321")
    services.appoint(lipu_cadre, actor=None, organisation=lipu_committee, title="信访专干", started_on=start)
    gridder = _person(changlin, "P-G-1", "宋桂兰", "Song Guilan", rank=Rank.NONE)
    services.assign_to_grid(gridder, actor=None, grid=grid, started_on=start)

    login = create_login
    return World(
        province=province,
        county=county,
        liyang=liyang,
        changlin=changlin,
        changlin_grid=grid,
        lipu=lipu,
        hexi=hexi,
        petition_office=petition_office,
        liyang_committee=liyang_committee,
        lipu_committee=lipu_committee,
        housing_centre=housing,
        liyang_enterprise=liyang_enterprise,
        lipu_enterprise=lipu_enterprise,
        liyang_cadre=liyang_cadre,
        lipu_cadre=lipu_cadre,
        admin=login("admin", actor=None, password=PASSWORD, roles=[Role.ADMINISTRATOR], is_superuser=True),
        county_staff=login("county", actor=None, password=PASSWORD, person=county_clerk, roles=[Role.PETITION_STAFF]),
        street_staff=login("street", actor=None, password=PASSWORD, person=liyang_cadre, roles=[Role.PETITION_STAFF]),
        grid_member=login("grid", actor=None, password=PASSWORD, person=gridder, roles=[Role.GRID_MEMBER]),
        outsider=login("outsider", actor=None, password=PASSWORD, person=lipu_cadre, roles=[Role.PETITION_STAFF]),
        nobody=login("nobody", actor=None, password=PASSWORD, roles=[Role.ANALYST]),
    )


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are asserted in English; tests of Chinese switch language themselves."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(db: Any) -> World:
    from grassroots.cases.models import Category
    from grassroots.cases.seed import seed_taxonomy

    if not Category.objects.exists():  # emptied by a transactional test's flush
        seed_taxonomy()
    return build_world()


@pytest.fixture
def client() -> Any:
    """A test client whose browser asks for English, as the assertions are written."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def as_user(client: Any) -> Any:
    """Log the test client in as one of the world's users."""

    def login(user: User) -> Any:
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def forget_memos() -> None:
    """A test's rolled-back transaction sends no signals and leaves the watermark where it
    was: start every test without what the last test's process remembered."""
    from grassroots.memo import forget_all

    forget_all()


@pytest.fixture
def wsgi_keeps_the_connection() -> Any:
    """For tests that call the app through a plain WSGI client (schemathesis), not Django's
    test client: keep Django from closing the test's database connection after each
    request, as the test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
