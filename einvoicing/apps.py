from django.apps import AppConfig


class EinvoicingConfig(AppConfig):
    name = "einvoicing"
    verbose_name = "E-invoicing"

    def ready(self) -> None:
        from documents import hooks
        from einvoicing import mentions
        from einvoicing.checks import einvoice_check
        from einvoicing.late_payment import late_payment_terms

        hooks.register(hooks.content_completions, mentions.printed)
        hooks.register(hooks.issue_checks, einvoice_check)
        hooks.register(hooks.content_completions, late_payment_terms)
