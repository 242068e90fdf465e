from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "grassroots.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from grassroots.cases.signals import case_classified, case_registered
        from grassroots.triage import services

        case_registered.connect(services.on_registered, dispatch_uid="triage-registered")
        case_classified.connect(services.on_classified, dispatch_uid="triage-classified")
