"""The production server, for real: gunicorn + two uvicorn workers, DEBUG off,
PostgreSQL, Redis, WhiteNoise, a task worker beside it.

One server for the whole module (it takes ~20 s to set up); the tests run in
file order on one xdist worker, and the last one reads everything the server
printed and looks for a portal token in it.
"""

import http.client
import pickle
import re
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import redis

from tests.production.server import ProductionServer, require_postgres_and_redis

# One xdist worker for the whole module (one server), the browser tests' one:
# servers and browsers side by side would slow each other past their timeouts.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("browser")]

MISS_LIMIT = 5
STREAMS_PER_LINK = 3
STREAMS_PER_ADDRESS = 5
LOGIN_FAILURE_LIMIT = 3
PASSWORD = "portal-demo-2026"


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database_url, redis_url = require_postgres_and_redis()
    tmp = tmp_path_factory.mktemp("production")
    running = ProductionServer(
        database_url,
        redis_url,
        tmp,
        PORTAL_MISS_LIMIT=str(MISS_LIMIT),
        PORTAL_LIVE_STREAMS_PER_LINK=str(STREAMS_PER_LINK),
        PORTAL_LIVE_STREAMS_PER_ADDRESS=str(STREAMS_PER_ADDRESS),
        LOGIN_FAILURE_LIMIT=str(LOGIN_FAILURE_LIMIT),
    )
    try:
        yield running.start()
    finally:
        running.stop()


def call(
    server: ProductionServer,
    path: str,
    method: str = "GET",
    headers: dict | None = None,
    body: bytes | None = None,
    port: int | None = None,
) -> Reply:
    """One request on a new connection (so the two workers share the load), to
    the pages' server unless `port` names another."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port or server.port, timeout=15
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def pids(server: ProductionServer, replies: list[Reply]) -> set[int]:
    time.sleep(0.3)  # let the log lines reach the file
    return {server.pid_of(reply.header("X-Request-ID")) for reply in replies}


def spread(server: ProductionServer, send, count: int) -> list[Reply]:
    """`send()` `count` times; again until both web processes answered some."""
    replies = [send() for _ in range(count)]
    for _ in range(20):
        if len(pids(server, replies)) >= 2:
            break
        replies.append(send())
    return replies


# --- Issue 9: what a client and an owner load ------------------------------------


def test_portal_page_and_its_stylesheet_long_cached_and_compressed(server):
    page = call(server, server.portal_urls()[0], headers={"Accept": "text/html"})

    assert page.status == 200
    assert page.header("Content-Type") == "text/html; charset=utf-8"
    css = re.search(r'href="(/static/portal/portal\.[0-9a-f]{12}\.css)"', page.text)[1]
    plain = call(server, css)
    brotli = call(server, css, headers={"Accept-Encoding": "br"})
    gzip = call(server, css, headers={"Accept-Encoding": "gzip"})
    assert [plain.status, brotli.status, gzip.status] == [200, 200, 200]
    assert plain.header("Cache-Control") == "max-age=315360000, public, immutable"
    assert (brotli.header("Content-Encoding"), gzip.header("Content-Encoding")) == (
        "br",
        "gzip",
    )
    assert len(brotli.body) < len(plain.body) and b"--brand-primary" in plain.body


def test_admin_sign_in_page_and_its_stylesheet(server):
    page = call(server, "/admin/login/")

    assert page.status == 200
    assert "default-src 'none'" in page.header("Content-Security-Policy")
    css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page.text)
    reply = call(server, css[1])
    assert (reply.status, reply.header("Cache-Control")) == (
        200,
        "max-age=315360000, public, immutable",
    )


def test_logos_on_the_local_disk_are_served_in_production(server):
    (logo,) = list((server.media_root / "logos").iterdir())[:1]

    reply = call(server, f"/media/logos/{logo.name}")

    assert (reply.status, reply.header("Content-Type")) == (200, "image/png")
    assert reply.body == logo.read_bytes()
    assert call(server, "/media/../config/settings.py").status in (400, 404)


def test_a_document_page_and_its_pdf_rendered_by_the_worker(server):
    portal = server.portal_urls()[0]
    listing = call(server, portal).text
    document = re.search(r'href="(/p/[^"]+/documents/\d+/)"', listing)[1]
    page = call(server, document)
    assert page.status == 200
    pdf_path = re.search(r'id="download-pdf" href="([^"]+)"', page.text)[1]

    deadline = time.monotonic() + 60
    while True:  # the worker prints the demo's PDFs in the background
        reply = call(server, pdf_path)
        if reply.status == 200 or time.monotonic() > deadline:
            break
        assert (reply.status, reply.header("Retry-After")) == (503, "5")
        time.sleep(0.5)

    assert reply.status == 200
    assert reply.body.startswith(b"%PDF-")
    assert reply.header("Content-Type") == "application/pdf"
    assert reply.header("ETag").strip('"') != ""


def test_the_404_page_is_the_products_not_debugs(server):
    reply = call(server, "/no/such/page/")
    portal_miss = call(server, "/p/" + "N" * 43 + "/")

    assert reply.status == 404 and portal_miss.status == 404
    assert "Page not found" in reply.text and "URLconf" not in reply.text
    assert "This link does not open a portal" in portal_miss.text
    assert "N" * 43 not in portal_miss.text


def test_readyz_answers_503_naming_the_database_when_it_is_unreachable(server):
    assert call(server, "/readyz").status == 200

    assert server.relay is not None
    server.relay.unplug()
    try:
        down = [call(server, "/readyz") for _ in range(4)]  # both workers
    finally:
        server.relay.plug()

    assert {reply.status for reply in down} == {503}
    assert all('"failed": ["database"]' in reply.text for reply in down)
    # Every process gets its database back: each answers ready again (a
    # pooled connection cut during the outage fails its first use and is
    # dropped, which /readyz does, as a load balancer's probe would).
    # Probes go out in bursts of concurrent connections: one at a time, the
    # kernel may hand every connection to the same idle process.
    deadline = time.monotonic() + 30
    for port in (server.port, server.live_port):  # pages, then streams
        ready: set[int | None] = set()
        while len(ready) < 2:
            with ThreadPoolExecutor(max_workers=8) as pool:
                burst = list(
                    pool.map(lambda p: call(server, "/readyz", port=p), [port] * 8)
                )
            ready |= pids(server, [reply for reply in burst if reply.status == 200])
            assert time.monotonic() < deadline, "a process never got its database"
    assert call(server, "/healthz").status == 200


def test_trace_is_refused(server):
    assert call(server, "/healthz", method="TRACE").status == 405


# --- Across the two processes (Redis, the database) -------------------------------


def test_the_portal_miss_limit_holds_across_both_processes(server):
    valid = server.portal_urls()[1]

    def miss(n: list[int] = [0]) -> Reply:  # noqa: B006 - a counter on purpose
        n[0] += 1
        return call(server, f"/p/wrong-link-{n[0]}/")

    misses = spread(server, miss, MISS_LIMIT)
    blocked = call(server, "/p/wrong-link-again/")
    still_served = [call(server, valid) for _ in range(4)]

    assert len(pids(server, misses)) == 2  # both web processes counted
    assert misses[0].status == 404
    assert blocked.status == 429 and blocked.header("Retry-After") == "600"
    # Never a valid link refused because of its address's misses.
    assert {reply.status for reply in still_served} == {200}


def test_a_stale_link_reloaded_counts_once(server):
    redis.Redis.from_url(server.redis_url).flushdb()
    stale = "/p/" + "S" * 43 + "/"

    replies = [call(server, stale) for _ in range(MISS_LIMIT * 3)]

    assert {reply.status for reply in replies} == {404}


def test_rendered_pages_are_shared_through_redis(server):
    """Both processes serve the same page of a revision from Redis. (The task
    worker may still be sending the demo's e-mails, each a new revision: the
    replies are compared revision by revision.)"""
    portal = server.portal_urls()[0]
    replies = spread(server, lambda: call(server, portal), 6)
    time.sleep(0.3)

    by_revision: dict[bytes, list[Reply]] = {}
    for reply in replies:
        revision = re.search(rb'data-portal-revision="(\d+)"', reply.body)[1]
        by_revision.setdefault(revision, []).append(reply)
    shared = [
        group
        for group in by_revision.values()
        if len({server.pid_of(reply.header("X-Request-ID")) for reply in group}) == 2
    ]
    assert shared, "no revision was served by both processes"
    bodies = {
        re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", reply.body)
        for reply in shared[0]
    }
    assert len(bodies) == 1
    store = redis.Redis.from_url(server.redis_url)
    entries = [pickle.loads(store.get(key)) for key in store.keys("*portal:page:*")]
    assert any(str(entry["revision"]).encode() in by_revision for entry in entries)


def test_password_guessing_is_locked_out_across_processes(server):
    owner = server.summary["companies"][0]["members"][0]["email"]

    def sign_in(password: str) -> Reply:
        page = call(server, "/admin/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        cookie = page.header("Set-Cookie").split(";", 1)[0]
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "username": owner,
                "password": password,
                "next": "/admin/",
            }
        ).encode()
        return call(
            server,
            "/admin/login/",
            method="POST",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Referer": server.url("/admin/login/"),
            },
        )

    failures = [sign_in(f"wrong-{n}") for n in range(LOGIN_FAILURE_LIMIT)]
    # Which process accepts a connection is the kernel's choice: sign in again
    # until the other process has answered too, so one of them refuses a
    # password it never saw fail.
    right_password = [sign_in(PASSWORD) for _ in range(3)]
    for _ in range(20):
        if len(pids(server, failures + right_password)) == 2:
            break
        right_password.append(sign_in(PASSWORD))

    assert [reply.status for reply in failures[:-1]] == [200] * (
        LOGIN_FAILURE_LIMIT - 1
    )
    assert {reply.status for reply in right_password} == {429}
    assert "Too many failed sign-in attempts" in right_password[0].text
    assert len(pids(server, failures + right_password)) == 2


# --- Issue 17: live streams bounded, request heads bounded -------------------------


def _head(port: int, data: bytes) -> tuple[socket.socket, bytes]:
    """Send a raw request; the socket (left open) and the response's head."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(data)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(65536)
        if not chunk:
            break
        head += chunk
    return sock, head


def _status(head: bytes) -> int:
    return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0


def _open_stream(server: ProductionServer, token: str) -> tuple[socket.socket, bytes]:
    return _head(
        server.live_port,
        f"GET /p/{token}/events/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Accept: text/event-stream\r\n\r\n".encode(),
    )


def test_live_streams_are_bounded_per_link_and_address_across_processes(server):
    redis.Redis.from_url(server.redis_url).flushdb()
    first, second = server.tokens()[:2]
    opened: list[socket.socket] = []
    try:
        heads = []
        for _ in range(STREAMS_PER_LINK):
            sock, head = _open_stream(server, first)
            opened.append(sock)
            heads.append(head)
        over_link = _open_stream(server, first)
        opened.append(over_link[0])
        # The other link still gets streams, up to the address's ceiling.
        for _ in range(STREAMS_PER_ADDRESS - STREAMS_PER_LINK):
            sock, head = _open_stream(server, second)
            opened.append(sock)
            heads.append(head)
        over_address = _open_stream(server, second)
        opened.append(over_address[0])
        # The pages' fallback: the revision at once, no slot taken.
        polled = call(server, f"/p/{second}/events/?poll=1")
        request_ids = [
            re.search(rb"(?i)x-request-id: (\S+)", head)[1].decode() for head in heads
        ]
        time.sleep(0.3)  # let the log lines reach the file
        serving = {server.pid_of(request_id) for request_id in request_ids}

        assert {_status(head) for head in heads} == {200}
        assert _status(over_link[1]) == 429
        assert re.search(rb"(?i)\r\nretry-after: 30\r\n", over_link[1])
        assert _status(over_address[1]) == 429
        assert polled.status == 200 and polled.body.startswith(b"retry: 2000\n")
        # Both stream processes took streams: the bound held across them.
        assert len(serving) == 2

        # A closed page gives its slot back.
        opened.pop(0).close()
        deadline = time.monotonic() + 10
        while True:
            sock, head = _open_stream(server, first)
            opened.append(sock)
            if _status(head) == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert _status(head) == 200
    finally:
        for sock in opened:
            sock.close()


@pytest.mark.parametrize("which", ["pages", "streams"])
def test_oversized_request_lines_and_headers_are_refused(server, which):
    port = server.port if which == "pages" else server.live_port
    long_line = f"GET /healthz?{'a' * 5000} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    big_header = (
        f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {'b' * 9000}\r\n\r\n"
    )
    replies = []
    for data in (long_line, big_header):
        sock, head = _head(port, data.encode())
        sock.close()
        replies.append(_status(head))
    normal = call(server, "/healthz") if which == "pages" else None

    assert replies[0] == 414
    assert replies[1] in (400, 431)
    assert normal is None or normal.status == 200


# --- Issue 8: no token in anything the server prints -----------------------------


def _raw(server: ProductionServer, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(data)
        try:
            return sock.recv(65536)
        except OSError:
            return b""


def test_no_portal_token_in_anything_the_server_printed(server):
    token = server.tokens()[0]
    portal = f"/p/{token}/"
    guessed = "G" * 40 + "x_-"
    # Normal paths, the PDF, misses.
    call(server, portal)
    call(server, portal + "quotes/")
    call(server, portal + "documents/999999/")
    call(server, f"/p/{guessed}/")
    # Odd spellings of the same path.
    for path in (f"/P/{token}/", f"/p/%20{token}/", f"/p/.{token}/", f"//p//{token}/"):
        call(server, path)
    # CSRF refusals: a PUT and a POST without cookie or token.
    call(server, portal, method="PUT", body=b"x")
    call(server, portal + "language/", method="POST", body=b"language=fr")
    # Malformed requests straight on the socket.
    _raw(server, f"GET /p/{token}/\x01 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    _raw(server, f"GET /p/{token}/ HTTP/9.9\r\n\r\n".encode())
    _raw(
        server,
        f"GET /p/{token}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n".encode(),
    )
    # Timeout: the clients table locked, the page's query canceled after 2 s.
    locked = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        with server.database() as connection, connection.transaction():
            connection.execute("LOCK TABLE clients_client IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(15)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(10)
    try:
        timed_out = call(server, portal + "invoices/?page=1")
    finally:
        release.set()
        holder.join()
    assert timed_out.status == 500
    assert "Something went wrong" in timed_out.text
    # A request cut off mid-way.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(f"GET /p/{token}/documents/".encode())
    time.sleep(1)

    server.stop()  # everything flushed, shutdown lines included
    printed = server.output()

    assert "canceling statement due to statement timeout" in printed
    assert "Forbidden (CSRF cookie not set.)" in printed
    for secret in [*server.tokens(), guessed]:
        for form in {secret, urllib.parse.quote(secret), secret.lower()}:
            assert form not in printed, f"a token leaked: {form[:6]}…"
    assert re.search(r"method=GET route=portal:home status=200", printed)
