from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "grassroots.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from grassroots.accounts.models import install_access_function

        # Once per migrate (this app's signal), after every app's tables exist.
        post_migrate.connect(install_access_function, sender=self, dispatch_uid="install-access-function")
