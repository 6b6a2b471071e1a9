"""``narration serve``: serve the output folder so podcast apps can subscribe (werkzeug).

- the feed is re-rendered per request from the build manifest, with the address the server was
  reached at as its base URL, so a phone on the LAN gets URLs it can fetch;
- files go through werkzeug's ``send_file(conditional=True)``: HEAD, ``Range`` (206 with
  ``Content-Range``, 416 when unsatisfiable), ``Accept-Ranges: bytes``, ETag/Last-Modified;
- only regular, non-hidden files whose real path lies inside the folder are served: ``..`` (also
  percent-encoded), absolute paths and symlinks pointing out get 404, and so do directories.
"""

from __future__ import annotations

import errno
import logging
import mimetypes
import socket
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.security import safe_join
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server as werkzeug_server
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from narration.audio.manifest import load_manifest as load_result
from narration.audio.manifest import manifest_path
from narration.errors import NarrationError, ServeError
from narration.publish import layout
from narration.publish.feed import render_feed
from narration.publish.rules import (
    CHAPTERS_FILE,
    CHAPTERS_JSON_MIME,
    DEFAULT_HOST,
    DEFAULT_PORT,
    FEED_FILE,
    MIME_TYPES,
    PAGE_FILE,
)
from narration.publish.settings import load_settings

log = logging.getLogger(__name__)


def content_type(path: Path) -> str:
    if path.name == CHAPTERS_FILE:
        return CHAPTERS_JSON_MIME
    return MIME_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def resolve_inside(root: Path, rel: str) -> Path | None:
    """The regular file ``rel`` names under ``root``, or None if it is missing, hidden or outside."""
    joined = safe_join(str(root), rel)
    if joined is None or _hidden(rel):
        return None
    try:
        path = Path(joined).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not path.is_relative_to(root) or _hidden(path.relative_to(root).as_posix()) or not path.is_file():
        return None
    return path


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in PurePosixPath(rel).parts)


class OutputApp:
    """A WSGI application serving one output folder (GET and HEAD only)."""

    def __init__(self, out_dir: Path) -> None:
        self.root = Path(out_dir).resolve()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.respond(request)
        except HTTPException as exc:  # e.g. 416 from send_file for an unsatisfiable range
            response = exc.get_response(environ)
        response.headers["Access-Control-Allow-Origin"] = "*"  # web players may fetch transcripts
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("Method not allowed\n", 405, {"Allow": "GET, HEAD"}, mimetype="text/plain")
        rel = request.path.lstrip("/") or PAGE_FILE
        if rel == FEED_FILE and manifest_path(self.root).is_file():
            feed = self.live_feed(request)
            if feed is not None:
                return feed
        path = resolve_inside(self.root, rel)
        if path is None:
            return NotFound().get_response(request.environ)
        kind = content_type(path)
        response = send_file(path, request.environ, mimetype=kind.split(";")[0], conditional=True, max_age=0)
        response.headers["Content-Type"] = kind
        return response

    def live_feed(self, request: Request) -> Response | None:
        """The feed with this server's address as base URL; None (serve the built file) if impossible."""
        try:
            result = layout.localize(load_result(self.root))
            settings = load_settings(self.root).with_base_url(request.host_url)
            body = render_feed(result, settings)
        except NarrationError as exc:
            log.warning("serving the built feed.xml as is: %s", exc)
            return None
        response = Response(body, content_type=MIME_TYPES[".xml"])
        response.cache_control.no_cache = True
        response.add_etag()
        return response.make_conditional(request, accept_ranges=True, complete_length=len(body))


def _bind_message(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use: stop the program using it or choose another with --port"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port}: choose a port above 1023 with --port"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def make_server(
    out_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, app: Callable | None = None
) -> BaseWSGIServer:
    """A threaded werkzeug server for ``out_dir`` (or the WSGI ``app`` given), listening (port 0:
    any free port, see ``.port``)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ServeError(f"{out_dir} does not exist: run `narration build` first (or give --out)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family, backlog=128)
    except OSError as exc:  # bind here: werkzeug would print and exit instead of raising
        raise ServeError(_bind_message(host, port, exc)) from exc
    with listener:
        return werkzeug_server(
            host, port, app if app is not None else OutputApp(out_dir), threaded=True, fd=listener.fileno()
        )


def serve(
    out_dir: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    ready: Callable[[BaseWSGIServer], None] | None = None,
) -> None:
    """Serve ``out_dir`` until interrupted; ``ready(server)`` is called once it listens."""
    server = make_server(out_dir, host, port)
    try:
        if ready is not None:
            ready(server)
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("server stopped")
    finally:
        server.server_close()


def server_url(server: BaseWSGIServer) -> str:
    """The address to open: the server's own, or localhost when it listens on every interface."""
    host = server.host
    if host in ("0.0.0.0", "::", ""):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{server.port}/"
