from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransmissionConfig(AppConfig):
    name = "transmission"
    verbose_name = _("E-invoicing platform")

    def ready(self) -> None:
        from documents import hooks
        from transmission import triggers

        hooks.register(hooks.version_written, triggers.version_written)
        hooks.register(hooks.event_written, triggers.event_written)
