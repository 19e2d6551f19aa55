"""A stand-in for Chorus Pro behind PISTE, on loopback, for the real
`requests` client (`transmission.chorus`) to talk to over HTTP.

It checks what the real one checks: the OAuth2 client credentials at the
token URL (form, scope openid), a live bearer token (401 otherwise), the
technical account in `cpro-account` (base64 of "login:password"; 403
otherwise), the deposit's exact fields, and that `fichierFlux` is the base64
of a PDF carrying a Factur-X XML. Its answers have the shape the public
clients read (see `transmission/chorus.py`), and they move over polls: the
deposit report goes from IN_RECU to IN_INTEGRE (or IN_REJETE), the
invoice's history gains one status per `consulter/historique`, paged as
the request asks in `paramRechercheHistoStatuts` (at most
`history_page_size` rows a page, as a server caps it). The server, the
recorded requests and the bearer tokens are `loopback`'s.
"""

import base64
import binascii
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.transmission.loopback import (
    Answer,
    HttpStandIn,
    LoopbackServer,
    json_answer,
    serve,
)

CLIENT_ID = "piste-app"
CLIENT_SECRET = "piste-secret"
LOGIN = "TECH_1_atelier@cpro.fr"
PASSWORD = "p4ss-w0rd"

# The statuses each scenario goes through, one more per history read.
SCENARIOS: dict[str, list[tuple[str, str]]] = {
    "nominal": [
        ("DEPOSEE", ""),
        ("MISE_A_DISPOSITION", ""),
        ("SERVICE_FAIT", ""),
        ("MANDATEE", ""),
        ("MISE_EN_PAIEMENT", ""),
    ],
    "rejected": [("DEPOSEE", ""), ("REJETEE", "Code service inconnu")],
    "suspended": [
        ("DEPOSEE", ""),
        ("MISE_A_DISPOSITION", ""),
        ("SUSPENDUE", "Bon de commande manquant"),
    ],
}


@dataclass
class ChorusStandIn(HttpStandIn):
    # By numeroFluxDepot: the deposit, its report reads, its invoice.
    deposits: dict[str, dict] = field(default_factory=dict)
    scenarios: dict[str, str] = field(default_factory=dict)  # by invoice number
    default_scenario: str = "nominal"
    history_page_size: int = 100
    # False: the deposit is answered with codeRetour 0 but no numeroFluxDepot.
    deposit_numbered: bool = True
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # ── HTTP ──
    def handle(self, method: str, url: str, headers: dict, body: bytes) -> Answer:
        path = urlsplit(url).path
        with self.lock:
            self.record(method, path, headers, body)
            status, answer = self._answer(method, path, headers, body)
        return json_answer(status, answer)

    def _answer(
        self, method: str, path: str, headers: dict, body: bytes
    ) -> tuple[int, dict]:
        if method != "POST":
            return 405, {"codeRetour": 405, "libelle": "POST attendu"}
        if path == "/api/oauth/token":
            return self._token(body)
        if not path.startswith("/cpro/"):
            return 404, {"codeRetour": 404, "libelle": "Not found"}
        if not self.bearer_valid(headers):
            return 401, {"codeRetour": 401, "libelle": "Invalid token"}
        account = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
        if headers.get("cpro-account") != account:
            return 403, {"codeRetour": 403, "libelle": "Compte technique invalide"}
        try:
            request = json.loads(body)
        except ValueError:
            return 400, {"codeRetour": 400, "libelle": "JSON attendu"}
        route = {
            "/cpro/factures/v1/deposer/flux": self._deposit,
            "/cpro/transverses/v1/consulterCRDetaille": self._report,
            "/cpro/factures/v1/rechercher/fournisseur": self._search,
            "/cpro/factures/v1/consulter/historique": self._history,
        }.get(path)
        if route is None:
            return 404, {"codeRetour": 404, "libelle": "Not found"}
        return route(request)

    def _token(self, body: bytes) -> tuple[int, dict]:
        form = dict(parse_qsl(body.decode()))
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if (form.get("client_id"), form.get("client_secret")) != (
            CLIENT_ID,
            CLIENT_SECRET,
        ):
            return 400, {"error": "invalid_client"}
        if form.get("scope") != "openid":
            return 400, {"error": "invalid_scope"}
        return 200, self.token_issue(scope="openid")

    def _deposit(self, request: dict) -> tuple[int, dict]:
        from facturx import get_facturx_xml_from_pdf
        from lxml import etree

        expected = {"fichierFlux", "nomFichier", "syntaxeFlux", "avecSignature"}
        if set(request) - {"idUtilisateurCourant"} != expected:
            return 400, {"codeRetour": 20001, "libelle": f"Champs: {sorted(request)}"}
        if request["syntaxeFlux"] != "IN_DP_E2_CII_FACTURX":
            return 400, {"codeRetour": 20002, "libelle": "syntaxeFlux inconnue"}
        if request["avecSignature"] is not False:
            return 400, {"codeRetour": 20003, "libelle": "avecSignature: booléen"}
        try:
            pdf = base64.b64decode(request["fichierFlux"], validate=True)
        except (binascii.Error, ValueError, TypeError):
            return 400, {"codeRetour": 20004, "libelle": "fichierFlux: base64"}
        number, errors = "", []
        try:
            _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
            root = etree.fromstring(xml)
            number = root.findtext("{*}ExchangedDocument/{*}ID") or ""
        except Exception:  # not a Factur-X PDF: refused in the report
            errors.append("Le fichier n'est pas une facture Factur-X")
        deposit_number = f"CPP00111170000000{next(self._ids):07d}"
        self.deposits[deposit_number] = {
            "name": request["nomFichier"],
            "pdf": pdf,
            "number": number,
            "errors": errors,
            "report_reads": 0,
            "invoice_id": 0,
            "history_reads": 0,
            "scenario": self.scenarios.get(number, self.default_scenario),
        }
        return 200, {
            "codeRetour": 0,
            "libelle": "GCU_MSG_01_000",
            "numeroFluxDepot": deposit_number if self.deposit_numbered else "",
            "dateDepot": time.strftime("%Y-%m-%d"),
            "syntaxeFlux": "IN_DP_E2_CII_FACTURX",
        }

    def _report(self, request: dict) -> tuple[int, dict]:
        deposit = self.deposits.get(str(request.get("numeroFluxDepot")))
        if deposit is None:
            return 200, {"codeRetour": 20001, "libelle": "Flux introuvable."}
        deposit["report_reads"] += 1
        state = "IN_RECU"
        if deposit["report_reads"] > 1:
            state = "IN_REJETE" if deposit["errors"] else "IN_INTEGRE"
            if not deposit["errors"] and not deposit["invoice_id"]:
                deposit["invoice_id"] = 8316000 + next(self._ids)
        return 200, {
            "codeRetour": 0,
            "libelle": "GCU_MSG_01_000",
            "nomFichier": deposit["name"],
            "etatCourantDepotFlux": state,
            "dateHeureEtatCourantFlux": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "listeErreurDP": [
                {
                    "identifiantFournisseur": "",
                    "identifiantDestinataire": "",
                    "numeroDP": deposit["number"],
                    "libelleErreurDP": error,
                }
                for error in deposit["errors"]
            ]
            if state == "IN_REJETE"
            else [],
        }

    def _search(self, request: dict) -> tuple[int, dict]:
        deposit = self.deposits.get(str(request.get("numeroFluxDepot")))
        found = []
        if deposit is not None and deposit["invoice_id"]:
            found.append(
                {
                    "identifiantFactureCPP": deposit["invoice_id"],
                    "numeroFacture": deposit["number"],
                    "statut": "DEPOSEE",
                }
            )
        return 200, {"codeRetour": 0, "libelle": "", "listeFactures": found}

    def _history(self, request: dict) -> tuple[int, dict]:
        known = {
            "idFacture",
            "idUtilisateurCourant",
            "idEspace",
            "paramRechercheHistoStatuts",
            "paramRechercheHistoActionsUtilisateurs",
            "paramRechercheHistoEvenementsComplementaires",
        }
        paging = request.get("paramRechercheHistoStatuts") or {}
        paging_fields = {
            "pageResultatDemandeeListeHistoStatut",
            "nbResultatsParPageListeHistoStatut",
            "triColonneListeHistoStatut",
            "triSensListeHistoStatut",
        }
        if set(request) - known or set(paging) - paging_fields:
            return 400, {"codeRetour": 20001, "libelle": f"Champs: {sorted(request)}"}
        for deposit in self.deposits.values():
            if deposit["invoice_id"] and deposit["invoice_id"] == request.get(
                "idFacture"
            ):
                break
        else:
            return 200, {"codeRetour": 20001, "libelle": "Facture introuvable."}
        steps = SCENARIOS[deposit["scenario"]]
        if paging.get("pageResultatDemandeeListeHistoStatut", 1) == 1:
            # A new read of the history (not its next page): one more status.
            deposit["history_reads"] = min(deposit["history_reads"] + 1, len(steps))
        shown = steps[: deposit["history_reads"]]
        rows = [
            {
                "histoStatutId": deposit["invoice_id"] * 100 + index,
                "histoStatutCode": code,
                "histoStatutDatePassage": f"2026-10-0{index + 1} 10:0{index}",
                "histoStatutCommentaire": comment,
            }
            for index, (code, comment) in enumerate(shown)
        ]
        # Newest first unless asked otherwise, as Chorus Pro lists them.
        if paging.get("triSensListeHistoStatut") != "Ascendant":
            rows.reverse()
        size = min(
            int(paging.get("nbResultatsParPageListeHistoStatut") or 100),
            self.history_page_size,
        )
        page = int(paging.get("pageResultatDemandeeListeHistoStatut") or 1)
        pages = max(1, -(-len(rows) // size))
        return 200, {
            "codeRetour": 0,
            "libelle": "GCU_MSG_01_000",
            "idFacture": deposit["invoice_id"],
            "numeroFacture": deposit["number"],
            "modeDepot": "DEPOT_PDF_API",
            "statutCourantCode": shown[-1][0],
            "historiquesDesStatuts": {
                "histoStatut": rows[(page - 1) * size : page * size],
                "nbResultatsParPageHistoStatut": size,
                "pageCouranteHistoStatut": page,
                "pagesHistoStatut": pages,
                "totalHistoStatut": len(rows),
            },
        }


class ChorusStandInServer(LoopbackServer[ChorusStandIn]):
    def __init__(self) -> None:
        super().__init__(ChorusStandIn())


def configure(settings: Any, base_url: str) -> None:
    settings.CHORUS_API_URL = base_url
    settings.CHORUS_TOKEN_URL = f"{base_url}/api/oauth/token"
    settings.CHORUS_CLIENT_ID = CLIENT_ID
    settings.CHORUS_CLIENT_SECRET = CLIENT_SECRET
    settings.CHORUS_LOGIN = LOGIN
    settings.CHORUS_PASSWORD = PASSWORD


def main() -> None:
    """Run it alone (for the demo): python -m tests.transmission.chorus_standin PORT."""
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8766
    state = ChorusStandIn(base_url=f"http://127.0.0.1:{port}")
    print(
        f"stand-in Chorus Pro on {state.base_url} (token: /api/oauth/token, "
        f"client {CLIENT_ID}/{CLIENT_SECRET}, technical account {LOGIN}/{PASSWORD})"
    )
    serve(state, port)


if __name__ == "__main__":
    main()
