"""A platform's credentials at rest: encrypted like the portal links
(Fernet under PORTAL_TOKEN_KEYS, `clients.portal_link`), so a copy of the
database holds no working secret, and the same key rotation covers both."""

from clients.portal_link import cipher


class SecretUnreadable(Exception):
    """No key of PORTAL_TOKEN_KEYS decrypts a stored secret: enter it again."""


def secret_encrypt(value: str) -> str:
    return cipher().encrypt(value.encode()).decode() if value else ""


def secret_decrypt(stored: str) -> str:
    """:raises SecretUnreadable: no key decrypts it."""
    if not stored:
        return ""
    try:
        return cipher().decrypt(stored.encode()).decode()
    except Exception as exc:  # InvalidToken, or a key removed too soon
        raise SecretUnreadable(
            "No key of PORTAL_TOKEN_KEYS decrypts this platform secret."
        ) from exc


__all__ = ["SecretUnreadable", "secret_decrypt", "secret_encrypt"]


def secret_reencrypt(stored: str) -> str:
    """The same secret under the first key of PORTAL_TOKEN_KEYS.

    :raises SecretUnreadable: no key decrypts it.
    """
    if not stored:
        return ""
    try:
        return cipher().rotate(stored.encode()).decode()
    except Exception as exc:
        raise SecretUnreadable(
            "No key of PORTAL_TOKEN_KEYS decrypts this platform secret."
        ) from exc
