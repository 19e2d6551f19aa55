from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        from documents.models import ClientEmail
        from mail import hooks
        from payments.services.receipts import receipt_email_content
        from payments.services.transfers import transfer_declared_email_content

        hooks.register(ClientEmail.Kind.RECEIPT, receipt_email_content)
        hooks.register(
            ClientEmail.Kind.TRANSFER_DECLARED, transfer_declared_email_content
        )
