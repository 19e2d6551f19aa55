from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "signing"
    verbose_name = "Signing"

    def ready(self) -> None:
        from documents.models import ClientEmail
        from mail import hooks
        from signing.notices import (
            quote_declined_email_content,
            quote_signed_email_content,
        )

        hooks.register(ClientEmail.Kind.QUOTE_SIGNED, quote_signed_email_content)
        hooks.register(ClientEmail.Kind.QUOTE_DECLINED, quote_declined_email_content)
