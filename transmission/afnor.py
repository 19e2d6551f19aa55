"""The one module that talks to an approved platform over HTTP (`requests`):
the AFNOR XP Z12-013 Flow Service 1.3.0 (`createFlow`, `searchFlows`,
`getFlow`), with OAuth2 client credentials, and the Directory Service.

Every failure leaves as one `PlatformError`, which says whether trying again
later may help (a timeout, 429, 5xx) or not (400, 403, 413, 422). A 401 gets
one new token and one more try; a second 401 is an error like the others.
"""

import json
from dataclasses import dataclass
from typing import Any

import requests

from transmission.oauth import (
    OAuthClient,
    PlatformError,
    json_object,
    token_cache_key,
)

__all__ = ["Credentials", "PlatformClient", "PlatformError"]


@dataclass(frozen=True)
class Credentials:
    flow_url: str
    directory_url: str
    token_url: str
    client_id: str
    client_secret: str


class PlatformClient(OAuthClient):
    def __init__(self, credentials: Credentials) -> None:
        super().__init__(
            cache_key=token_cache_key(
                "einvoicing-token",
                credentials.token_url,
                credentials.client_id,
                credentials.client_secret,
            ),
            token_url=credentials.token_url,
        )
        self.credentials = credentials

    def token_request(self) -> dict[str, Any]:
        return {
            "data": {"grant_type": "client_credentials"},
            "auth": (self.credentials.client_id, self.credentials.client_secret),
        }

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
        response = self.call("createFlow", "POST", self._flow("/v1/flows"), files=files)
        if response.status_code != 202:
            raise self.error(response, "createFlow")
        return json_object(response, "createFlow")

    def flows_search(
        self, *, where: dict[str, Any], cursor: str = ""
    ) -> dict[str, Any]:
        """POST /v1/flows/search (searchFlows): one page of flows."""
        body: dict[str, Any] = {"where": where, "limit": 100}
        if cursor:
            body["cursor"] = cursor
        response = self.call(
            "searchFlows", "POST", self._flow("/v1/flows/search"), json=body
        )
        if response.status_code != 200:
            raise self.error(response, "searchFlows")
        return json_object(response, "searchFlows")

    def flow_get(self, flow_id: str) -> dict[str, Any]:
        """GET /v1/flows/{flowId}: the flow's metadata (its acknowledgement)."""
        response = self.call(
            "getFlow", "GET", self._flow(f"/v1/flows/{requests.utils.quote(flow_id)}")
        )
        if response.status_code != 200:
            raise self.error(response, "getFlow")
        return json_object(response, "getFlow")

    def flow_download(self, flow_id: str) -> bytes:
        """GET /v1/flows/{flowId}?docType=Original: the file itself (a CDAR)."""
        response = self.call(
            "getFlow",
            "GET",
            self._flow(f"/v1/flows/{requests.utils.quote(flow_id)}"),
            params={"docType": "Original"},
        )
        if response.status_code != 200:
            raise self.error(response, "getFlow")
        return response.content

    def webhook_create(self, *, callback_url: str) -> dict[str, Any]:
        """POST /v1/webhooks (createWebhook): every flow's events to
        `callback_url`; the answer holds the webhook's id and signing key."""
        response = self.call(
            "createWebhook",
            "POST",
            self._flow("/v1/webhooks"),
            json={"callbackUrl": callback_url},
        )
        if response.status_code != 201:
            raise self.error(response, "createWebhook")
        return json_object(response, "createWebhook")

    def directory_lines(self, siren: str) -> list[dict[str, Any]]:
        """POST /v1/directory-line/search (Directory Service): the lines of a
        SIREN, with their legal unit, facility and routing code."""
        url = self.credentials.directory_url.rstrip("/") + "/v1/directory-line/search"
        body = {
            "filters": {"siren": {"op": "strict", "value": siren}},
            "include": ["siren", "siret", "routingCode"],
            "limit": 100,
        }
        response = self.call("directory", "POST", url, json=body)
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise self.error(response, "directory")
        results = json_object(response, "directory").get("results") or []
        return [line for line in results if isinstance(line, dict)]
