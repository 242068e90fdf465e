"""The demo county: Li County (澧县), Changde, Hunan — the county of the article's Lixian
sewer story (M9) — laid out with the mechanisms the article describes.

Everything is built through the services, from a fixed seed, so two builds give the
same county. Later contexts extend it (cases, activities, linkage, ...), each from its
own ``demo`` module called by :func:`build`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import translation

from grassroots.demo.names import NameSource, numeral
from grassroots.org import services
from grassroots.org.choices import (
    GridRole,
    Level,
    OrganisationKind,
    PostingRole,
    Rank,
    Sector,
    TeamKind,
)
from grassroots.org.models import Organisation, Person, Unit

SEED = 20240130  # the article's date
COUNTY_CODE = "430723000000"
POSTINGS_START = date(2026, 3, 1)
POSTINGS_END = date(2027, 2, 28)
ROSTER_START = date(2021, 10, 1)

# (code suffix, Chinese, English, is street, number of villages/communities)
TOWNSHIPS = [
    ("001", "澧阳街道", "Liyang Street", True, 6),
    ("002", "澧浦街道", "Lipu Street", True, 5),
    ("003", "澧澹街道", "Lidan Street", True, 5),
    ("004", "澧西街道", "Lixi Street", True, 4),
    ("101", "小渡口镇", "Xiaodukou Town", False, 7),
    ("102", "梦溪镇", "Mengxi Town", False, 7),
    ("103", "复兴镇", "Fuxing Town", False, 6),
    ("104", "盐井镇", "Yanjing Town", False, 6),
    ("105", "城头山镇", "Chengtoushan Town", False, 6),
    ("106", "王家厂镇", "Wangjiachang Town", False, 6),
]

# (code, Chinese, English, kind)
COUNTY_BODIES = [
    ("lx-cpc", "中共澧县委员会", "CPC Li County Committee", OrganisationKind.PARTY_COMMITTEE),
    ("lx-gov", "澧县人民政府", "Li County People's Government", OrganisationKind.DEPARTMENT),
    ("lx-xfj", "澧县信访局", "Li County Letters and Visits Bureau", OrganisationKind.PETITION_OFFICE),
    (
        "lx-mdzx",
        "澧县社会矛盾纠纷调处化解中心",
        "Li County Social Conflict Mediation Centre",
        OrganisationKind.MEDIATION_CENTRE,
    ),
    ("lx-zwzx", "澧县政务服务中心", "Li County Government Service Centre", OrganisationKind.SERVICE_CENTRE),
    ("lx-zfbz", "澧县住房保障服务中心", "Li County Housing Security Service Centre", OrganisationKind.DEPARTMENT),
    ("lx-szgy", "澧县市政公用事务中心", "Li County Municipal Administration Centre", OrganisationKind.DEPARTMENT),
    (
        "lx-cgj",
        "澧县城市管理和综合执法局",
        "Li County Urban Management and Law Enforcement Bureau",
        OrganisationKind.DEPARTMENT,
    ),
    (
        "lx-zjj",
        "澧县住房和城乡建设局",
        "Li County Housing and Urban-Rural Development Bureau",
        OrganisationKind.DEPARTMENT,
    ),
    ("lx-slj", "澧县水利局", "Li County Water Resources Bureau", OrganisationKind.DEPARTMENT),
    (
        "lx-sthj",
        "常德市生态环境局澧县分局",
        "Li County Branch of the Changde Ecology and Environment Bureau",
        OrganisationKind.DEPARTMENT,
    ),
    ("lx-jtj", "澧县交通运输局", "Li County Transport Bureau", OrganisationKind.DEPARTMENT),
    ("lx-jyj", "澧县教育局", "Li County Education Bureau", OrganisationKind.DEPARTMENT),
    (
        "lx-rsj",
        "澧县人力资源和社会保障局",
        "Li County Human Resources and Social Security Bureau",
        OrganisationKind.DEPARTMENT,
    ),
    ("lx-wjj", "澧县卫生健康局", "Li County Health Commission", OrganisationKind.DEPARTMENT),
    ("lx-zrzy", "澧县自然资源局", "Li County Natural Resources Bureau", OrganisationKind.DEPARTMENT),
    ("lx-nyj", "澧县农业农村局", "Li County Agriculture and Rural Affairs Bureau", OrganisationKind.DEPARTMENT),
    ("lx-gaj", "澧县公安局", "Li County Public Security Bureau", OrganisationKind.DEPARTMENT),
    ("lx-mzj", "澧县民政局", "Li County Civil Affairs Bureau", OrganisationKind.DEPARTMENT),
    ("lx-swj", "澧县商务局", "Li County Commerce Bureau", OrganisationKind.DEPARTMENT),
]
DEPARTMENT_CODES = [code for code, *_rest in COUNTY_BODIES[5:]]

COUNTY_LEADERS = [
    ("lx-cpc", "县委书记", "Secretary of the County Party Committee"),
    ("lx-gov", "县长", "County Magistrate"),
    ("lx-cpc", "县委副书记", "Deputy Secretary of the County Party Committee"),
    ("lx-cpc", "县委常委、组织部部长", "Standing Committee Member, Head of the Organisation Department"),
    (
        "lx-cpc",
        "县委常委、政法委书记",
        "Standing Committee Member, Secretary of the Political and Legal Affairs Commission",
    ),
    ("lx-cpc", "县委常委、宣传部部长", "Standing Committee Member, Head of the Publicity Department"),
    ("lx-gov", "常务副县长", "Executive Deputy County Magistrate"),
    ("lx-gov", "副县长", "Deputy County Magistrate"),
    ("lx-gov", "副县长", "Deputy County Magistrate"),
    ("lx-gov", "副县长、公安局局长", "Deputy County Magistrate, Chief of Public Security"),
    ("lx-cpc", "县委常委、纪委书记", "Standing Committee Member, Secretary of the Discipline Commission"),
    ("lx-cpc", "县委常委、办公室主任", "Standing Committee Member, Director of the General Office"),
]

# Sector, weight, Chinese stem, English stem.
ENTERPRISE_KINDS = [
    (Sector.AGRICULTURE, 5, "农业科技", "Agricultural Technology"),
    (Sector.AGRICULTURE, 3, "水产养殖", "Aquaculture"),
    (Sector.MANUFACTURING, 6, "机械制造", "Machinery"),
    (Sector.MANUFACTURING, 4, "食品加工", "Food Processing"),
    (Sector.MANUFACTURING, 3, "纺织", "Textiles"),
    (Sector.CONSTRUCTION, 3, "建筑工程", "Construction Engineering"),
    (Sector.TRADE, 4, "商贸", "Trading"),
    (Sector.LOGISTICS, 2, "物流", "Logistics"),
    (Sector.HOSPITALITY, 2, "餐饮管理", "Catering Management"),
    (Sector.IT, 1, "信息技术", "Information Technology"),
    (Sector.REAL_ESTATE, 2, "房地产开发", "Real Estate Development"),
    (Sector.SERVICES, 2, "物业服务", "Property Services"),
    (Sector.TOURISM, 2, "文化旅游", "Culture and Tourism"),
    (Sector.UTILITIES, 1, "供水", "Water Supply"),
]

DEMO_PASSWORD = "demo-2024"  # noqa: S105  # printed on the console for the demo logins

# Centre of Li County, for grid rectangles that a map can show.
ORIGIN_LON, ORIGIN_LAT = 111.50, 29.45


@dataclass
class DemoCounty:
    county: Unit
    townships: list[Unit] = field(default_factory=list)
    villages: list[Unit] = field(default_factory=list)
    grids: list[Unit] = field(default_factory=list)
    bodies: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, description


def _rect(lon: float, lat: float, w: float, h: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def build_units(demo: DemoCounty, names: NameSource, actor: Any) -> None:
    """Ten streets and towns, 58 villages and communities, and their grids, each with a
    rectangular boundary so the grid map has something to draw."""
    for t_index, (suffix, name, name_en, is_street, n_villages) in enumerate(TOWNSHIPS):
        t_lon = ORIGIN_LON + (t_index % 5) * 0.1
        t_lat = ORIGIN_LAT + (t_index // 5) * 0.1
        township = services.create_unit(
            actor=actor,
            code=f"430723{suffix}000",
            name=name,
            name_en=name_en,
            level=Level.TOWNSHIP,
            parent=demo.county,
            boundary=_rect(t_lon, t_lat, 0.1, 0.1),
        )
        demo.townships.append(township)
        for v in range(1, n_villages + 1):
            place, place_en = names.place()
            v_lon = t_lon + ((v - 1) % 3) * 0.033
            v_lat = t_lat + ((v - 1) // 3) * 0.033
            village = services.create_unit(
                actor=actor,
                code=f"430723{suffix}{v:03d}",
                level=Level.VILLAGE,
                parent=township,
                name=place + ("社区" if is_street else "村"),
                name_en=f"{place_en} {'Community' if is_street else 'Village'}",
                boundary=_rect(v_lon, v_lat, 0.033, 0.033),
            )
            demo.villages.append(village)
            n_grids = 4 if is_street else 2 + v % 2
            for g in range(1, n_grids + 1):
                grid = services.create_unit(
                    actor=actor,
                    code=f"430723{suffix}{v:03d}{g:02d}",
                    level=Level.GRID,
                    parent=village,
                    name=f"{place}第{numeral(g)}网格",
                    name_en=f"{place_en} Grid {g}",
                    boundary=_rect(v_lon + (g - 1) * 0.033 / n_grids, v_lat, 0.033 / n_grids, 0.033),
                )
                demo.grids.append(grid)


def build_bodies(demo: DemoCounty, actor: Any) -> None:
    for code, name, name_en, kind in COUNTY_BODIES:
        demo.bodies[code] = services.create_organisation(
            actor=actor,
            unit=demo.county,
            kind=kind,
            code=code,
            name=name,
            name_en=name_en,
            coordinates_unit=code == "lx-cpc",
        )
    for township, (suffix, name, name_en, is_street, _n) in zip(demo.townships, TOWNSHIPS, strict=True):
        committee_kind = OrganisationKind.PARTY_WORKING_COMMITTEE if is_street else OrganisationKind.PARTY_COMMITTEE
        demo.bodies[f"t{suffix}-party"] = services.create_organisation(
            actor=actor,
            unit=township,
            kind=committee_kind,
            code=f"lx-t{suffix}-party",
            name=name + ("党工委" if is_street else "党委"),
            name_en=f"{name_en} {'Party Working Committee' if is_street else 'Party Committee'}",
            coordinates_unit=True,
        )
        demo.bodies[f"t{suffix}-office"] = services.create_organisation(
            actor=actor,
            unit=township,
            kind=OrganisationKind.DEPARTMENT,
            code=f"lx-t{suffix}-office",
            name=name + ("办事处" if is_street else "人民政府"),
            name_en=f"{name_en} {'Sub-district Office' if is_street else 'Government'}",
        )
    for village in demo.villages:
        demo.bodies[f"v{village.code}"] = services.create_organisation(
            actor=actor,
            unit=village,
            kind=OrganisationKind.PARTY_BRANCH,
            code=f"lx-v{village.code}-branch",
            name=f"{village.name}党支部",
            name_en=f"{village.name_en} Party Branch",
            coordinates_unit=True,
        )


def _person(demo: DemoCounty, names: NameSource, actor: Any, unit: Unit, code: str, rank: Rank) -> Person:
    name, name_en = names.person()
    person = services.register_person(
        actor=actor,
        unit=unit,
        code=code,
        name=name,
        name_en=name_en,
        rank=rank,
        phone=names.phone(),
    )
    demo.people[code] = person
    return person


def build_people(demo: DemoCounty, names: NameSource, actor: Any) -> None:
    """About 200 cadres on the county's, departments', streets' and villages' rosters, a
    grid member for every grid, instructors posted to villages (M1) and the volunteer
    practice group (M2)."""
    county = demo.county
    for i, (body_key, title, title_en) in enumerate(COUNTY_LEADERS, start=1):
        person = _person(demo, names, actor, county, f"LX-L{i:02d}", Rank.COUNTY_DIVISION)
        services.appoint(
            person,
            actor=actor,
            organisation=demo.bodies[body_key],
            title=title,
            title_en=title_en,
            is_leader=True,
            started_on=ROSTER_START,
        )
    petition = demo.bodies["lx-xfj"]
    for i, (title, title_en, rank, leader) in enumerate(
        [
            ("局长", "Director", Rank.TOWNSHIP_SECTION, True),
            ("副局长", "Deputy Director", Rank.TOWNSHIP_SECTION, True),
            ("接访科科长", "Head of the Reception Section", Rank.OTHER, False),
            ("办信科工作人员", "Letters Section Officer", Rank.OTHER, False),
        ],
        start=1,
    ):
        person = _person(demo, names, actor, county, f"LX-XF{i:02d}", rank)
        services.appoint(
            person,
            actor=actor,
            organisation=petition,
            title=title,
            title_en=title_en,
            is_leader=leader,
            started_on=ROSTER_START,
        )
    for body_code in ["lx-mdzx", "lx-zwzx", *DEPARTMENT_CODES]:
        body = demo.bodies[body_code]
        for j, (title, title_en, rank, leader) in enumerate(
            [
                ("主任" if "中心" in body.name else "局长", "Director", Rank.TOWNSHIP_SECTION, True),
                ("副主任" if "中心" in body.name else "副局长", "Deputy Director", Rank.TOWNSHIP_SECTION, True),
                ("工作人员", "Officer", Rank.OTHER, False),
            ],
            start=1,
        ):
            person = _person(demo, names, actor, county, f"{body_code.upper()}-{j:02d}", rank)
            services.appoint(
                person,
                actor=actor,
                organisation=body,
                title=title,
                title_en=title_en,
                is_leader=leader,
                started_on=ROSTER_START,
            )
    for township, (suffix, _name, _en, is_street, _n) in zip(demo.townships, TOWNSHIPS, strict=True):
        party, office = demo.bodies[f"t{suffix}-party"], demo.bodies[f"t{suffix}-office"]
        roster = [
            (party, "党工委书记" if is_street else "党委书记", "Party Secretary", Rank.TOWNSHIP_SECTION, True),
            (
                office,
                "办事处主任" if is_street else "镇长",
                "Director" if is_street else "Town Head",
                Rank.TOWNSHIP_SECTION,
                True,
            ),
            (
                party,
                "党工委副书记" if is_street else "党委副书记",
                "Deputy Party Secretary",
                Rank.TOWNSHIP_SECTION,
                True,
            ),
            (
                office,
                "副主任" if is_street else "副镇长",
                "Deputy Director" if is_street else "Deputy Town Head",
                Rank.TOWNSHIP_SECTION,
                True,
            ),
            (office, "信访专干", "Petition Officer", Rank.OTHER, False),
            (office, "综治办主任", "Head of the Comprehensive Governance Office", Rank.OTHER, False),
            (party, "党建办工作人员", "Party Affairs Officer", Rank.OTHER, False),
            (office, "网格管理员", "Grid Coordinator", Rank.OTHER, False),
        ]
        for j, (body, title, title_en, rank, leader) in enumerate(roster, start=1):
            person = _person(demo, names, actor, township, f"LX-T{suffix}-{j:02d}", rank)
            services.appoint(
                person,
                actor=actor,
                organisation=body,
                title=title,
                title_en=title_en,
                is_leader=leader,
                started_on=ROSTER_START,
            )
    for village in demo.villages:
        branch = demo.bodies[f"v{village.code}"]
        person = _person(demo, names, actor, village, f"LX-V{village.code[6:]}-01", Rank.OTHER)
        services.appoint(
            person,
            actor=actor,
            organisation=branch,
            title="党支部书记",
            title_en="Branch Secretary",
            is_leader=True,
            started_on=ROSTER_START,
        )
    for grid in demo.grids:
        name, name_en = names.person()
        member = services.register_person(
            actor=actor,
            unit=grid.parent or grid,
            code=f"LX-G{grid.code[6:]}",
            name=name,
            name_en=name_en,
            rank=Rank.NONE,
            phone=names.phone(),
        )
        demo.people[member.code] = member
        services.assign_to_grid(member, actor=actor, grid=grid, role=GridRole.FULL_TIME, started_on=ROSTER_START)

    # M1: officers of the county departments stationed in villages as instructors.
    rural = [v for v in demo.villages if v.name.endswith("村")]
    officers = [
        p
        for code, p in demo.people.items()
        if code.startswith("LX-") and code.endswith("-03") and p.unit_id == county.pk
    ]
    for person, village in zip(officers, rural, strict=False):
        body_code = person.code.rsplit("-", 1)[0].lower()
        services.post_to_village(
            person,
            actor=actor,
            village=village,
            role=PostingRole.RURAL_REVITALIZATION_INSTRUCTOR,
            started_on=POSTINGS_START,
            ended_on=POSTINGS_END,
            sent_by=demo.bodies.get(body_code),
        )

    # M2: the "Huimin Practice Group" volunteer service team.
    # Agriculture bureau staff give the technical guidance; towns' party officers join them.
    volunteers = [demo.people[f"LX-NYJ-{j:02d}"] for j in (1, 2)]
    volunteers += [demo.people[f"LX-T{suffix}-07"] for suffix, *_rest in TOWNSHIPS if suffix.startswith("1")]
    services.form_team(
        actor=actor,
        unit=county,
        organisation=demo.bodies["lx-cpc"],
        kind=TeamKind.PRACTICE_GROUP,
        name="惠民实践团",
        name_en="Huimin Practice Group",
        description="县直单位党员干部组成的志愿服务队：开展主题宣讲、讲解产业政策、提供农业技术指导。",
        leader=demo.people["LX-L06"],
        members=volunteers,
        started_on=date(2023, 9, 1),
    )


def build_enterprises(demo: DemoCounty, names: NameSource, actor: Any) -> None:
    rng = names.rng
    kinds = [k for k in ENTERPRISE_KINDS for _ in range(k[1])]
    serial = 0
    for township in demo.townships:
        villages = [v for v in demo.villages if v.parent_id == township.pk]
        for _i in range(16):
            sector, _w, stem, stem_en = rng.choice(kinds)
            serial += 1
            place, place_en = names.place()
            big = rng.random() < 0.35
            services.register_enterprise(
                actor=actor,
                unit=rng.choice(villages),
                code=f"91430723MA4{serial:07d}",
                name=f"澧县{place}{stem}有限公司",
                name_en=f"Li County {place_en} {stem_en} Co., Ltd.",
                sector=sector,
                above_designated_size=big,
            )


def build(actor: Any = None) -> DemoCounty:
    """Build the demo county's territory, bodies and people. Caller wraps in a transaction."""
    names = NameSource(SEED)
    province = services.create_unit(
        actor=actor, code="430000000000", name="湖南省", name_en="Hunan Province", level=Level.PROVINCE
    )
    city = services.create_unit(
        actor=actor, code="430700000000", name="常德市", name_en="Changde City", level=Level.CITY, parent=province
    )
    county = services.create_unit(
        actor=actor,
        code=COUNTY_CODE,
        name="澧县",
        name_en="Li County",
        level=Level.COUNTY,
        parent=city,
        boundary=_rect(ORIGIN_LON, ORIGIN_LAT, 0.5, 0.2),
    )
    demo = DemoCounty(county=county)
    build_units(demo, names, actor)
    build_bodies(demo, actor)
    build_people(demo, names, actor)
    build_enterprises(demo, names, actor)
    return demo


def build_logins(demo: DemoCounty, actor: Any = None) -> None:
    """One login per role, plus an outsider from a sibling street who must see nothing
    of Liyang Street. All share :data:`DEMO_PASSWORD`."""
    from grassroots.accounts.choices import Role
    from grassroots.accounts.services import create_login

    liyang_grid = demo.grids[0]
    logins = [
        ("admin", demo.people["LX-XF01"], [Role.ADMINISTRATOR], True, "county administrator (sees the whole tree)"),
        ("leader", demo.people["LX-L01"], [Role.LEADER], False, "Secretary of the County Party Committee"),
        ("petition", demo.people["LX-XF03"], [Role.PETITION_STAFF], False, "county Letters and Visits Bureau"),
        ("street", demo.people["LX-T001-05"], [Role.PETITION_STAFF], False, "Liyang Street petition officer"),
        (
            "handler",
            demo.people["LX-ZFBZ-03"],
            [Role.DEPARTMENT_HANDLER],
            False,
            "Housing Security Service Centre officer",
        ),
        (
            "grid",
            demo.people[f"LX-G{liyang_grid.code[6:]}"],
            [Role.GRID_MEMBER],
            False,
            f"grid member of {liyang_grid.name_en}",
        ),
        ("analyst", demo.people["LX-XF04"], [Role.ANALYST], False, "county analyst"),
        (
            "outsider",
            demo.people["LX-T002-05"],
            [Role.PETITION_STAFF],
            False,
            "Lipu Street petition officer: sees nothing of Liyang Street",
        ),
    ]
    for username, person, roles, superuser, description in logins:
        create_login(username, actor=actor, password=DEMO_PASSWORD, person=person, roles=roles, is_superuser=superuser)
        with translation.override("en"):
            english = ", ".join(str(r.label) for r in roles)
        with translation.override("zh-hans"):
            chinese = "、".join(str(r.label) for r in roles)
        demo.logins.append((username, f"{english} / {chinese}", description))
