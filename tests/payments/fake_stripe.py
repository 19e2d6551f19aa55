"""A small stand-in for Stripe's API, on loopback, that the real stripe library
talks to through STRIPE_API_BASE.

It implements only what the project uses (accounts, account links, Checkout
Sessions, refunds, and a page standing in for Checkout itself), the way Stripe
does: form-encoded bodies with nested keys (`line_items[0][price_data][currency]`),
the `Stripe-Account` header choosing the connected account, idempotency keys
replaying the first answer (and refusing the same key with other parameters).
It records every request so tests can assert what the library really sent,
and can fail on purpose (an error answer, or an outage).
"""

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY = "sk_test_platform_fake"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    query: dict[str, str]


@dataclass
class Failure:
    status: int
    body: dict
    times: int = 1


@dataclass
class FakeStripe:
    """The state behind the server: accounts, sessions, charges, requests."""

    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    accounts: dict[str, dict] = field(default_factory=dict)
    sessions: dict[str, dict] = field(default_factory=dict)
    charges: dict[str, dict] = field(default_factory=dict)  # by payment intent
    idempotent: dict[tuple[str, str], tuple[dict, int, dict]] = field(
        default_factory=dict
    )
    failures: list[Failure] = field(default_factory=list)
    new_accounts_can_charge: bool = True
    outage: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # What tests call.
    def fail_next(self, status: int = 500, times: int = 1, **error: str) -> None:
        """The next `times` API requests answer `status` with a Stripe error."""
        body = {
            "error": {
                "type": error.get("type", "api_error"),
                "message": error.get("message", "Something went wrong."),
                **({"code": error["code"]} if "code" in error else {}),
            }
        }
        self.failures.append(Failure(status, body, times))

    def posts(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    def session_pay(self, session_id: str, *, status: str = "paid") -> dict:
        """The client went through Checkout: paid, or "unpaid" for a bank debit
        still processing."""
        with self.lock:
            session = self.sessions[session_id]
            intent = session["payment_intent"] or f"pi_{self._next()}"
            session.update(
                status="complete", payment_status=status, payment_intent=intent
            )
            self.charges.setdefault(
                intent,
                {
                    "id": f"ch_{self._next()}",
                    "object": "charge",
                    "payment_intent": intent,
                    "amount": session["amount_total"],
                    "amount_refunded": 0,
                    "currency": session["currency"],
                    "refunded": False,
                },
            )
            return dict(session)

    def return_url(self, session_id: str, *, canceled: bool = False) -> str:
        """Where Checkout sends the client back (paid, or canceled), with the
        session's id filled in for `{CHECKOUT_SESSION_ID}` as Stripe does."""
        session = self.sessions[session_id]
        address = session["cancel_url" if canceled else "success_url"]
        return address.replace("{CHECKOUT_SESSION_ID}", session_id)

    def charge_for(self, payment_intent: str) -> dict:
        return dict(self.charges[payment_intent])

    # The server side.
    def _next(self) -> str:
        return f"{next(self._ids):014d}"

    def handle(
        self, method: str, path: str, headers: dict, form: dict, query: dict
    ) -> tuple[int, dict]:
        with self.lock:
            self.requests.append(Recorded(method, path, headers, form, query))
            if headers.get("authorization") != f"Bearer {SECRET_KEY}":
                return 401, _error("invalid_request_error", "Invalid API Key.")
            if self.failures:
                failure = self.failures[0]
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.pop(0)
                return failure.status, failure.body
            key = headers.get("idempotency-key")
            account = headers.get("stripe-account", "")
            if method == "POST" and key:
                replay = self.idempotent.get((account, key))
                if replay is not None:
                    stored_form, status, body = replay
                    if stored_form != form:
                        return 400, _error(
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with "
                            "the same parameters they were first used with.",
                        )
                    return status, body
            status, body = self._route(method, path, account, form, query)
            if method == "POST" and key and status < 500:
                self.idempotent[(account, key)] = (form, status, body)
            return status, body

    def _route(
        self, method: str, path: str, account: str, form: dict, query: dict
    ) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v1/accounts":
            account_id = f"acct_{self._next()}"
            self.accounts[account_id] = {
                "id": account_id,
                "object": "account",
                "type": form.get("type"),
                "email": form.get("email"),
                "country": form.get("country"),
                "metadata": _nested(form, "metadata"),
                "charges_enabled": self.new_accounts_can_charge,
                "details_submitted": self.new_accounts_can_charge,
            }
            return 200, self.accounts[account_id]
        if method == "GET" and parts[:2] == ["v1", "accounts"] and len(parts) == 3:
            found = self.accounts.get(parts[2])
            return (200, found) if found else _missing("account", parts[2])
        if method == "POST" and path == "/v1/account_links":
            if form.get("account") not in self.accounts:
                return _missing("account", form.get("account", ""))
            return 200, {
                "object": "account_link",
                "url": f"{self.base_url}/connect/onboarding/{form['account']}",
                "expires_at": 2_000_000_000,
            }
        if method == "POST" and path == "/v1/checkout/sessions":
            if account not in self.accounts:
                return 400, _error(
                    "invalid_request_error", "No such account (Stripe-Account)."
                )
            session_id = f"cs_test_{self._next()}"
            session = {
                "id": session_id,
                "object": "checkout.session",
                "mode": form.get("mode"),
                "status": "open",
                "payment_status": "unpaid",
                "payment_intent": None,
                # Every line, as Stripe adds them up (one per invoice when
                # several are paid at once).
                "amount_total": sum(
                    int(form[f"line_items[{n}][price_data][unit_amount]"])
                    * int(form.get(f"line_items[{n}][quantity]", "1"))
                    for n in _line_numbers(form)
                ),
                "currency": form["line_items[0][price_data][currency]"],
                "_lines": [
                    (
                        form[f"line_items[{n}][price_data][product_data][name]"],
                        int(form[f"line_items[{n}][price_data][unit_amount]"]),
                    )
                    for n in _line_numbers(form)
                ],
                "customer_email": form.get("customer_email"),
                "client_reference_id": form.get("client_reference_id"),
                "metadata": _nested(form, "metadata"),
                "success_url": form.get("success_url"),
                "cancel_url": form.get("cancel_url"),
                "url": f"{self.base_url}/checkout/{session_id}",
                "_account": account,
            }
            self.sessions[session_id] = session
            return 200, _public(session)
        if (
            method == "GET"
            and parts[:3] == ["v1", "checkout", "sessions"]
            and len(parts) == 4
        ):
            session = self.sessions.get(parts[3])
            if session is None or session["_account"] != account:
                return _missing("checkout.session", parts[3])
            return 200, _public(session)
        if method == "POST" and path == "/v1/refunds":
            charge = self.charges.get(form.get("payment_intent", ""))
            if charge is None:
                return _missing("payment_intent", form.get("payment_intent", ""))
            amount = int(form.get("amount", charge["amount"]))
            if charge["amount_refunded"] + amount > charge["amount"]:
                return 400, _error(
                    "invalid_request_error",
                    "Refund amount is greater than unrefunded amount on charge.",
                    code="charge_already_refunded",
                )
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            expanded = form.get("expand[0]") == "charge"
            return 200, {
                "id": f"re_{self._next()}",
                "object": "refund",
                "amount": amount,
                "currency": charge["currency"],
                "payment_intent": charge["payment_intent"],
                "status": "succeeded",
                "charge": dict(charge) if expanded else charge["id"],
            }
        return 404, _error("invalid_request_error", f"Unrecognized request URL {path}")


def _error(kind: str, message: str, code: str = "") -> dict:
    return {
        "error": {"type": kind, "message": message, **({"code": code} if code else {})}
    }


def _missing(kind: str, name: str) -> tuple[int, dict]:
    return 404, _error(
        "invalid_request_error", f"No such {kind}: '{name}'", code="resource_missing"
    )


def _nested(form: dict, prefix: str) -> dict:
    start = f"{prefix}["
    return {
        key[len(start) : -1]: value
        for key, value in form.items()
        if key.startswith(start) and key.endswith("]") and "][" not in key
    }


def _public(session: dict) -> dict:
    return {name: value for name, value in session.items() if not name.startswith("_")}


def make_handler(state: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self, method: str) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            if state.outage:
                self.close_connection = True
                self.connection.close()  # as when the service is down
                return
            if url.path == "/favicon.ico":  # the browser asks; Stripe has one
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if url.path.startswith("/checkout/") and method == "GET":
                self._page(url.path.rsplit("/", 1)[-1])
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, payload = state.handle(
                method,
                url.path,
                headers,
                dict(parse_qsl(body, keep_blank_values=True)),
                dict(parse_qsl(url.query, keep_blank_values=True)),
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{len(state.requests)}")
            self.end_headers()
            self.wfile.write(data)

        def _page(self, session_id: str) -> None:
            """What the client's browser sees at the session's URL."""
            session = state.sessions.get(session_id)
            status = 200 if session else 404
            title = "Fake Stripe Checkout" if session else "No such session"
            amount = session["amount_total"] if session else 0
            html = (
                f"<!doctype html><title>{title}</title><h1 id='checkout'>{title}</h1>"
                f"<p id='amount'>{amount}</p>"
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def do_DELETE(self) -> None:
            self._answer("DELETE")

    return Handler


class FakeStripeServer:
    """The fake running on 127.0.0.1, on a port the system picks."""

    def __init__(self) -> None:
        self.state = FakeStripe()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state))
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.state.base_url = f"http://{host}:{port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return self.state.base_url

    def __enter__(self) -> "FakeStripeServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


WEBHOOK_SECRET = "whsec_test_portal"


def running(settings):
    """A fixture's body: the fake running, the platform's settings pointing at it."""
    with FakeStripeServer() as server:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_CHECKOUT_ORIGIN = server.url
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        yield server.state


def _line_numbers(form: dict) -> list[int]:
    """The indexes of a form's line_items[n][…] keys, in order."""
    numbers = {
        int(key.split("[", 2)[1].rstrip("]"))
        for key in form
        if key.startswith("line_items[")
    }
    return sorted(numbers)
