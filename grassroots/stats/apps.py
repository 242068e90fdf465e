from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "grassroots.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from grassroots.activities.signals import activity_changed
        from grassroots.stats import activity_days

        activity_changed.connect(activity_days.on_activity_changed, dispatch_uid="stats-activity-days")
