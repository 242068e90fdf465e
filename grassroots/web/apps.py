from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "grassroots.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from grassroots.memo import forget_all

        # Every app's memos (grassroots.memo): flush (build_demo --reset, transactional
        # tests) and migrate empty or rewrite tables without save signals; both end with
        # post_migrate.
        post_migrate.connect(forget_all, dispatch_uid="forget-memos-after-migrate")
