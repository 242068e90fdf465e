from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "grassroots.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from grassroots.cases.deadlines import CALENDARS, CURRENT_POLICIES
        from grassroots.cases.models import CalendarDay, Category, DeadlinePolicy
        from grassroots.cases.services import CATEGORIES, COORDINATORS, UNITS
        from grassroots.org.models import Organisation, Unit

        # What intake remembers is forgotten at once when it changes in this process.
        for sender, memo in (
            (DeadlinePolicy, CURRENT_POLICIES),
            (CalendarDay, CALENDARS),
            (Organisation, COORDINATORS),
            (Unit, COORDINATORS),
            (Unit, UNITS),
            (Category, CATEGORIES),
        ):
            for signal in (post_save, post_delete):
                signal.connect(memo.forget, sender=sender, dispatch_uid=f"forget-{memo.name}-{sender.__name__}")
