"""A client's portal token at rest: encrypted, so a copy of the database (a
dump, a backup, a read-only SQL user) holds no working link.

The token is found by its SHA-256 (`portal_token_digest`, unique), which is
all a request needs; the token itself is decrypted only to show the link (the
back office, the portal's own links) or to e-mail it. Encryption is
cryptography's Fernet (AES-128-CBC with an HMAC-SHA256, authenticated) under
`PORTAL_TOKEN_KEYS`: the first key encrypts, every key decrypts
(`MultiFernet`), so a key is rotated by putting a new one first, running
`manage.py portal_token_keys_rotate`, then removing the old one.
"""

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class PortalLinkUnreadable(Exception):
    """No key of PORTAL_TOKEN_KEYS decrypts a stored token (a key removed too
    soon): the link must be rotated."""


def new_key() -> str:
    """A fresh key for PORTAL_TOKEN_KEYS."""
    return Fernet.generate_key().decode()


def key_problem(key: str) -> str:
    """Why `key` is not a Fernet key ("" when it is)."""
    try:
        Fernet(key)
    except (ValueError, TypeError) as exc:
        return str(exc) or "not a Fernet key"
    return ""


@functools.lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "PORTAL_TOKEN_KEYS is required when DJANGO_DEBUG is off (production): "
            "portal links are stored encrypted under it. Make one with "
            "`python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`."
        )
    return MultiFernet([Fernet(key) for key in keys])


def cipher() -> MultiFernet:
    """The keys of the settings, the first one encrypting."""
    return _cipher(tuple(settings.PORTAL_TOKEN_KEYS))


def portal_token_encrypt(token: str) -> str:
    return cipher().encrypt(token.encode()).decode()


def portal_token_decrypt(stored: str) -> str:
    """:raises PortalLinkUnreadable: no key decrypts it."""
    try:
        return cipher().decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise PortalLinkUnreadable(
            "No key of PORTAL_TOKEN_KEYS decrypts this portal link."
        ) from exc


def portal_token_reencrypt(stored: str) -> str:
    """The same token encrypted under the first key (`MultiFernet.rotate`).

    :raises PortalLinkUnreadable: no key decrypts it.
    """
    try:
        return cipher().rotate(stored.encode()).decode()
    except InvalidToken as exc:
        raise PortalLinkUnreadable(
            "No key of PORTAL_TOKEN_KEYS decrypts this portal link."
        ) from exc
