from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = "E-mail"

    def ready(self) -> None:
        from documents import hooks
        from mail.services.notifying import client_event_notify_on_commit

        hooks.register(hooks.client_event_written, client_event_notify_on_commit)
