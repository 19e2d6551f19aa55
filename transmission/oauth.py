"""What the platform clients (`afnor`, `chorus`) share: an OAuth2
client-credentials token, cached per account until shortly before it expires,
requests that get one new token and one more try on a 401, and every failure
as one `PlatformError` saying whether trying again later may help (a timeout,
429, 5xx) or not (the same request would get the same answer).

A `PlatformError`'s message is stored on the flow and shown to the owner: our
own words are translated (in the language active when it is raised, which the
worker sets to the company's), the platform's are kept as it gave them."""

import hashlib
import uuid
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

TOKEN_MARGIN_SECONDS = 30


class PlatformError(Exception):
    def __init__(self, message: str, *, retryable: bool, status: int = 0) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


def timeout() -> float:
    return float(settings.EINVOICING_TIMEOUT_SECONDS)


def token_cache_key(prefix: str, token_url: str, client_id: str, secret: str) -> str:
    """Per account, and never a secret in the key."""
    digest = hashlib.sha256(f"{token_url}\n{client_id}\n{secret}".encode()).hexdigest()
    return f"{prefix}:{digest}"


def http_error(
    response: requests.Response, what: str, *, code: str, message: str
) -> PlatformError:
    """An HTTP error answer, with the platform's own code and message when its
    JSON body has them (under the names `code` and `message`)."""
    try:
        body = response.json()
        detail = f"{body.get(code, '')} {body.get(message, '')}".strip()
    except (ValueError, AttributeError):
        detail = ""
    return PlatformError(
        f"{what}: HTTP {response.status_code} {detail}".strip(),
        retryable=response.status_code == 429 or response.status_code >= 500,
        status=response.status_code,
    )


def json_object(response: requests.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise PlatformError(
            _("%(what)s: the answer is not JSON.") % {"what": what}, retryable=True
        ) from exc
    if not isinstance(body, dict):
        raise PlatformError(
            _("%(what)s: the answer is not a JSON object.") % {"what": what},
            retryable=True,
        )
    return body


def _unreachable(what: str, exc: requests.RequestException) -> PlatformError:
    return PlatformError(
        _("%(what)s: no answer (%(error)s).")
        % {"what": what, "error": exc.__class__.__name__},
        retryable=True,
    )


class OAuthClient:
    """A `requests` session with the account's bearer token. Subclasses say
    where the token comes from (`token_request`) and how its errors read."""

    label = ""  # what error messages start with, e.g. "Chorus Pro "
    error_code = "errorCode"
    error_message = "errorMessage"
    request_id_header = "Request-Id"

    def __init__(self, *, cache_key: str, token_url: str) -> None:
        self.cache_key = cache_key
        self.token_url = token_url
        self.session = requests.Session()

    def token_request(self) -> dict[str, Any]:
        """The `requests` arguments of the token POST (form, auth)."""
        raise NotImplementedError

    def error(self, response: requests.Response, what: str) -> PlatformError:
        return http_error(
            response,
            f"{self.label}{what}",
            code=self.error_code,
            message=self.error_message,
        )

    def _token_fetch(self) -> str:
        what = f"{self.label}token"
        try:
            response = self.session.post(
                self.token_url, timeout=timeout(), **self.token_request()
            )
        except requests.RequestException as exc:
            raise _unreachable(what, exc) from exc
        if response.status_code != 200:
            raise self.error(response, "token")
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = int(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as exc:
            raise PlatformError(
                _("%(what)s: the answer gives no usable token.") % {"what": what},
                retryable=True,
            ) from exc
        cache.set(self.cache_key, token, max(lifetime - TOKEN_MARGIN_SECONDS, 1))
        return token

    def _token(self) -> str:
        cached = cache.get(self.cache_key)
        return str(cached) if cached else self._token_fetch()

    def call(
        self,
        what: str,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One request with the bearer token (and `headers`); a 401 gets one
        new token and one more try. Any answer is returned; only a failure to
        get one raises. `files` must hold bytes, not readers (a second try
        sends them again)."""
        token = self._token()
        for attempt in (1, 2):
            sent = {
                "Authorization": f"Bearer {token}",
                self.request_id_header: str(uuid.uuid4()),
                **(headers or {}),
            }
            try:
                response = self.session.request(
                    method, url, headers=sent, timeout=timeout(), **kwargs
                )
            except requests.RequestException as exc:
                raise _unreachable(f"{self.label}{what}", exc) from exc
            if response.status_code == 401 and attempt == 1:
                # Expired or revoked early: one new token, one more try.
                cache.delete(self.cache_key)
                token = self._token_fetch()
                continue
            return response
        return response
