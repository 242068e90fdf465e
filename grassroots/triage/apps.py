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
        from django.db.models.signals import post_delete, post_save

        from grassroots.cases.models import Category
        from grassroots.triage.models import TriageModel

        for model in (Category, TriageModel):
            for signal in (post_save, post_delete):
                signal.connect(services.forget_remembered, sender=model, dispatch_uid=f"triage-forget-{model.__name__}")
