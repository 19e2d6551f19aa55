"""The Content-Security-Policy of every response, through django-csp.

The site-wide policy is `CONTENT_SECURITY_POLICY` (config/settings/security.py):
our own files only, no inline script, no other origin. The back office adds the
hash of the one inline style Django's admin writes and the logos' bucket; a
portal page adds what its rendering set on the response (`_csp_update`: its
brand style's hash, Stripe's Checkout as a form target). No nonce: a nonce
would make every cached page unique.

django-csp builds the header string from dictionaries on every response; here
each distinct policy is built once per process and kept (a portal has one per
brand and page kind), so a cached page pays a dictionary lookup for it.
"""

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import django
from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

ADMIN_PREFIX = "/admin/"

Frozen = tuple[tuple[str, tuple[str, ...]], ...]


def style_hash(text: str) -> str:
    """The CSP source that allows an inline <style> with exactly this text."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def _frozen(directives: dict[str, Any] | None) -> Frozen | None:
    if directives is None:
        return None
    return tuple(sorted((key, tuple(value)) for key, value in directives.items()))


@lru_cache(maxsize=512)
def _policy(update: Frozen | None, replace: Frozen | None) -> str:
    """The header, its directives in the settings' order (django-csp's own
    order follows a set's, which changes from one process to the next)."""
    built = build_policy(
        update=dict(update) if update is not None else None,
        replace=dict(replace) if replace is not None else None,
    )
    order = list(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    parts = [part.strip() for part in built.split(";") if part.strip()]
    parts.sort(
        key=lambda part: (
            order.index(name) if (name := part.split(" ", 1)[0]) in order else 99,
            name,
        )
    )
    return "; ".join(parts)


@receiver(setting_changed)
def _forget_policies(*, setting: str, **kwargs: object) -> None:
    if setting in ("CONTENT_SECURITY_POLICY", "AWS_STORAGE_BUCKET_NAME"):
        _policy.cache_clear()
        _back_office_update.cache_clear()


@lru_cache(maxsize=1)
def _back_office_update() -> dict[str, tuple[str, ...]]:
    """The admin's one inline <style> (a change list without actions), by the
    hash of its exact text, and where logos come from when not from us (S3)."""
    template = (
        Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    ).read_text()
    styles = tuple(
        style_hash(style)
        for style in re.findall(r"<style>(.*?)</style>", template, re.DOTALL)
    )
    update: dict[str, tuple[str, ...]] = {"style-src": styles}
    if settings.AWS_STORAGE_BUCKET_NAME:
        from urllib.parse import urlsplit

        from django.core.files.storage import storages

        parts = urlsplit(storages["default"].url("logo.png"))
        if parts.netloc:
            update["img-src"] = (f"{parts.scheme}://{parts.netloc}",)
    return update


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, without nonces, each policy built once."""

    def process_request(self, request: HttpRequest) -> None:
        return None  # no nonce is ever offered to templates

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if HEADER in response or getattr(response, "_csp_exempt", False):
            return response
        update = getattr(response, "_csp_update", None)
        if update is None and request.path.startswith(ADMIN_PREFIX):
            update = _back_office_update()
        response[HEADER] = _policy(
            _frozen(update), _frozen(getattr(response, "_csp_replace", None))
        )
        return response
