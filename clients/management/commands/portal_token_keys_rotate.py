"""Encrypt every portal link again under the first key of PORTAL_TOKEN_KEYS.

Rotating the key: put a new key first in PORTAL_TOKEN_KEYS (keeping the old
one after it) on every process, run this once, then remove the old key. The
links themselves do not change.
"""

from django.core.management.base import BaseCommand, CommandError

from clients import services


class Command(BaseCommand):
    help = "Encrypt every portal link again under the first PORTAL_TOKEN_KEYS key."

    def handle(self, *args: object, **options: object) -> None:
        done, unreadable = services.client_portal_tokens_reencrypt()
        self.stdout.write(f"{done} portal link(s) encrypted under the first key.")
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} link(s) no key decrypts (clients "
                f"{', '.join(map(str, unreadable))}): put their key back, or "
                "rotate these clients' links from the back office."
            )
