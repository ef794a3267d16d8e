"""``peelgen serve`` under attack: foreign Host headers, report templates, rude clients."""

from __future__ import annotations

import http.client
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from peelgen.commands.serve import PreviewServer
from tests.hostile.cases import WITH_TEMPLATES
from tests.hostile.marks import until_fixed_by
from tests.hostile.workspace import CANARY, CANARY_ENV, Workspace


def _get(server: PreviewServer, host: str) -> tuple[int, bytes]:
    address, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(address, port, timeout=10)
    try:
        connection.putrequest("GET", "/", skip_host=True)
        connection.putheader("Host", host.format(port=port))
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[PreviewServer, Workspace]]:
    ws = Workspace(tmp_path)
    monkeypatch.setenv(CANARY_ENV, CANARY)
    monkeypatch.chdir(ws.folder)
    ws.report(WITH_TEMPLATES)
    ws.write("tpl/force-report.html.j2", "<html><body>{{ lipsum.__globals__['os'].environ }}</body></html>")
    server = PreviewServer(ws.folder / "report.yaml", port=0)
    server.start()
    try:
        yield server, ws
    finally:
        server.close()


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}"])
def test_local_host_headers_are_served(serving: tuple[PreviewServer, Workspace], host: str) -> None:
    status, _ = _get(serving[0], host)
    assert status == 200


@until_fixed_by("serve")
@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}"])
def test_foreign_host_header_is_refused(serving: tuple[PreviewServer, Workspace], host: str) -> None:
    """A page on another site that rebinds its DNS name to 127.0.0.1 sends its own Host."""
    status, body = _get(serving[0], host)
    assert 400 <= status < 500, status
    assert b"Testshire" not in body


@until_fixed_by("render")
def test_report_templates_are_not_run_unsandboxed(serving: tuple[PreviewServer, Workspace]) -> None:
    status, body = _get(serving[0], "127.0.0.1:{port}")
    assert status == 200
    assert CANARY.encode() not in body


@until_fixed_by("serve")
def test_quiet_when_clients_hang_up(serving: tuple[PreviewServer, Workspace],
                                    capfd: pytest.CaptureFixture[str]) -> None:
    """A browser tab closed mid-response, and a request that is not HTTP: no traceback."""
    address, port = serving[0].httpd.server_address[:2]
    for _ in range(30):
        with socket.create_connection((address, port), timeout=5) as client:
            client.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not close
    with socket.create_connection((address, port), timeout=5) as client:
        client.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n")
        client.recv(1024)
    _get(serving[0], "127.0.0.1:{port}")  # the server still answers
    err = capfd.readouterr().err
    assert "Traceback" not in err, err
