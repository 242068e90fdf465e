from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    READ = "read", _("read personal data")
    EXPORT = "export", _("exported")
    IMPORT = "import", _("imported")
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed to log in")
    LOGOUT = "logout", _("logged out")


class AuditEntry(models.Model):
    """One audited act. Written by services in the same transaction as the act itself,
    so an act without its entry cannot be committed."""

    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # audit_actor (actor, id) serves every lookup by it
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept beside the FK so the entry still names the actor after the account is gone.
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True, help_text=_("web, api, cli or task"))
    # The hash chain (see audit.chain): the place in the chain and the hash over this entry
    # and the one before it. Empty until the entry is sealed, within a minute.
    seq = models.BigIntegerField(_("place in the chain"), null=True, blank=True, unique=True, editable=False)
    hash = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]
        indexes = [
            # "What happened to this record?" on a record's history page.
            models.Index(fields=["target_type", "target_id", "id"], name="audit_target"),
            # "What did this user do?" for an investigation.
            models.Index(fields=["actor", "id"], name="audit_actor"),
            # Recent failed logins, for throttling.
            models.Index(fields=["action", "at"], name="audit_action_at"),
            # The sealer's queue: entries not yet in the chain.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.target_repr}"


class ChainHead(models.Model):
    """The last sealed entry's place and hash; its row lock lets one sealer run at a time."""

    name = models.CharField(max_length=16, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.name} @ {self.seq}"
