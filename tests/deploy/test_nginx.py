"""deploy/nginx.conf, run by a real nginx in front of stand-in upstreams (the
pages' server and the stream server): it forwards each path to its server,
refuses oversized request lines and headers, and its access log keeps no
portal token (path or referrer)."""

import http.client
import http.server
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Tk0-x_9AbCdEfGhIjKlMnOpQrStUvWxYz012345678"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx(tmp_path):
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing (.ci/run installs it)")
        pytest.skip("needs nginx (apt-get install nginx-light)")

    def upstream_named(name: str) -> http.server.ThreadingHTTPServer:
        class Upstream(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                body = (
                    f"{self.headers['X-Forwarded-For']}|"
                    f"{self.headers['X-Request-ID']}|{name}"
                )
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    pages, streams = upstream_named("pages"), upstream_named("streams")
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("server web:8000;", f"server 127.0.0.1:{pages.server_port};")
    site = site.replace("server live:8000;", f"server 127.0.0.1:{streams.server_port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/dev/stdout", str(tmp_path / "access.log"))
    site = site.replace("/dev/stderr", str(tmp_path / "error.log"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "daemon off;\nevents {}\n"
        "http {\n"
        f"  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n"
        "}\n"
    )
    process = subprocess.Popen(
        [binary, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx never listened"
            time.sleep(0.1)
    yield port, tmp_path / "access.log"
    process.terminate()
    process.wait(timeout=10)
    pages.shutdown()
    streams.shutdown()


def get(port: int, path: str, **headers: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response.status, response.read().decode()


def test_nginx_forwards_and_logs_no_portal_token(nginx):
    port, log = nginx
    paths = [
        f"/p/{TOKEN}/",
        f"/P/{TOKEN}/documents/1/",
        f"/p/%20{TOKEN}/",
        f"/p/.{TOKEN}/",
        f"//p//{TOKEN}/x?page=2",
        f"/p%2F{TOKEN}/",
    ]
    replies = [get(port, path, **{"X-Forwarded-For": "6.6.6.6"}) for path in paths]
    replies.append(
        get(port, "/static/portal/portal.css", Referer=f"http://x/p/{TOKEN}/")
    )
    time.sleep(0.2)
    logged = log.read_text()

    assert {status for status, _ in replies} == {200}
    # The client is the address nginx saw, not what it claimed; each request
    # carries an id the application logs too.
    forwarded, request_id, _server = replies[0][1].split("|")
    assert (forwarded, len(request_id)) == ("127.0.0.1", 32)
    assert f"request_id={request_id}" in logged
    assert TOKEN not in logged
    assert logged.count("[token]") == len(paths) + 1
    assert '"GET /static/portal/portal.css HTTP/1.1" 200' in logged


def test_streams_go_to_the_stream_server_and_pages_to_the_pages_server(nginx):
    port, _log = nginx

    served_by = {
        path: get(port, path)[1].rsplit("|", 1)[1]
        for path in (
            f"/p/{TOKEN}/",
            f"/p/{TOKEN}/documents/1/",
            f"/p/{TOKEN}/events/",
            "/healthz",
            "/admin/",
        )
    }

    assert served_by == {
        f"/p/{TOKEN}/": "pages",
        f"/p/{TOKEN}/documents/1/": "pages",
        f"/p/{TOKEN}/events/": "streams",
        "/healthz": "pages",
        "/admin/": "pages",
    }


def test_oversized_request_lines_and_headers_are_refused_at_the_edge(nginx):
    port, _log = nginx

    long_line = get(port, "/healthz?" + "a" * 5000)[0]
    big_header = get(port, "/healthz", **{"X-Big": "b" * 9000})[0]
    normal = get(port, "/healthz", **{"X-Small": "b" * 1000})[0]

    assert (long_line, big_header, normal) == (414, 400, 200)
