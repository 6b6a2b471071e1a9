"""``narration serve``: a real werkzeug server on 127.0.0.1 (ephemeral port), spoken to over HTTP."""

from __future__ import annotations

import http.client
import io
import os
import socket
import subprocess
import sys
import threading
import time

import podcastparser
import pytest
from click.testing import CliRunner
from publish_support import relocate, template_build  # noqa: F401

from narration.audio.manifest import save_manifest as save_result
from narration.cli import cli
from narration.errors import ServeError
from narration.publish.api import publish
from narration.publish.serve import make_server

TIMEOUT = 10


@pytest.fixture
def built(tmp_path, template_build):
    result = relocate(template_build, tmp_path / "output")
    publish(result, base_url="https://example.com/book/")
    save_result(result)
    (tmp_path / "secret.txt").write_text("outside the output folder")
    return result


@pytest.fixture
def server(built):
    server = make_server(built.out_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(TIMEOUT)


def request(server, path: str, method: str = "GET", headers: dict | None = None):
    """Send ``path`` exactly as given (no client-side normalisation of ``..``)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_whole_file_with_type_length_and_accept_ranges(server, built):
    status, headers, body = request(server, "/episodes/01-first-chapter.mp3")
    assert status == 200
    assert body == built.chapters[0].episode.read_bytes()
    assert headers["Content-Type"] == "audio/mpeg"
    assert headers["Accept-Ranges"] == "bytes"
    assert int(headers["Content-Length"]) == len(body)


def test_byte_range_gives_206_with_content_range(server, built):
    data = built.mp3.read_bytes()
    status, headers, body = request(server, f"/{built.mp3.name}", headers={"Range": "bytes=100-199"})
    assert status == 206
    assert headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert body == data[100:200]
    status, headers, body = request(server, f"/{built.mp3.name}", headers={"Range": "bytes=-50"})
    assert status == 206 and body == data[-50:]


def test_unsatisfiable_range_gives_416(server, built):
    size = built.mp3.stat().st_size
    status, headers, _ = request(server, f"/{built.mp3.name}", headers={"Range": f"bytes={size + 10}-"})
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{size}"


def test_head_has_headers_and_no_body(server, built):
    status, headers, body = request(server, f"/{built.m4b.name}", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == built.m4b.stat().st_size
    assert headers["Content-Type"] in ("audio/mp4", "audio/x-m4b")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/cover.png", "image/png"),
        ("/transcripts/01-first-chapter.vtt", "text/vtt; charset=utf-8"),
        ("/transcripts/01-first-chapter.srt", "application/x-subrip; charset=utf-8"),
        ("/chapters.json", "application/json+chapters"),
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
    ],
)
def test_mime_types(server, path, kind):
    status, headers, _ = request(server, path)
    assert status == 200
    assert headers["Content-Type"] == kind


def test_served_feed_points_at_the_server(server, built):
    status, _, body = request(server, "/feed.xml")
    assert status == 200
    base = f"http://127.0.0.1:{server.port}/"
    podcast = podcastparser.parse(base + "feed.xml", io.BytesIO(body))
    urls = [e["enclosures"][0]["url"] for e in podcast["episodes"]]
    assert urls and all(u.startswith(base) for u in urls)
    assert b"example.com" not in body
    for url in urls:  # and the server serves what its feed names, with the declared length
        status, _, _ = request(server, url[len(base) - 1 :], method="HEAD")
        assert status == 200
    sizes = [e["enclosures"][0]["file_size"] for e in podcast["episodes"]]
    assert sizes == [c.episode.stat().st_size for c in built.chapters] + [built.mp3.stat().st_size]


def test_served_feed_supports_head_and_ranges(server):
    _, headers, full = request(server, "/feed.xml")
    status, headers, body = request(server, "/feed.xml", headers={"Range": "bytes=0-9"})
    assert status == 206 and body == full[:10]
    status, headers, body = request(server, "/feed.xml", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) == len(full)


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/episodes/../../secret.txt",
        "/episodes/%2e%2e/%2e%2e/secret.txt",
        "//etc/passwd",
        "/..%5csecret.txt",
        "/link-out.txt",
        "/linked-dir/secret.txt",
        "/.build.json",
        "/.publish.json",
        "/episodes/",
        "/episodes",
        "/transcripts/",
        "/nothing-here.mp3",
        "/%00",
    ],
)
def test_nothing_outside_the_folder_and_no_listings(server, built, path):
    (built.out_dir / "link-out.txt").symlink_to(built.out_dir.parent / "secret.txt")
    (built.out_dir / "linked-dir").symlink_to(built.out_dir.parent, target_is_directory=True)
    status, _, body = request(server, path)
    assert status == 404
    assert b"outside the output folder" not in body
    assert b"01-first-chapter" not in body


def test_a_symlink_inside_the_folder_is_served(server, built):
    (built.out_dir / "book.mp3").symlink_to(built.mp3)
    status, _, body = request(server, "/book.mp3")
    assert status == 200 and body == built.mp3.read_bytes()


def test_only_get_and_head(server):
    status, headers, _ = request(server, "/index.html", method="POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"


def test_a_port_in_use_is_a_clear_error(built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} .*already in use"):
            make_server(built.out_dir, "127.0.0.1", port)
        result = CliRunner().invoke(cli, ["serve", "--out", str(built.out_dir), "--port", str(port)])
    assert result.exit_code == 1
    assert "already in use" in result.output and "Traceback" not in result.output


def test_a_missing_output_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--out", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "narration build" in result.output


def test_serve_help_has_an_example():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "narration serve --host 0.0.0.0" in result.output and "--port" in result.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_serve_command_serves_until_stopped(built):
    port = free_port()
    command = [sys.executable, "-m", "narration", "serve", "--out", str(built.out_dir), "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        conn.request("GET", "/feed.xml")
        body = conn.getresponse().read()
        conn.close()
        assert f"http://127.0.0.1:{port}/episodes/01-first-chapter.mp3".encode() in body
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=TIMEOUT)
    assert f"http://127.0.0.1:{port}/feed.xml" in output.decode()
