"""The one module that talks to Chorus Pro over HTTP (`requests`), through
PISTE: an OAuth2 client-credentials token from the PISTE token URL, and the
Chorus Pro technical account in the `cpro-account` header (base64 of
"login:password") on every call.

The routes and fields are Chorus Pro's "Factures" and "Transverses" APIs as
public clients use them (read, not copied): Akretion's Odoo modules
(OCA/l10n-france `l10n_fr_chorus_account`, `chorus.flow`:
`factures/v1/deposer/flux` with `fichierFlux`/`nomFichier`/`syntaxeFlux`/
`avecSignature`, `transverses/v1/consulterCRDetaille` on `numeroFluxDepot`,
`factures/v1/rechercher/fournisseur` answering `listeFactures` with
`identifiantFactureCPP`, `factures/v1/consulter/historique` on `idFacture`),
and the Go and PHP clients' response types (`statutCourantCode`,
`historiquesDesStatuts.histoStatut[]` with `histoStatutId`,
`histoStatutCode`, `histoStatutDatePassage`, `histoStatutCommentaire`;
`etatCourantDepotFlux`, `listeErreurDP[].libelleErreurDP`). Every answer
carries `codeRetour` (0: done) and `libelle`, whatever the HTTP status.

Failures leave as `PlatformError` like the AFNOR client's: retryable for a
timeout, 429 or 5xx; a 401 gets one new token and one more try.
"""

import base64
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from django.core.cache import cache

from transmission.afnor import TOKEN_MARGIN_SECONDS, PlatformError, _timeout

# The Factur-X deposit: a PDF/A-3 carrying its CII XML (Chorus Pro's E2
# "mixed" syntax).
SYNTAX_FACTURX = "IN_DP_E2_CII_FACTURX"

DEPOSIT = "/cpro/factures/v1/deposer/flux"
DEPOSIT_REPORT = "/cpro/transverses/v1/consulterCRDetaille"
SUPPLIER_SEARCH = "/cpro/factures/v1/rechercher/fournisseur"
HISTORY = "/cpro/factures/v1/consulter/historique"


@dataclass(frozen=True)
class ChorusCredentials:
    api_url: str
    token_url: str
    client_id: str
    client_secret: str
    login: str
    password: str

    @property
    def cache_key(self) -> str:
        digest = hashlib.sha256(
            f"{self.token_url}\n{self.client_id}\n{self.client_secret}".encode()
        ).hexdigest()
        return f"chorus-token:{digest}"

    @property
    def account_header(self) -> str:
        return base64.b64encode(f"{self.login}:{self.password}".encode()).decode()


def _answer_error(response: requests.Response, what: str) -> PlatformError:
    try:
        body = response.json()
        detail = f"{body.get('codeRetour', '')} {body.get('libelle', '')}".strip()
    except (ValueError, AttributeError):
        detail = ""
    retryable = response.status_code == 429 or response.status_code >= 500
    return PlatformError(
        f"Chorus Pro {what}: HTTP {response.status_code} {detail}".strip(),
        retryable=retryable,
        status=response.status_code,
    )


class ChorusClient:
    def __init__(self, credentials: ChorusCredentials) -> None:
        self.credentials = credentials
        self.session = requests.Session()

    def _token_fetch(self) -> str:
        try:
            # PISTE takes the client in the form, with the `openid` scope.
            response = self.session.post(
                self.credentials.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.credentials.client_id,
                    "client_secret": self.credentials.client_secret,
                    "scope": "openid",
                },
                timeout=_timeout(),
            )
        except requests.RequestException as exc:
            raise PlatformError(
                f"Chorus Pro token: {exc.__class__.__name__}", retryable=True
            ) from exc
        if response.status_code != 200:
            raise _answer_error(response, "token")
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = int(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as exc:
            raise PlatformError(
                "Chorus Pro token: unreadable answer", retryable=True
            ) from exc
        cache.set(
            self.credentials.cache_key, token, max(lifetime - TOKEN_MARGIN_SECONDS, 1)
        )
        return token

    def _token(self) -> str:
        cached = cache.get(self.credentials.cache_key)
        return str(cached) if cached else self._token_fetch()

    def _post(self, what: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a JSON body; the answer when its codeRetour is 0.

        :raises PlatformError: HTTP error, or a codeRetour refusing it (not
            retryable: the same request gets the same answer).
        """
        url = self.credentials.api_url.rstrip("/") + path
        token = self._token()
        for attempt in (1, 2):
            headers = {
                "Authorization": f"Bearer {token}",
                "cpro-account": self.credentials.account_header,
                "Content-Type": "application/json;charset=utf-8",
                "Accept": "application/json",
                "X-Request-Id": str(uuid.uuid4()),
            }
            try:
                response = self.session.post(
                    url, json=body, headers=headers, timeout=_timeout()
                )
            except requests.RequestException as exc:
                raise PlatformError(
                    f"Chorus Pro {what}: {exc.__class__.__name__}", retryable=True
                ) from exc
            if response.status_code == 401 and attempt == 1:
                cache.delete(self.credentials.cache_key)
                token = self._token_fetch()
                continue
            break
        if response.status_code != 200:
            raise _answer_error(response, what)
        try:
            answer = response.json()
        except ValueError as exc:
            raise PlatformError(f"Chorus Pro {what}: not JSON", retryable=True) from exc
        if not isinstance(answer, dict):
            raise PlatformError(f"Chorus Pro {what}: not an object", retryable=True)
        if str(answer.get("codeRetour", 0)) != "0":
            raise PlatformError(
                f"Chorus Pro {what}: {answer.get('codeRetour')} "
                f"{answer.get('libelle', '')}".strip(),
                retryable=False,
            )
        return answer

    def deposit(self, *, file_name: str, pdf: bytes) -> dict[str, Any]:
        """deposerFluxFacture: the Factur-X PDF, base64; the answer holds
        `numeroFluxDepot` (the deposit's number) and `dateDepot`."""
        return self._post(
            "deposerFlux",
            DEPOSIT,
            {
                "fichierFlux": base64.b64encode(pdf).decode(),
                "nomFichier": file_name,
                "syntaxeFlux": SYNTAX_FACTURX,
                "avecSignature": False,
            },
        )

    def deposit_report(self, deposit_number: str) -> dict[str, Any]:
        """consulterCRDetaille: how the deposit was integrated
        (`etatCourantDepotFlux`, `listeErreurDP`)."""
        return self._post(
            "consulterCRDetaille",
            DEPOSIT_REPORT,
            {"numeroFluxDepot": deposit_number, "syntaxeFlux": SYNTAX_FACTURX},
        )

    def invoices_of_deposit(self, deposit_number: str) -> list[dict[str, Any]]:
        """rechercherFactureParFournisseur on the deposit: its invoices with
        their `identifiantFactureCPP` and `numeroFacture`."""
        answer = self._post(
            "rechercherFactureParFournisseur",
            SUPPLIER_SEARCH,
            {"numeroFluxDepot": deposit_number},
        )
        found = answer.get("listeFactures") or []
        return [row for row in found if isinstance(row, dict)]

    def history(self, invoice_id: str) -> dict[str, Any]:
        """consulterHistoriqueFacture: the invoice's statuses so far."""
        return self._post(
            "consulterHistorique",
            HISTORY,
            {"idFacture": int(invoice_id) if invoice_id.isdigit() else invoice_id},
        )
