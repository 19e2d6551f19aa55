from django.apps import AppConfig


class EinvoicingConfig(AppConfig):
    name = "einvoicing"
    verbose_name = "E-invoicing"

    def ready(self) -> None:
        from documents import hooks
        from einvoicing.checks import einvoice_check

        hooks.register(hooks.issue_checks, einvoice_check)
