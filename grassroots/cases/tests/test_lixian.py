"""M9, the Lixian story: residents report sewer damage and mixed rain and sewage; the
community branch reports to the street party working committee, which classifies,
summarises and sends it to two county departments; they visit the site, the renovation
plan changes, the work completes, and the residents say they are satisfied."""

from __future__ import annotations

import pytest

from grassroots.accounts.choices import Role
from grassroots.accounts.services import create_login
from grassroots.cases import services
from grassroots.cases.choices import AssignmentMode, CaseKind, Channel, Feedback, State
from grassroots.cases.models import Case, Category
from grassroots.cases.services import PetitionerData
from grassroots.conftest import PASSWORD
from grassroots.org import services as org
from grassroots.org.choices import OrganisationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def lixian(world):
    branch = org.create_organisation(
        actor=None,
        unit=world.changlin,
        kind=OrganisationKind.PARTY_BRANCH,
        code="changlin-branch",
        name="长林社区党支部",
        name_en="Changlin Community Party Branch",
        coordinates_unit=True,
    )
    municipal = org.create_organisation(
        actor=None,
        unit=world.county,
        kind=OrganisationKind.DEPARTMENT,
        code="szgy",
        name="澧县市政公用事务中心",
        name_en="Municipal Administration Centre",
    )
    secretary = org.register_person(actor=None, unit=world.changlin, code="P-CL-1", name="覃秀兰", name_en="Qin Xiulan")
    org.appoint(secretary, actor=None, organisation=branch, title="党支部书记", is_leader=True)
    housing_officer = org.register_person(
        actor=None, unit=world.county, code="P-ZF-1", name="向明", name_en="Xiang Ming"
    )
    org.appoint(housing_officer, actor=None, organisation=world.housing_centre, title="工作人员")
    municipal_officer = org.register_person(
        actor=None, unit=world.county, code="P-SZ-1", name="彭涛", name_en="Peng Tao"
    )
    org.appoint(municipal_officer, actor=None, organisation=municipal, title="工作人员")
    return {
        "branch": branch,
        "municipal": municipal,
        "secretary": create_login(
            "secretary", actor=None, password=PASSWORD, person=secretary, roles=[Role.PETITION_STAFF]
        ),
        "housing": create_login(
            "housing", actor=None, password=PASSWORD, person=housing_officer, roles=[Role.DEPARTMENT_HANDLER]
        ),
        "municipal_user": create_login(
            "municipal", actor=None, password=PASSWORD, person=municipal_officer, roles=[Role.DEPARTMENT_HANDLER]
        ),
    }


def test_lixian_sewer_case_goes_community_street_county(world, lixian):
    case = services.register_case(
        actor=lixian["secretary"],
        kind=CaseKind.PETITION,
        channel=Channel.VISIT,
        unit=world.changlin,
        title="小区污水管破损、雨污混流",
        persons=6,
        description="长林社区居民反映：小区主污水管破损，下雨时雨水污水混流，路面返臭。",
        petitioners=[
            PetitionerData(name="李桂兰", phone="13512345678", is_representative=True),
            PetitionerData(name="张建华", is_representative=True),
        ],
    )
    assert case.responsible == lixian["branch"]
    assert case.state == State.REGISTERED and case.persons == 6 and case.batches == 1

    services.accept_case(case, actor=lixian["secretary"])
    services.escalate_case(case, actor=lixian["secretary"], summary="雨污混流涉及主管网，社区无力解决，报街道党工委。")
    case.refresh_from_db()
    assert case.responsible == world.liyang_committee

    drainage = Category.objects.get(code="drainage")
    services.classify_case(case, actor=world.street_staff, category=drainage, summary="排水管网：破损 + 雨污混流")
    services.assign_case(
        case,
        actor=world.street_staff,
        organisations=[world.housing_centre, lixian["municipal"]],
        mode=AssignmentMode.ASSIGN,
        report_days=15,
        instructions="请现场核查并调整改造方案。",
    )
    case.refresh_from_db()
    assert case.state == State.ASSIGNED
    assert set(case.assignments.values_list("organisation__code", flat=True)) == {"zfbz", "szgy"}

    services.record_site_visit(
        case, actor=lixian["housing"], place="长林社区3栋旁", findings="主管破损约12米，雨污管错接。"
    )
    services.record_site_visit(case, actor=lixian["municipal_user"], place="长林社区", findings="确认雨污混流。")
    services.record_progress(case, actor=lixian["housing"], note="改造方案调整：增设独立雨水管，更换破损主管。")
    services.reply_to_resident(case, actor=lixian["housing"], text="已调整改造方案并完成施工，雨污分流。")
    services.resolve_case(case, actor=lixian["housing"], note="施工完成，验收合格。")
    services.give_feedback(case, actor=world.street_staff, verdict=Feedback.SATISFIED, comment="居民表示满意。")

    case = Case.objects.get(pk=case.pk)
    assert case.state == State.CLOSED and case.feedback == Feedback.SATISFIED
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "register",
        "accept",
        "escalate",
        "classify",
        "assign",
        "start",
        "site_visit",
        "site_visit",
        "progress",
        "reply",
        "resolve",
        "feedback",
    ]
    # Every state change is exactly one event.
    changes = case.events.exclude(to_state="")
    assert [e.to_state for e in changes] == [
        "registered",
        "accepted",
        "assigned",
        "in_progress",
        "replied",
        "resolved",
        "closed",
    ]
