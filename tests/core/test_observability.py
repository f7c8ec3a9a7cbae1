"""What an operator sees: every response carries a request id that is also on its log lines,
and with SENTRY_DSN set an error is reported to that Sentry server."""

from __future__ import annotations

import gzip
import http.server
import logging
import os
import subprocess
import sys
import threading

import brotli
import pytest
from django.urls import reverse

from tests.helpers import ROOT, database_url

pytestmark = pytest.mark.django_db


def test_a_response_names_its_request_id_and_the_log_lines_carry_it(client, caplog):
    from core.requestid import RequestIdFilter

    handler_filter = RequestIdFilter()
    caplog.handler.addFilter(handler_filter)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert len(request_id) == 16
    assert [r.request_id for r in caplog.records if r.name == "django.request"] == [request_id]

    # An id set by the proxy is kept (one that does not look like an id is replaced).
    assert client.get(reverse("home"), HTTP_X_REQUEST_ID="proxy-id-1234")["X-Request-ID"] == (
        "proxy-id-1234"
    )
    assert client.get(reverse("home"), HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_with_a_sentry_dsn_an_error_is_reported_to_that_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        env = dict(
            os.environ,
            SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1",
            DATABASE_URL=database_url(),
        )
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "import logging; logging.getLogger('tema.test').error('sentry-probe-error')"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    finally:
        server.shutdown()
    assert any(b"sentry-probe-error" in body for body in _Collector.received)
