from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """The six levels of the territory tree, top to bottom."""

    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County / district")
    TOWNSHIP = 4, _("Township / street")
    VILLAGE = 5, _("Village / community")
    GRID = 6, _("Grid")


class OrganisationKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_WORKING_COMMITTEE = "party_working_committee", _("Party working committee")
    PARTY_BRANCH = "party_branch", _("Party branch")
    DEPARTMENT = "department", _("Government department")
    PETITION_OFFICE = "petition_office", _("Petition office")
    MEDIATION_CENTRE = "mediation_centre", _("Mediation centre")
    SERVICE_CENTRE = "service_centre", _("Service centre")


class Rank(models.TextChoices):
    """Cadre ranks (职级), highest first; ``NONE`` for people who are not cadres."""

    PROVINCIAL_MINISTERIAL = "provincial_ministerial", _("Provincial / ministerial level")
    DEPARTMENT_BUREAU = "department_bureau", _("Department / bureau level")
    COUNTY_DIVISION = "county_division", _("County / division level")
    TOWNSHIP_SECTION = "township_section", _("Township / section level")
    OTHER = "other", _("Other cadre")
    NONE = "none", _("Not a cadre")


# Higher number, higher rank: linkage policies ask "at or above rank X".
RANK_ORDER = {
    Rank.PROVINCIAL_MINISTERIAL: 5,
    Rank.DEPARTMENT_BUREAU: 4,
    Rank.COUNTY_DIVISION: 3,
    Rank.TOWNSHIP_SECTION: 2,
    Rank.OTHER: 1,
    Rank.NONE: 0,
}


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture, forestry and fishery")
    MINING = "mining", _("Mining")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    UTILITIES = "utilities", _("Electricity, gas and water")
    CONSTRUCTION = "construction", _("Construction")
    TRADE = "trade", _("Wholesale and retail")
    LOGISTICS = "logistics", _("Transport and logistics")
    HOSPITALITY = "hospitality", _("Hotels and catering")
    IT = "it", _("Information technology")
    FINANCE = "finance", _("Finance")
    REAL_ESTATE = "real_estate", _("Real estate")
    SERVICES = "services", _("Business and resident services")
    TOURISM = "tourism", _("Culture and tourism")


class GridRole(models.TextChoices):
    LEADER = "leader", _("Grid leader")
    FULL_TIME = "full_time", _("Full-time grid member")
    PART_TIME = "part_time", _("Part-time grid member")


class TeamKind(models.TextChoices):
    PRACTICE_GROUP = "practice_group", _("Volunteer practice group")
    WORK_TEAM = "work_team", _("Work team")
    RESEARCH_TEAM = "research_team", _("Research team")


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Team leader")
    MEMBER = "member", _("Member")


class PostingRole(models.TextChoices):
    RURAL_REVITALIZATION_INSTRUCTOR = "instructor", _("Rural revitalization instructor")
    FIRST_SECRETARY = "first_secretary", _("First secretary stationed in the village")
    WORK_TEAM_MEMBER = "work_team_member", _("Stationed work team member")
