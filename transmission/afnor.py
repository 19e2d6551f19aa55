"""The one module that talks to an approved platform over HTTP (`requests`):
the AFNOR XP Z12-013 Flow Service 1.3.0 (`createFlow`, `searchFlows`,
`getFlow`), with OAuth2 client credentials, and the Directory Service.

Every failure leaves as one `PlatformError`, which says whether trying again
later may help (a timeout, 429, 5xx) or not (400, 403, 413, 422). A 401 gets
one new token and one more try; a second 401 is an error like the others.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

TOKEN_MARGIN_SECONDS = 30


class PlatformError(Exception):
    def __init__(self, message: str, *, retryable: bool, status: int = 0) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class Credentials:
    flow_url: str
    directory_url: str
    token_url: str
    client_id: str
    client_secret: str

    @property
    def cache_key(self) -> str:
        # The token is cached per account (never a secret in the key).
        digest = hashlib.sha256(
            f"{self.token_url}\n{self.client_id}\n{self.client_secret}".encode()
        ).hexdigest()
        return f"einvoicing-token:{digest}"


def _timeout() -> float:
    return float(settings.EINVOICING_TIMEOUT_SECONDS)


def _error_of(response: requests.Response, what: str) -> PlatformError:
    try:
        body = response.json()
        detail = f"{body.get('errorCode', '')} {body.get('errorMessage', '')}".strip()
    except ValueError:
        detail = ""
    retryable = response.status_code == 429 or response.status_code >= 500
    return PlatformError(
        f"{what}: HTTP {response.status_code} {detail}".strip(),
        retryable=retryable,
        status=response.status_code,
    )


class PlatformClient:
    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.session = requests.Session()

    def _token_fetch(self) -> str:
        try:
            response = self.session.post(
                self.credentials.token_url,
                data={"grant_type": "client_credentials"},
                auth=(self.credentials.client_id, self.credentials.client_secret),
                timeout=_timeout(),
            )
        except requests.RequestException as exc:
            raise PlatformError(
                f"Token: {exc.__class__.__name__}", retryable=True
            ) from exc
        if response.status_code != 200:
            raise _error_of(response, "Token")
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = int(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as exc:
            raise PlatformError("Token: unreadable answer", retryable=True) from exc
        cache.set(
            self.credentials.cache_key,
            token,
            max(lifetime - TOKEN_MARGIN_SECONDS, 1),
        )
        return token

    def _token(self) -> str:
        cached = cache.get(self.credentials.cache_key)
        return str(cached) if cached else self._token_fetch()

    def _call(
        self, what: str, method: str, url: str, **kwargs: Any
    ) -> requests.Response:
        token = self._token()
        for attempt in (1, 2):
            headers = {
                "Authorization": f"Bearer {token}",
                "Request-Id": str(uuid.uuid4()),
                **kwargs.pop("headers", {}),
            }
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=_timeout(), **kwargs
                )
            except requests.RequestException as exc:
                raise PlatformError(
                    f"{what}: {exc.__class__.__name__}", retryable=True
                ) from exc
            if response.status_code == 401 and attempt == 1:
                # Expired or revoked early: one new token, one more try.
                cache.delete(self.credentials.cache_key)
                token = self._token_fetch()
                # `files` readers were consumed: the caller passes bytes.
                continue
            return response
        return response

    def _flow(self, path: str) -> str:
        return self.credentials.flow_url.rstrip("/") + path

    def flow_create(
        self,
        *,
        flow_info: dict[str, Any],
        file_name: str,
        data: bytes,
        content_type: str,
    ) -> dict[str, Any]:
        """POST /v1/flows (createFlow): the flow's info, then its file."""
        files = {
            "flowInfo": (None, json.dumps(flow_info), "application/json"),
            "file": (file_name, data, content_type),
        }
        response = self._call(
            "createFlow", "POST", self._flow("/v1/flows"), files=files
        )
        if response.status_code != 202:
            raise _error_of(response, "createFlow")
        return self._json(response, "createFlow")

    def flows_search(
        self, *, where: dict[str, Any], cursor: str = ""
    ) -> dict[str, Any]:
        """POST /v1/flows/search (searchFlows): one page of flows."""
        body: dict[str, Any] = {"where": where, "limit": 100}
        if cursor:
            body["cursor"] = cursor
        response = self._call(
            "searchFlows", "POST", self._flow("/v1/flows/search"), json=body
        )
        if response.status_code != 200:
            raise _error_of(response, "searchFlows")
        return self._json(response, "searchFlows")

    def flow_get(self, flow_id: str) -> dict[str, Any]:
        """GET /v1/flows/{flowId}: the flow's metadata (its acknowledgement)."""
        response = self._call(
            "getFlow", "GET", self._flow(f"/v1/flows/{requests.utils.quote(flow_id)}")
        )
        if response.status_code != 200:
            raise _error_of(response, "getFlow")
        return self._json(response, "getFlow")

    def flow_download(self, flow_id: str) -> bytes:
        """GET /v1/flows/{flowId}?docType=Original: the file itself (a CDAR)."""
        response = self._call(
            "getFlow",
            "GET",
            self._flow(f"/v1/flows/{requests.utils.quote(flow_id)}"),
            params={"docType": "Original"},
        )
        if response.status_code != 200:
            raise _error_of(response, "getFlow")
        return response.content

    def webhook_create(self, *, callback_url: str) -> dict[str, Any]:
        """POST /v1/webhooks (createWebhook): every flow's events to
        `callback_url`; the answer holds the webhook's id and signing key."""
        response = self._call(
            "createWebhook",
            "POST",
            self._flow("/v1/webhooks"),
            json={"callbackUrl": callback_url},
        )
        if response.status_code != 201:
            raise _error_of(response, "createWebhook")
        return self._json(response, "createWebhook")

    def directory_lines(self, siren: str) -> list[dict[str, Any]]:
        """POST /v1/directory-line/search (Directory Service): the lines of a
        SIREN, with their legal unit, facility and routing code."""
        url = self.credentials.directory_url.rstrip("/") + "/v1/directory-line/search"
        body = {
            "filters": {"siren": {"op": "strict", "value": siren}},
            "include": ["siren", "siret", "routingCode"],
            "limit": 100,
        }
        response = self._call("directory", "POST", url, json=body)
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise _error_of(response, "directory")
        results = self._json(response, "directory").get("results") or []
        return [line for line in results if isinstance(line, dict)]

    @staticmethod
    def _json(response: requests.Response, what: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as exc:
            raise PlatformError(f"{what}: not JSON", retryable=True) from exc
        if not isinstance(body, dict):
            raise PlatformError(f"{what}: not an object", retryable=True)
        return body
