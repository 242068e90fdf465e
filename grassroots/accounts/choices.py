from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    LEADER = "leader", _("Leader")
    PETITION_STAFF = "petition_staff", _("Petition staff")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    GRID_MEMBER = "grid_member", _("Grid member")
    ANALYST = "analyst", _("Analyst")


# Roles whose work needs residents' and staff's phone and ID numbers in full; every
# unmasked read they make is audited.
UNMASKING_ROLES = frozenset({Role.ADMINISTRATOR, Role.PETITION_STAFF})
