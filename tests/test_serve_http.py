"""``peelgen serve`` over HTTP: only local Host names are answered (DNS rebinding), and
clients that go away or do not speak HTTP get a quiet answer, never a traceback."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from peelgen.commands.serve import PreviewServer
from tests.conftest import MINIMAL

TIMEOUT = 5.0


@pytest.fixture
def running(write):
    server = PreviewServer(write(MINIMAL), port=0)
    server.start()
    yield server
    server.close()


def _get(port: int, host: str | None, path: str = "/") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.putrequest("GET", path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _raw(port: int, data: bytes) -> bytes:
    """Send ``data``, say that is all, and return whatever comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a browser tab that is closed abruptly can."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _port(server: PreviewServer) -> int:
    return server.httpd.server_address[1]


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}", "[::1]:{port}"])
def test_local_host_names_are_answered(running, host):
    port = _port(running)
    status, body = _get(port, host.format(port=port))
    assert status == 200
    assert b"Crime in Testshire is low." in body


@pytest.mark.parametrize("host", [
    "evil.example", "evil.example:{port}", "attacker.test:80", "127.0.0.1", "localhost", "127.0.0.1:1",
    "localhost.:{port}", "127.0.0.1:{port}.evil.example", "127.1:{port}", "0.0.0.0:{port}", "",
])
@pytest.mark.parametrize("path", ["/", "/version", "/nothing-here"])
def test_any_other_host_is_refused(running, host, path):
    port = _port(running)
    status, body = _get(port, host.format(port=port), path)
    assert status == 403
    assert len(body) < 200
    assert b"Testshire" not in body


def test_no_host_or_two_hosts_is_refused(running):
    port = _port(running)
    assert _get(port, None)[0] == 403
    answer = _raw(port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.0 403 ")
    assert b"Testshire" not in answer


def _request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def test_a_tab_closed_mid_response_is_quiet(running, capfd):
    port = _port(running)
    with running._lock:  # a page far larger than the socket buffers, so the write is cut off
        running.page = b"<p>" + b"x" * (32 * 1024 * 1024)
    for _ in range(3):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(TIMEOUT)
        sock.connect(("127.0.0.1", port))
        sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.0 200 ")
        _reset(sock)
    deadline = time.monotonic() + 10
    while _request_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _request_threads(), "a request thread is still writing"
    assert capfd.readouterr().err == ""
    with running._lock:
        running.page = b"<p>small again</p>"
    assert _get(port, f"127.0.0.1:{port}") == (200, b"<p>small again</p>")


@pytest.mark.parametrize("request_line", [
    b"NONSENSE\r\n\r\n",
    b"GET / HTTP/1.1 and more\r\n\r\n",
    b"GET / HTTP/x.y\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  # a TLS greeting, as from https://
])
def test_a_malformed_request_line_gets_400(running, capfd, request_line):
    answer = _raw(_port(running), request_line)
    assert answer.startswith(b"HTTP/1.0 400 "), answer[:100]
    assert capfd.readouterr().err == ""


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_the_command_prints_no_traceback_whatever_clients_do(write, tmp_path: Path):
    write(MINIMAL)
    process = subprocess.Popen(
        [sys.executable, "-m", "peelgen", "serve", "report.yaml", "--port", "0"], cwd=tmp_path,
        stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = process.stderr.readline()
        assert first.startswith("serving report.yaml on http://127.0.0.1:"), first
        port = int(first.split(" on ", 1)[1].split()[0].rstrip("/").rsplit(":", 1)[1])
        request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
                sock.sendall(request)  # then gone without reading the answer
                _reset(sock)
            with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
                sock.sendall(request)  # read the start of the answer, then gone
                sock.recv(10)
                _reset(sock)
            with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
                sock.sendall(request[:9])  # half a request line
            with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
                _reset(sock)  # nothing at all
        assert _raw(port, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.0 400 ")
        assert _raw(port, b"GET / HTTP/1.1\r\nX: " + b"y" * 70_000 + b"\r\n\r\n").startswith(b"HTTP/1.0 431 ")
        assert _raw(port, b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n").startswith(b"HTTP/1.0 431 ")
        status, body = _get(port, f"127.0.0.1:{port}")  # and it still serves
        assert status == 200 and b"Crime in Testshire is low." in body
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=15)[1]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in rest
    assert rest.strip() == "stopped"
    assert process.returncode == 0
