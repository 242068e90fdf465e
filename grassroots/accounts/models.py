from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.choices import UNMASKING_ROLES, Role
from grassroots.org.paths import SEGMENT_WIDTH, minimal_cover
from grassroots.org.querysets import is_whole_tree


class User(AbstractUser):
    """A login. Its data scope comes from the posts of the person it belongs to."""

    person = models.OneToOneField(
        "org.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # Both caches live for one request: a User is loaded afresh per request.
    _scope_cache: list[str] | None
    _roles_cache: frozenset[str]
    _orgs_cache: frozenset[int]

    def scope_paths(self) -> list[str] | None:
        """Unit paths whose subtrees this user may see; ``None`` means the whole tree.

        The units of the person's active posts, grid memberships and postings. Superusers
        see everything; a login with no person sees nothing.
        """
        if not hasattr(self, "_scope_cache"):
            self._read_access()
        return self._scope_cache

    def _read_access(self) -> None:
        """The scope and the roles together: every request asks for both, one statement."""
        if self.is_superuser or self.person_id is None:
            self._scope_cache = None if self.is_superuser else []
            self._roles_cache = frozenset(self.role_grants.values_list("role", flat=True))
            return
        day = timezone.localdate()
        as_function = connection.vendor == "postgresql"
        sql = ACCESS_CALL if as_function else _access_sql()
        params: list[Any] = (
            [self.person_id, day, self.pk] if as_function else [self.person_id, day, day] * 3 + [self.pk]
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        paths: list[str] | None = minimal_cover([value for kind, value in rows if kind == "u"])
        if paths and len(paths) == 1 and len(paths[0]) == SEGMENT_WIDTH and is_whole_tree(paths[0]):
            paths = None  # a post at the top of the only tree sees the whole tree
        self._scope_cache = paths
        self._roles_cache = frozenset(value for kind, value in rows if kind == "r")

    def organisation_ids(self) -> frozenset[int]:
        """Organisations this user's person holds an active post in."""
        if not hasattr(self, "_orgs_cache"):
            from grassroots.org.models import Post

            ids: frozenset[int] = frozenset()
            if self.person_id is not None:
                ids = frozenset(
                    Post.objects.active().filter(person_id=self.person_id).values_list("organisation_id", flat=True)
                )
            self._orgs_cache = ids
        return self._orgs_cache

    def roles(self) -> frozenset[str]:
        if not hasattr(self, "_roles_cache"):
            self._read_access()
        return self._roles_cache

    def has_role(self, *roles: Role | str) -> bool:
        return self.is_superuser or bool(self.roles() & set(roles))

    @property
    def may_unmask(self) -> bool:
        """Whether this user may read phone and ID numbers in full (each read is audited)."""
        return self.has_role(*UNMASKING_ROLES)


ACCESS_FUNCTION = "grassroots_access"
# On PostgreSQL the statement is kept as a function: its session plans it once. Planned
# afresh each time it cost 0.31 ms of PostgreSQL's CPU, nearly all planning; called as
# the function, 0.11 ms — on every API and page request (docs/performance.md).
ACCESS_ARGUMENTS = "p_person bigint, p_day date, p_user bigint"
ACCESS_RESULT = "TABLE (access_kind text, access_value varchar)"
ACCESS_CALL = f"SELECT access_kind, access_value FROM {ACCESS_FUNCTION}(%s, %s, %s)"  # noqa: S608  # a constant name


def _access_union(person: str, day: str, user: str) -> str:
    """The units of a person's active posts, grid memberships and postings (rows ``u``) and
    the login's roles (rows ``r``), in one statement; ``person``, ``day`` and ``user`` are
    what stands for each value (placeholders, or a function's arguments).

    Every API and page request asks this first; written once as SQL, it costs a fraction of
    building the ORM's three-way union each time (measured on intake, docs/performance.md).
    Active means as ``PostQuerySet.active``: started by today and not ended before it.
    """
    from grassroots.org.models import GridMember, Organisation, Post, Posting, Unit

    unit = Unit._meta.db_table
    active = f"x.person_id = {person} AND x.started_on <= {day} AND (x.ended_on IS NULL OR x.ended_on >= {day})"
    return (
        f"SELECT 'u', u.path FROM {Post._meta.db_table} x"  # noqa: S608  # table names from the models
        f" JOIN {Organisation._meta.db_table} o ON o.id = x.organisation_id JOIN {unit} u ON u.id = o.unit_id"
        f" WHERE {active}"
        f" UNION SELECT 'u', u.path FROM {GridMember._meta.db_table} x JOIN {unit} u ON u.id = x.grid_id WHERE {active}"
        f" UNION SELECT 'u', u.path FROM {Posting._meta.db_table} x JOIN {unit} u ON u.id = x.village_id WHERE {active}"
        f" UNION SELECT 'r', g.role FROM {RoleGrant._meta.db_table} g WHERE g.user_id = {user}"
    )


@functools.cache
def _access_sql() -> str:
    """The access statement with placeholders: person, day, day (for each of the three
    kinds of place), then the login."""
    return _access_union("%s", "%s", "%s")


def access_function_body() -> str:
    """The PL/pgSQL body of :data:`ACCESS_FUNCTION`: the same statement, on its arguments.
    Its first line names the signature, so a changed signature changes the body too."""
    statement = _access_union("p_person", "p_day", "p_user")
    return f"\n-- ({ACCESS_ARGUMENTS}) RETURNS {ACCESS_RESULT}\nBEGIN RETURN QUERY {statement}; END\n"


def access_functions(cursor: Any) -> list[tuple[str, str]]:
    """Each overload of :data:`ACCESS_FUNCTION` (signature, body) in the schema that
    ``CREATE FUNCTION`` writes to — only this deployment's: another schema of the same
    database may hold its own."""
    cursor.execute(
        "SELECT oid::regprocedure::text, prosrc FROM pg_proc"
        " WHERE proname = %s AND pronamespace = current_schema()::regnamespace ORDER BY oid",
        [ACCESS_FUNCTION],
    )
    return [(signature, body) for signature, body in cursor.fetchall()]


def define_access_function(cursor: Any, body: str) -> None:
    """Replace :data:`ACCESS_FUNCTION` (every overload of it) by one holding ``body``. A
    changed result type cannot be replaced in place, so the old one is dropped first."""
    for signature, _body in access_functions(cursor):
        cursor.execute(f"DROP FUNCTION {signature}")
    cursor.execute(
        f"CREATE FUNCTION {ACCESS_FUNCTION}({ACCESS_ARGUMENTS}) RETURNS {ACCESS_RESULT}"
        f" LANGUAGE plpgsql STABLE AS $access${body}$access$"
    )


def install_access_function(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Create (or bring up to date) :data:`ACCESS_FUNCTION` on a PostgreSQL database. Run
    after every ``migrate`` (``post_migrate``), so the function always holds the statement
    this code writes; a database already holding it is left alone (no DDL, no lock)."""
    target = connections[using]
    if target.vendor != "postgresql":
        return
    body = access_function_body()
    with target.cursor() as cursor:
        if [held for _signature, held in access_functions(cursor)] != [body]:
            define_access_function(cursor, body)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="accounts_role_once")]

    def __str__(self) -> str:
        return self.get_role_display()


class Notification(models.Model):
    """A message in a user's inbox: an appointment reminder, a deadline warning."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The sender's key for "this message, to this person": a repeated or retried sender
    # inserts nothing the second time.
    dedupe_key = models.CharField(max_length=150, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="accounts_inbox_unread")]

    def __str__(self) -> str:
        return self.text
