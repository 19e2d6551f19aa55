"""What the stand-ins (`standin.py`, an approved platform; `chorus_standin.py`,
Chorus Pro) share: an HTTP server on loopback that hands each request to the
stand-in's `handle`, the requests recorded for tests to read, and the OAuth2
bearer tokens they issue and check. Each stand-in keeps its own routes, its
own token rules and the shape of its errors."""

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar

# (HTTP status, headers, body)
Answer = tuple[int, dict[str, str], bytes]


def json_answer(status: int, body: dict) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpStandIn:
    """A stand-in's state; `handle` answers one request (under `lock`, since
    the server answers each on its own thread)."""

    base_url: str = ""
    token_lifetime: int = 3600
    tokens: dict[str, float] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # ── what tests call ──
    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = {token: 0.0 for token in self.tokens}

    def posts(self, path: str) -> list[Recorded]:
        return [
            r for r in self.requests if r.method == "POST" and r.path.endswith(path)
        ]

    # ── what the stand-ins call ──
    def record(self, method: str, path: str, headers: dict, body: bytes) -> None:
        self.requests.append(Recorded(method, path, headers, body))

    def token_issue(self, **extra: Any) -> dict[str, Any]:
        """A new bearer token, as the token URL answers it."""
        token = uuid.uuid4().hex
        self.tokens[token] = time.time() + self.token_lifetime
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            **extra,
        }

    def bearer_valid(self, headers: dict) -> bool:
        auth = headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        return bool(token) and self.tokens.get(token, 0.0) > time.time()

    def handle(self, method: str, url: str, headers: dict, body: bytes) -> Answer:
        raise NotImplementedError

    def after_answer(self) -> None:
        """Run after each request is answered, outside the lock (the
        platform's webhook deliveries)."""


def make_handler(state: HttpStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, answer = state.handle(
                self.command, self.path, dict(self.headers.items()), body
            )
            state.after_answer()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = do_DELETE = _answer

    return Handler


State = TypeVar("State", bound=HttpStandIn)


class LoopbackServer(Generic[State]):
    """A stand-in running on 127.0.0.1, on a port the system picks, for as
    long as the `with` block lasts."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
        self.httpd.daemon_threads = True
        state.base_url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> "LoopbackServer[State]":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve(state: HttpStandIn, port: int) -> None:
    """Run a stand-in alone on a known port (for the demo), until killed."""
    ThreadingHTTPServer(("127.0.0.1", port), make_handler(state)).serve_forever()
