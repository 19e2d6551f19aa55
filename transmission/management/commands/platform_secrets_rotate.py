"""Encrypt every e-invoicing platform secret again under the first key of
PORTAL_TOKEN_KEYS: run it beside `portal_token_keys_rotate`, before the old
key is removed."""

from django.core.management.base import BaseCommand, CommandError

from transmission import services


class Command(BaseCommand):
    help = "Encrypt every platform secret again under the first PORTAL_TOKEN_KEYS key."

    def handle(self, *args: object, **options: object) -> None:
        done, unreadable = services.platform_secrets_reencrypt()
        self.stdout.write(
            f"{done} platform connection(s) encrypted under the first key."
        )
        if unreadable:
            raise CommandError(
                f"Secrets of companies {', '.join(map(str, unreadable))} no key "
                "decrypts: put their key back, or enter them again."
            )
