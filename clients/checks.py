"""System checks for the keys that encrypt portal links at rest."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from clients.portal_link import key_problem


@register(Tags.security, deploy=True)
def portal_token_keys_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production stores portal links encrypted: it needs its own key."""
    if settings.PORTAL_TOKEN_KEYS:
        return []
    return [
        Error(
            "PORTAL_TOKEN_KEYS is not set: portal links cannot be stored "
            "encrypted, so no client can be created nor any link shown.",
            hint="Set PORTAL_TOKEN_KEYS to a key made with `python -c 'from "
            "cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'` and keep it in your "
            "secret store, apart from the database's backups.",
            id="clients.E001",
        )
    ]


@register(Tags.security)
def portal_token_keys_valid(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Every key is a Fernet key (32 bytes, URL-safe base64)."""
    return [
        Error(
            f"PORTAL_TOKEN_KEYS' key number {number} is not a Fernet key: {problem}.",
            hint="A key is 32 random bytes in URL-safe base64 (44 characters), "
            "as Fernet.generate_key() makes them.",
            id="clients.E002",
        )
        for number, key in enumerate(settings.PORTAL_TOKEN_KEYS, start=1)
        if (problem := key_problem(key))
    ]
