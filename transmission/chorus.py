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

The history is paged: the request asks for a page in
`paramRechercheHistoStatuts` (`pageResultatDemandeeListeHistoStatut`,
`nbResultatsParPageListeHistoStatut`, `triColonneListeHistoStatut`,
`triSensListeHistoStatut`), and `historiquesDesStatuts` answers with
`pageCouranteHistoStatut`, `pagesHistoStatut`, `nbResultatsParPageHistoStatut`
and `totalHistoStatut` (the same names in the public Go, PHP, C# and
TypeScript clients' request and response types).

Failures leave as `PlatformError` like the AFNOR client's: retryable for a
timeout, 429 or 5xx; a 401 gets one new token and one more try.
"""

import base64
from dataclasses import dataclass
from typing import Any

from transmission.oauth import (
    OAuthClient,
    PlatformError,
    json_object,
    token_cache_key,
)

# The Factur-X deposit: a PDF/A-3 carrying its CII XML (Chorus Pro's E2
# "mixed" syntax).
SYNTAX_FACTURX = "IN_DP_E2_CII_FACTURX"

DEPOSIT = "/cpro/factures/v1/deposer/flux"
DEPOSIT_REPORT = "/cpro/transverses/v1/consulterCRDetaille"
SUPPLIER_SEARCH = "/cpro/factures/v1/rechercher/fournisseur"
HISTORY = "/cpro/factures/v1/consulter/historique"

HISTORY_PAGE_SIZE = 100
# An invoice goes through a dozen statuses or so: an answer claiming more
# pages than this is not followed further, so that it cannot hold the worker.
HISTORY_MAX_PAGES = 20


@dataclass(frozen=True)
class ChorusCredentials:
    api_url: str
    token_url: str
    client_id: str
    client_secret: str
    login: str
    password: str

    @property
    def account_header(self) -> str:
        return base64.b64encode(f"{self.login}:{self.password}".encode()).decode()


class ChorusClient(OAuthClient):
    label = "Chorus Pro "
    error_code = "codeRetour"
    error_message = "libelle"
    request_id_header = "X-Request-Id"

    def __init__(self, credentials: ChorusCredentials) -> None:
        super().__init__(
            cache_key=token_cache_key(
                "chorus-token",
                credentials.token_url,
                credentials.client_id,
                credentials.client_secret,
            ),
            token_url=credentials.token_url,
        )
        self.credentials = credentials

    def token_request(self) -> dict[str, Any]:
        # PISTE takes the client in the form, with the `openid` scope.
        return {
            "data": {
                "grant_type": "client_credentials",
                "client_id": self.credentials.client_id,
                "client_secret": self.credentials.client_secret,
                "scope": "openid",
            }
        }

    def _post(self, what: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a JSON body; the answer when its codeRetour is 0.

        :raises PlatformError: HTTP error, or a codeRetour refusing it (not
            retryable: the same request gets the same answer).
        """
        response = self.call(
            what,
            "POST",
            self.credentials.api_url.rstrip("/") + path,
            json=body,
            headers={
                "cpro-account": self.credentials.account_header,
                "Content-Type": "application/json;charset=utf-8",
                "Accept": "application/json",
            },
        )
        if response.status_code != 200:
            raise self.error(response, what)
        answer = json_object(response, f"{self.label}{what}")
        if str(answer.get("codeRetour", 0)) != "0":
            raise PlatformError(
                f"{self.label}{what}: {answer.get('codeRetour')} "
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

    def history(self, invoice_id: str) -> list[dict[str, Any]]:
        """consulterHistoriqueFacture: the invoice's statuses so far
        (`histoStatut` rows), every page of them, oldest first."""
        invoice: int | str = int(invoice_id) if invoice_id.isdigit() else invoice_id
        rows: list[dict[str, Any]] = []
        page = 1
        while page <= HISTORY_MAX_PAGES:
            answer = self._post(
                "consulterHistorique",
                HISTORY,
                {
                    "idFacture": invoice,
                    "paramRechercheHistoStatuts": {
                        "pageResultatDemandeeListeHistoStatut": page,
                        "nbResultatsParPageListeHistoStatut": HISTORY_PAGE_SIZE,
                        "triColonneListeHistoStatut": "HistoStatutDatePassage",
                        "triSensListeHistoStatut": "Ascendant",
                    },
                },
            )
            statuses = answer.get("historiquesDesStatuts") or {}
            if not isinstance(statuses, dict):
                break
            found = statuses.get("histoStatut") or []
            rows.extend(row for row in found if isinstance(row, dict))
            try:
                pages = int(statuses.get("pagesHistoStatut") or 1)
            except (TypeError, ValueError):
                pages = 1
            # An empty page ends it too: a total that grew between two pages
            # must not keep us asking.
            if page >= pages or not found:
                break
            page += 1
        return rows
