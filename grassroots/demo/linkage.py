"""Demo linkage: Li County's own "1+1+5" — every cadre at or above county/division level
linked to at least one village and five enterprises, covering every village and every
enterprise above designated size — solved and applied; and package leaders for the
difficult cases."""

from __future__ import annotations

from django.db.models import Q

from grassroots.cases.models import Case
from grassroots.demo.county import DemoCounty
from grassroots.linkage import services
from grassroots.linkage.models import EnterpriseScope, LinkagePolicy
from grassroots.org.choices import Rank


def build_linkage(demo: DemoCounty) -> None:
    policy = LinkagePolicy.objects.create(
        name="“1+1+5”挂钩联系机制",
        name_en='"1+1+5" linkage',
        unit=demo.county,
        min_rank=Rank.COUNTY_DIVISION,
        min_villages=1,
        min_enterprises=5,
        enterprise_scope=EnterpriseScope.ABOVE_SIZE,
        within_jurisdiction=True,
    )
    services.apply_proposal(policy, actor=None, proposal=services.propose(policy))
    difficult = list(Case.objects.open().filter(Q(is_difficult=True)).select_related("unit"))
    if difficult:
        services.assign_package_leaders(actor=None, unit=demo.county, cases=difficult)
