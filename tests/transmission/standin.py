"""A stand-in approved platform (AFNOR XP Z12-013 Flow Service 1.3.0 and
Directory Service 1.3.0) on loopback, that the project's real `requests`
client talks to over HTTP.

What makes it faithful:
- every request is checked against the vendored OpenAPI files
  (`transmission/standards/afnor/`): the operation must exist, its headers,
  query, JSON body or multipart parts must match their schemas; a request that
  does not is answered 400 and kept in `violations` (tests assert none);
  every answer it gives is checked against the response schema too;
- OAuth2 client credentials at the token URL; a missing, unknown or expired
  bearer token is 401;
- `createFlow` recomputes the file's SHA-256: the acknowledgement moves from
  Pending to Error (ChecksumMismatch, EmptyFlow, InvalidSchema) or Ok when the
  platform "processes" (`process()`, run before every search and get);
- an invoice accepted makes the buyer's side answer with CDAR lifecycle flows
  (direction In, flowType CustomerInvoiceLC), written here from the XP Z12-012
  message structure (not by the project's own writer): nominal 200, 202, 203,
  204, 205; `refused` adds 210 with its reason; `disputed` 207 with its
  reason; an invoice number delivered a second time gets 213 "DOUBLON";
- each new or changed flow is announced by webhook, signed as the spec says
  (Afnor-Signature = base64 HMAC-SHA-256 of body "@" timestamp), POSTed to
  `callback_url` when set and always kept in `deliveries`, and is found by
  `POST /v1/flows/search`;
- the Directory Service answers SIREN look-ups from `directory` fixtures.

The server, the recorded requests and the bearer tokens are `loopback`'s,
shared with the Chorus Pro stand-in.
"""

import base64
import datetime as dt
import email.parser
import email.policy
import hashlib
import hmac
import itertools
import json
import re
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from openapi_schema_validator import OAS30Validator

from tests.transmission.loopback import (
    Answer,
    HttpStandIn,
    LoopbackServer,
    json_answer,
    serve,
)

STANDARDS = Path(__file__).resolve().parents[2] / "transmission" / "standards" / "afnor"
FLOW_SPEC = json.loads((STANDARDS / "flow13.json").read_text())
DIRECTORY_SPEC = json.loads((STANDARDS / "dir13.json").read_text())

CLIENT_ID = "portal-test-client"
CLIENT_SECRET = "portal-test-secret"
# A 256-bit signing key, base64, as createWebhook returns it.
SIGNING_KEY = base64.b64encode(
    hashlib.sha256(b"stand-in signing key").digest()
).decode()

RSM = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = (
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
)
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
CII_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"

LABELS = {
    "200": "Déposée",
    "202": "Reçue",
    "203": "Mise à disposition",
    "204": "Prise en charge",
    "205": "Approuvée",
    "207": "En litige",
    "210": "Refusée",
    "212": "Encaissée",
    "213": "Rejetée",
}
SCENARIOS = {
    "nominal": [
        ("200", "", ""),
        ("202", "", ""),
        ("203", "", ""),
        ("204", "", ""),
        ("205", "", ""),
    ],
    "refused": [
        ("200", "", ""),
        ("202", "", ""),
        ("203", "", ""),
        ("210", "TX_TVA_ERR", "Taux de TVA erroné sur la ligne 2"),
    ],
    "disputed": [
        ("200", "", ""),
        ("202", "", ""),
        ("203", "", ""),
        ("207", "QTE_ERR", "Quantité livrée inférieure à la quantité facturée"),
    ],
}


class SpecViolation(Exception):
    pass


def _validator(spec: dict, schema: dict) -> OAS30Validator:
    return OAS30Validator({**schema, "components": spec["components"]})


def _check(spec: dict, schema: dict, value: Any, where: str) -> None:
    errors = [
        e.message
        for e in _validator(spec, schema).iter_errors(value)
        # The spec's ReasonCode is `oneOf: [ReasonCodeEnum, string]`, which
        # every enumerated code matches twice: read as the anyOf it means.
        if not (e.validator == "oneOf" and "ReasonCodeEnum" in str(e.validator_value))
        # directoryLineStatus says maxLength 7 and lists "Disabled" and
        # "Upcoming" (8): the enumerated values win.
        and not (e.validator == "maxLength" and e.instance in e.schema.get("enum", []))
    ]
    if errors:
        raise SpecViolation(f"{where}: {'; '.join(errors)}")


def _resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _operation(spec: dict, method: str, path: str) -> tuple[dict, dict[str, str]]:
    """The OpenAPI operation for a request, and its path parameters."""
    for template, item in spec["paths"].items():
        names = re.findall(r"{([^}]+)}", template)
        pattern = (
            "^"
            + re.sub(
                r"{[^}]+}",
                "([^/]+)",
                re.escape(template).replace(r"\{", "{").replace(r"\}", "}"),
            )
            + "$"
        )
        found = re.match(pattern, path)
        if found and method.lower() in item:
            return item[method.lower()], {
                name: unquote(value)
                for name, value in zip(names, found.groups(), strict=True)
            }
    raise SpecViolation(f"{method} {path}: no such operation in the spec")


def _check_parameters(
    spec: dict, operation: dict, headers: dict, query: dict, path_params: dict
) -> None:
    for raw in operation.get("parameters", []):
        parameter = _resolve(spec, raw)
        place, name = parameter["in"], parameter["name"]
        source = {"header": headers, "query": query, "path": path_params}[place]
        value = next((v for k, v in source.items() if k.lower() == name.lower()), None)
        if value is None:
            if parameter.get("required"):
                raise SpecViolation(f"{place} parameter {name} is required")
            continue
        schema = parameter.get("schema", {})
        if schema.get("format") == "uuid":
            try:
                uuid.UUID(value)
            except ValueError as exc:
                raise SpecViolation(f"{name} is not a uuid") from exc
        if schema.get("type") == "integer":
            if not value.isdigit():
                raise SpecViolation(f"{name} is not an integer")
            continue
        _check(spec, schema, value, f"{place} parameter {name}")


@dataclass
class StandIn(HttpStandIn):
    flows: dict[str, dict] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    deliveries: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    outbox: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    scenarios: dict[str, str] = field(default_factory=dict)  # by trackingId
    default_scenario: str = "nominal"
    accepted_numbers: set[tuple[str, str]] = field(default_factory=set)
    received_statuses: list[dict] = field(default_factory=list)  # our CDARs
    # Directory lines by SIREN; a SIREN not listed has one enabled line at
    # its SIREN (addressing identifier = the SIREN) unless this is off.
    directory: dict[str, list[dict]] = field(default_factory=dict)
    directory_default_enabled: bool = True
    callback_url: str = ""
    signing_key: str = SIGNING_KEY
    fail_next: list[int] = field(default_factory=list)  # statuses to answer
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _last: dt.datetime | None = None

    # ── what tests call ──
    def invoice_flows(self) -> list[dict]:
        return [f for f in self.flows.values() if f["flowType"] == "CustomerInvoice"]

    def lifecycle_flows(self) -> list[dict]:
        return [
            f
            for f in self.flows.values()
            if f["flowType"] == "CustomerInvoiceLC" and f["flowDirection"] == "In"
        ]

    def process(self) -> None:
        """The platform's work: acknowledge pending flows, answer with CDARs."""
        with self.lock:
            for flow in list(self.flows.values()):
                if flow["acknowledgement"]["status"] == "Pending":
                    self._acknowledge(flow)

    def emit(
        self,
        *,
        number: str,
        issue_date: str,
        seller_siren: str,
        code: str,
        reason_code: str = "",
        reason: str = "",
    ) -> dict:
        """A lifecycle CDAR from the buyer's side, as a new In flow."""
        with self.lock:
            data = cdar(
                number=number,
                issue_date=issue_date,
                seller_siren=seller_siren,
                code=code,
                reason_code=reason_code,
                reason=reason,
                message_id=f"CDV-{next(self._ids)}",
            )
            flow = self._new_flow(
                {
                    "trackingId": f"{number}-{code}",
                    "name": f"CDV_{number}_{code}.xml",
                    "flowSyntax": "CDAR",
                    "processingRule": "B2B",
                    "flowProfile": "Basic",
                },
                data,
                flow_type="CustomerInvoiceLC",
                direction="In",
            )
            flow["acknowledgement"] = {"status": "Ok"}
            self._announce(flow)
            return flow

    def signed(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        key = base64.b64decode(self.signing_key)
        signature = base64.b64encode(
            hmac.new(key, body + b"@" + stamp.encode(), hashlib.sha256).digest()
        ).decode()
        return {"Afnor-Signature": signature, "Afnor-Signature-Timestamp": stamp}

    # ── the platform's inside ──
    def _now(self) -> str:
        # The real time, strictly increasing, so updatedAfter is exact.
        now = dt.datetime.now(dt.UTC)
        if self._last is not None and now <= self._last:
            now = self._last + dt.timedelta(microseconds=1)
        self._last = now
        return now.isoformat().replace("+00:00", "Z")

    def _new_flow(
        self, info: dict, data: bytes, *, flow_type: str, direction: str
    ) -> dict:
        flow_id = f"FLOW-{next(self._ids):06d}"
        now = self._now()
        flow = {
            "flowId": flow_id,
            "submittedAt": now,
            "updatedAt": now,
            "trackingId": info.get("trackingId", ""),
            "name": info["name"],
            "processingRule": info.get("processingRule", "Undefined"),
            "processingRuleSource": "Input" if "processingRule" in info else "Computed",
            "flowSyntax": info["flowSyntax"],
            "flowProfile": info.get("flowProfile", "Undefined"),
            "flowType": flow_type,
            "flowDirection": direction,
            "acknowledgement": {"status": "Pending"},
        }
        if info.get("sha256"):
            flow["sha256"] = info["sha256"]
        if not flow["trackingId"]:
            del flow["trackingId"]
        self.flows[flow_id] = flow
        self.files[flow_id] = data
        return flow

    def _announce(self, flow: dict) -> None:
        body = json.dumps(flow).encode()
        headers = {"Content-Type": "application/json", **self.signed(body)}
        self.deliveries.append((body, headers))
        if self.callback_url:
            self.outbox.append((body, headers))

    def after_answer(self) -> None:
        self.flush()

    def flush(self) -> None:
        """POST the announcements to the callback, outside the lock (the
        receiver may call back at once)."""
        with self.lock:
            pending, self.outbox = self.outbox, []
        for body, headers in pending:
            request = urllib.request.Request(
                self.callback_url, body, headers, method="POST"
            )
            try:
                urllib.request.urlopen(request, timeout=5).close()
            except OSError:
                pass  # the client polls: a lost delivery is found by search

    def _error(self, flow: dict, code: str, message: str) -> None:
        flow["acknowledgement"] = {
            "status": "Error",
            "details": [
                {
                    "level": "Error",
                    "item": flow["name"],
                    "reasonCode": code,
                    "reasonMessage": message,
                }
            ],
        }

    def _acknowledge(self, flow: dict) -> None:
        data = self.files[flow["flowId"]]
        flow["updatedAt"] = self._now()
        if not data:
            self._error(flow, "EmptyFlow", "The binary flow is empty.")
        elif flow.get("sha256") and hashlib.sha256(data).hexdigest() != flow["sha256"]:
            self._error(
                flow,
                "ChecksumMismatch",
                "Checksum provided is different from computed one",
            )
        elif flow["flowSyntax"] == "Factur-X" and not data.startswith(b"%PDF"):
            self._error(flow, "InvalidSchema", "Not a Factur-X PDF.")
        elif flow["flowSyntax"] == "CDAR":
            try:
                self.received_statuses.append(read_cdar(data))
            except Exception as exc:
                self._error(flow, "InvalidSchema", f"Not a CDAR: {exc}")
            else:
                flow["acknowledgement"] = {"status": "Ok"}
                flow["flowType"] = "CustomerInvoiceLC"
        else:
            flow["acknowledgement"] = {"status": "Ok"}
            flow["flowType"] = "CustomerInvoice"
        self._announce(flow)
        if (
            flow["acknowledgement"]["status"] == "Ok"
            and flow["flowSyntax"] == "Factur-X"
        ):
            self._answer_invoice(flow, data)

    def _answer_invoice(self, flow: dict, pdf: bytes) -> None:
        from facturx import get_facturx_xml_from_pdf
        from lxml import etree

        _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
        root = etree.fromstring(xml)
        ns = {"rsm": CII_RSM, "ram": RAM, "udt": UDT}
        number = root.findtext("rsm:ExchangedDocument/ram:ID", namespaces=ns)
        issue = root.findtext(
            "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", namespaces=ns
        )
        siren = root.findtext(
            "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
            "ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID",
            namespaces=ns,
        )
        # A number is unique per seller: the same one again is a duplicate.
        if (siren, number) in self.accepted_numbers:
            steps = [("213", "DOUBLON", "Facture déjà reçue")]
        else:
            self.accepted_numbers.add((siren, number))
            steps = SCENARIOS[
                self.scenarios.get(flow.get("trackingId", ""), self.default_scenario)
            ]
        for code, reason_code, reason in steps:
            self.emit(
                number=number,
                issue_date=issue,
                seller_siren=siren or "",
                code=code,
                reason_code=reason_code,
                reason=reason,
            )

    # ── HTTP ──
    def handle(self, method: str, url: str, headers: dict, body: bytes) -> Answer:
        parts = urlsplit(url)
        path, query = parts.path, dict(parse_qsl(parts.query))
        with self.lock:
            self.record(method, path, headers, body)
            if self.fail_next and path != "/token":
                status = self.fail_next.pop(0)
                return json_answer(
                    status, {"errorCode": "UNAVAILABLE", "errorMessage": "try later"}
                )
            if path == "/token":
                return self._token(headers, body)
            spec = DIRECTORY_SPEC if path.startswith("/directory") else FLOW_SPEC
            api_path = path.removeprefix("/directory").removeprefix("/flow")
            try:
                operation, path_params = _operation(spec, method, api_path)
                _check_parameters(spec, operation, headers, query, path_params)
            except SpecViolation as exc:
                self.violations.append(str(exc))
                return json_answer(
                    400, {"errorCode": "INVALID_REQUEST", "errorMessage": str(exc)}
                )
            if not self.bearer_valid(headers):
                return json_answer(
                    401,
                    {
                        "errorCode": "UNAUTHORIZED",
                        "errorMessage": "Missing or expired token",
                    },
                )
            try:
                status, answer_headers, answer = self._route(
                    spec, operation, path_params, headers, query, body
                )
            except SpecViolation as exc:
                self.violations.append(str(exc))
                return json_answer(
                    400, {"errorCode": "INVALID_REQUEST", "errorMessage": str(exc)}
                )
            if answer_headers.get("Content-Type") == "application/json":
                schema = _resolve(spec, operation["responses"][str(status)])
                content = schema.get("content", {}).get("application/json", {})
                if "schema" in content:
                    try:
                        _check(spec, content["schema"], json.loads(answer), "response")
                    except SpecViolation as exc:  # the stand-in's own bug
                        self.violations.append(f"stand-in answer: {exc}")
            return status, answer_headers, answer

    def _token(self, headers: dict, body: bytes) -> Answer:
        form = dict(parse_qsl(body.decode()))
        auth = headers.get("Authorization", "")
        client = (form.get("client_id"), form.get("client_secret"))
        if auth.startswith("Basic "):
            user, _sep, password = base64.b64decode(auth[6:]).decode().partition(":")
            client = (user, password)
        if form.get("grant_type") != "client_credentials":
            return json_answer(400, {"error": "unsupported_grant_type"})
        if client != (CLIENT_ID, CLIENT_SECRET):
            return json_answer(401, {"error": "invalid_client"})
        return json_answer(200, self.token_issue())

    def _route(self, spec, operation, path_params, headers, query, body):
        name = operation["operationId"]
        if name == "createFlow":
            return self._create_flow(headers, body)
        if name == "searchFlows":
            return self._search(spec, body)
        if name == "getFlow":
            self.process()
            flow = self.flows.get(path_params["flowId"])
            if flow is None:
                return json_answer(404, {"errorCode": "NOT_FOUND"})
            if query.get("docType", "Metadata") == "Metadata":
                return json_answer(200, flow)
            data = self.files[flow["flowId"]]
            kind = "application/pdf" if data.startswith(b"%PDF") else "application/xml"
            return (
                200,
                {
                    "Content-Type": kind,
                    "Content-Disposition": f"attachment;filename={flow['name']}",
                },
                data,
            )
        if name == "createWebhook":
            params = json.loads(body)
            _check(
                spec,
                {"$ref": "#/components/schemas/WebhookParams"},
                params,
                "createWebhook",
            )
            self.callback_url = params["callbackUrl"]
            self.signing_key = base64.b64encode(uuid.uuid4().bytes * 2).decode()
            return json_answer(
                201,
                {
                    "webhookId": str(uuid.uuid4()),
                    "signingKey": self.signing_key,
                    "createdAt": self._now(),
                },
            )
        if name == "searchDirectoryLine":
            return self._directory_search(spec, body)
        raise SpecViolation(f"{name}: not served by the stand-in")

    def _create_flow(self, headers: dict, body: bytes):
        content_type = headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            raise SpecViolation("createFlow: the body must be multipart/form-data")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        parts = {
            part.get_param("name", header="content-disposition"): part
            for part in message.iter_parts()
        }
        if set(parts) != {"flowInfo", "file"}:
            raise SpecViolation(
                f"createFlow: parts {sorted(parts)} are not flowInfo, file"
            )
        names = list(parts)
        if names != ["flowInfo", "file"]:
            raise SpecViolation("createFlow: flowInfo must come before the file")
        if parts["flowInfo"].get_content_type() != "application/json":
            raise SpecViolation("createFlow: flowInfo is not application/json")
        if parts["file"].get_content_type() not in (
            "application/pdf",
            "application/xml",
        ):
            raise SpecViolation("createFlow: the file is not application/pdf or /xml")
        info = json.loads(parts["flowInfo"].get_payload(decode=True))
        _check(FLOW_SPEC, {"$ref": "#/components/schemas/FlowInfo"}, info, "flowInfo")
        data = parts["file"].get_payload(decode=True) or b""
        if len(data) > 100 * 1024 * 1024:
            return json_answer(413, {"errorCode": "TOO_LARGE"})
        flow = self._new_flow(info, data, flow_type="Undefined", direction="Out")
        answer = {
            k: flow[k]
            for k in (
                "flowId",
                "submittedAt",
                "trackingId",
                "name",
                "processingRule",
                "flowSyntax",
                "flowProfile",
                "sha256",
            )
            if k in flow
        }
        if "sha256" not in answer:
            answer["sha256"] = hashlib.sha256(data).hexdigest()
        return json_answer(202, answer)

    def directory_line(
        self, siren: str, status: str = "Enabled", *, public: bool = False, **b2g: bool
    ) -> dict:
        """A directory line as the Directory Service returns it."""
        line: dict[str, Any] = {
            "addressingIdentifier": siren,
            "platformType": "WK",
            "directoryLineStatus": status,
            "siren": siren,
            "legalUnit": {
                "siren": siren,
                "businessName": f"Company {siren}",
                "entityType": "Public" if public else "PrivateVatRegistered",
            },
        }
        if b2g:
            line["siret"] = siren + "00011"
            line["facility"] = {
                "siret": siren + "00011",
                "siren": siren,
                "b2gAdditionalData": b2g,
            }
        return line

    def _directory_search(self, spec: dict, body: bytes):
        params = json.loads(body)
        _check(
            spec,
            {"$ref": "#/components/schemas/searchDirectoryLine"},
            params,
            "searchDirectoryLine",
        )
        siren = ((params.get("filters") or {}).get("siren") or {}).get("value", "")
        if siren in self.directory:
            lines = self.directory[siren]
        elif self.directory_default_enabled:
            lines = [self.directory_line(siren)]
        else:
            lines = []
        if not lines:
            return json_answer(
                404, {"errorCode": "NOT_FOUND", "errorMessage": "No line"}
            )
        return json_answer(
            200,
            {"search": params, "totalNumberOfResults": len(lines), "results": lines},
        )

    def _search(self, spec: dict, body: bytes):
        try:
            params = json.loads(body)
        except ValueError as exc:
            raise SpecViolation("searchFlows: not JSON") from exc
        _check(
            spec,
            {"$ref": "#/components/schemas/SearchFlowParams"},
            params,
            "searchFlows",
        )
        where = params["where"]
        if not where:
            raise SpecViolation("searchFlows: at least one criterion is required")
        self.process()
        found = sorted(self.flows.values(), key=lambda f: (f["updatedAt"], f["flowId"]))
        if "updatedAfter" in where:
            after = _instant(where["updatedAfter"])
            found = [f for f in found if _instant(f["updatedAt"]) > after]
        for key in ("flowType", "flowDirection", "processingRule"):
            if key in where:
                found = [f for f in found if f[key] in where[key]]
        if "trackingId" in where:
            found = [f for f in found if f.get("trackingId") == where["trackingId"]]
        if "ackStatus" in where:
            found = [
                f for f in found if f["acknowledgement"]["status"] == where["ackStatus"]
            ]
        start = (
            int(base64.b64decode(params["cursor"]).decode())
            if params.get("cursor")
            else 0
        )
        limit = params.get("limit", 25)
        page = found[start : start + limit]
        answer: dict[str, Any] = {"limit": limit, "filters": where, "results": page}
        if start + limit < len(found):
            answer["nextCursor"] = base64.b64encode(
                str(start + limit).encode()
            ).decode()
        return json_answer(200, answer)


def _instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def cdar(
    *,
    number: str,
    issue_date: str,
    seller_siren: str,
    code: str,
    reason_code: str,
    reason: str,
    message_id: str,
) -> bytes:
    """A lifecycle message as the buyer's platform writes it (CDAR D22B)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    status = ""
    if reason_code or reason:
        status = (
            f"<ram:SpecifiedDocumentStatus><ram:ReasonCode>{reason_code}"
            f"</ram:ReasonCode><ram:Reason>{reason}</ram:Reason>"
            "<ram:SequenceNumeric>1</ram:SequenceNumeric>"
            "</ram:SpecifiedDocumentStatus>"
        )
    template = (Path(__file__).parent / "cdar_buyer.xml").read_text()
    return template.format(
        RSM=RSM,
        RAM=RAM,
        UDT=UDT,
        QDT=QDT,
        message_id=message_id,
        stamp=stamp,
        label=LABELS.get(code, code),
        number=number,
        issue_date=issue_date,
        seller_siren=seller_siren,
        code=code,
        status=status,
    ).encode()


def read_cdar(data: bytes) -> dict:
    """What a CDAR we received says (the project's 212), read independently."""
    from lxml import etree

    root = etree.fromstring(data)
    ns = {"rsm": RSM, "ram": RAM}
    reference = root.find(
        "rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument", ns
    )
    if reference is None:
        raise ValueError("no ReferenceReferencedDocument")
    amounts = [
        (
            c.findtext("ram:TypeCode", namespaces=ns),
            c.findtext("ram:ValueAmount", namespaces=ns),
            c.findtext("ram:ValuePercent", namespaces=ns),
        )
        for c in reference.findall(
            "ram:SpecifiedDocumentStatus/ram:SpecifiedDocumentCharacteristic", ns
        )
    ]
    return {
        "number": reference.findtext("ram:IssuerAssignedID", namespaces=ns),
        "code": reference.findtext("ram:ProcessConditionCode", namespaces=ns),
        "seller": reference.findtext(
            "ram:IssuerTradeParty/ram:GlobalID", namespaces=ns
        ),
        "amounts": amounts,
    }


class StandInServer(LoopbackServer[StandIn]):
    def __init__(self) -> None:
        super().__init__(StandIn())


def configure(settings: Any, base_url: str) -> None:
    settings.EINVOICING_FLOW_URL = f"{base_url}/flow"
    settings.EINVOICING_DIRECTORY_URL = f"{base_url}/directory"
    settings.EINVOICING_TOKEN_URL = f"{base_url}/token"
    settings.EINVOICING_CLIENT_ID = CLIENT_ID
    settings.EINVOICING_CLIENT_SECRET = CLIENT_SECRET
    settings.EINVOICING_WEBHOOK_SECRET = SIGNING_KEY


def main() -> None:
    """Run it alone (for the demo): python -m tests.transmission.standin PORT."""
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    state = StandIn(base_url=f"http://127.0.0.1:{port}")
    if len(sys.argv) > 2:
        state.callback_url = sys.argv[2]
    print(
        f"stand-in platform on {state.base_url} (flow: /flow, directory: /directory, "
        f"token: /token, client {CLIENT_ID}/{CLIENT_SECRET}, signing key {SIGNING_KEY})"
    )
    serve(state, port)


if __name__ == "__main__":
    main()
