"""The territory tree and the people and bodies attached to it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grassroots.org import querysets
from grassroots.org.choices import (
    GridRole,
    Level,
    OrganisationKind,
    PostingRole,
    Rank,
    Sector,
    TeamKind,
    TeamRole,
)
from grassroots.org.paths import PATH_MAX_LENGTH, PathField, ancestor_paths


class Bilingual(models.Model):
    """A Chinese name with its English translation; ``label`` picks by active language."""

    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language, falling back to the Chinese name."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Unit(Bilingual):
    """A node of the territory tree: province, city, county, township/street,
    village/community or grid."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    code = models.CharField(
        _("division code"),
        max_length=32,
        unique=True,
        help_text=_("Official administrative division code; grids use their village's code plus a suffix."),
    )
    # Serves every subtree query: ``path >= P AND path < P || '~'``.
    path = PathField(max_length=PATH_MAX_LENGTH, unique=True, editable=False)
    boundary = models.JSONField(
        _("boundary (GeoJSON geometry)"),
        null=True,
        blank=True,
        help_text=_("A GeoJSON Polygon or MultiPolygon in WGS 84 longitude/latitude."),
    )

    objects = querysets.UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            # Children of a unit, in tree order (the tree browser's expand).
            models.Index(fields=["parent", "path"], name="org_unit_parent_path"),
        ]

    @property
    def depth(self) -> int:
        return len(self.path) // 6

    def ancestor_paths(self) -> list[str]:
        return ancestor_paths(self.path)

    def is_within(self, other: Unit) -> bool:
        return str(self.path).startswith(other.path)


class Organisation(Bilingual):
    """A body attached to a unit: a party committee, a department, a mediation centre…"""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    code = models.CharField(_("code"), max_length=64, unique=True)
    coordinates_unit = models.BooleanField(
        _("coordinates its unit"),
        default=False,
        help_text=_(
            "The body that classifies and routes what no rule sends elsewhere, e.g. a street's party working committee."
        ),
    )

    objects = querysets.OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["unit__path", "kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(coordinates_unit=True),
                name="org_one_coordinator_per_unit",
            ),
        ]


class Enterprise(Bilingual):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("unit"))
    code = models.CharField(_("unified social credit code"), max_length=32, unique=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    above_designated_size = models.BooleanField(_("above designated size"), default=False)

    objects = querysets.EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["unit__path", "code"]


class Person(Bilingual):
    """A cadre, grid member or other worker, on the roster of one unit."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people", verbose_name=_("unit"))
    code = models.CharField(_("staff number"), max_length=64, unique=True)
    rank = models.CharField(_("rank"), max_length=32, choices=Rank.choices, default=Rank.NONE)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = querysets.PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "code"]

    @property
    def masked_phone(self) -> str:
        """The phone number with its middle digits hidden (138****5678)."""
        return mask_phone(self.phone)


def mask_phone(phone: str) -> str:
    if len(phone) <= 4:
        return "*" * len(phone)
    keep_head = 3 if len(phone) >= 11 else 1
    return phone[:keep_head] + "*" * (len(phone) - keep_head - 4) + phone[-4:]


class Dated(models.Model):
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        abstract = True


class Post(Dated):
    """A person's role in an organisation for a period (任职)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="posts", verbose_name=_("person"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="posts",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title (Chinese)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    is_leader = models.BooleanField(_("leading post"), default=False)

    objects = querysets.PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["organisation_id", "-is_leader", "started_on", "id"]
        indexes = [
            # A user's data scope: the active posts of one person.
            models.Index(fields=["person", "ended_on"], name="org_post_person_active"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.title_label}"

    @property
    def title_label(self) -> str:
        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title


class GridMember(Dated):
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="grid_memberships",
        verbose_name=_("person"),
    )
    grid = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="grid_members",
        verbose_name=_("grid"),
        limit_choices_to={"level": Level.GRID},
    )
    role = models.CharField(_("role"), max_length=16, choices=GridRole.choices, default=GridRole.FULL_TIME)

    objects = querysets.GridMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid member")
        verbose_name_plural = _("grid members")
        ordering = ["grid_id", "role", "id"]

    def __str__(self) -> str:
        return f"{self.person} @ {self.grid}"


class Team(Bilingual):
    """A standing team, e.g. the "Huimin Practice Group" of volunteers (M2)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="teams", verbose_name=_("unit"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("organising body"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=TeamKind.choices)
    description = models.TextField(_("description"), blank=True)
    members: models.ManyToManyField[Person, TeamMember] = models.ManyToManyField(
        Person, through="TeamMember", related_name="teams"
    )

    objects = querysets.TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["unit__path", "id"]


class TeamMember(Dated):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices, default=TeamRole.MEMBER)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "person"], name="org_team_member_once")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.team}"


class Posting(Dated):
    """A person stationed in a village for a period (驻村), e.g. as a rural
    revitalization instructor (M1)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="postings", verbose_name=_("person"))
    village = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="postings",
        verbose_name=_("village"),
        limit_choices_to={"level": Level.VILLAGE},
    )
    role = models.CharField(_("role"), max_length=32, choices=PostingRole.choices)
    sent_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="postings",
        verbose_name=_("sending organisation"),
    )

    objects = querysets.PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["village_id", "started_on", "id"]

    def __str__(self) -> str:
        return f"{self.person} → {self.village}"
