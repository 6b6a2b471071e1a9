"""The studio's web application (werkzeug): everything ``narration serve`` serves, plus the studio
page and its API under ``/studio/``.

Safety, checked for every request before any route:

- bound beyond loopback, every request must carry the studio's random token (``?token=`` once, then
  a ``SameSite=Strict`` cookie, or an ``X-Studio-Token`` header): none is 401, a wrong one 403;
- bound to loopback, the ``Host`` header must name a loopback address (no DNS rebinding);
- a write (POST) must come from the studio's own page: ``Origin`` equal to the address it was
  reached at, ``Sec-Fetch-Site`` (when sent) ``same-origin``, a JSON body of at most
  :data:`MAX_BODY` bytes; it may only name a chapter script or ``lexicon.toml`` inside ``scripts/``.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from string import Template
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from narration.publish.serve import OutputApp
from narration.studio.edits import EditError, PathRefused, ScriptEditor, StaleEdit
from narration.studio.rebuild import EventQueue, Rebuilder

log = logging.getLogger(__name__)

PREFIX = "/studio/"
MAX_BODY = 64 * 1024
TOKEN_COOKIE = "narration_studio_token"
KEEPALIVE_SECONDS = 15.0
STATIC = {"studio.js": "text/javascript; charset=utf-8", "studio.css": "text/css; charset=utf-8"}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Access:
    """Who may use the studio: the token (None on loopback) and the Host names accepted."""

    token: str | None
    port: int

    def host_ok(self, host: str) -> bool:
        if self.token is not None:
            return True  # the token is the guard; any name of this machine will do
        name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        return is_loopback(name or host) and (port in ("", str(self.port)))


def _json(data: Any, status: int = 200) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False), status, content_type="application/json")
    response.cache_control.no_store = True
    return response


def _error(message: str, status: int, **extra: Any) -> Response:
    return _json({"error": message, **extra}, status)


class StudioApp:
    """The WSGI application of one studio."""

    def __init__(self, rebuilder: Rebuilder, editor: ScriptEditor, access: Access) -> None:
        self.rebuilder = rebuilder
        self.editor = editor
        self.access = access
        self.outputs = OutputApp(rebuilder.out_dir)
        self.closing = threading.Event()
        self.routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", ""): self.page,
            ("GET", "api/book"): self.book,
            ("GET", "api/status"): self.status,
            ("GET", "api/events"): self.events,
            ("POST", "api/edit"): self.edit,
            ("POST", "api/lexicon"): self.lexicon,
        }

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_BODY
        try:
            response = self.guard(request) or self.route(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)

    # --- safety -----------------------------------------------------------------------------------

    def guard(self, request: Request) -> Response | None:
        """A refusal, or None when the request may go on."""
        if not self.access.host_ok(request.host):
            return _error("unexpected Host header (this studio answers to its loopback address only)", 403)
        if self.access.token is not None:
            given = (
                request.args.get("token") or request.headers.get("X-Studio-Token") or request.cookies.get(TOKEN_COOKIE)
            )
            if not given:
                return _error("this studio needs its token: open the URL it printed", 401)
            if not hmac.compare_digest(given.encode(), self.access.token.encode()):
                return _error("wrong token", 403)
        if request.method == "POST":
            return self._write_allowed(request)
        return None

    def _write_allowed(self, request: Request) -> Response | None:
        origin = request.headers.get("Origin")
        if origin is None or origin.rstrip("/") != request.host_url.rstrip("/"):
            return _error("cross-site write refused (Origin must be this studio)", 403)
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return _error("cross-site write refused", 403)
        if request.mimetype != "application/json":
            return _error("a write must be JSON", 415)
        if request.content_length is None or request.content_length > MAX_BODY:
            return _error(f"a write is limited to {MAX_BODY} bytes", 413)
        return None

    # --- routes -----------------------------------------------------------------------------------

    def route(self, request: Request) -> Response:
        path = request.path
        if path == "/studio":
            return Response(status=308, headers={"Location": PREFIX})
        if not path.startswith(PREFIX):
            response = self.outputs.respond(request)
            response.headers["Access-Control-Allow-Origin"] = "*"  # as narration serve
            return self._with_cookie(request, response)
        rel = path[len(PREFIX) :]
        if rel.startswith("api/chapter/") and request.method in ("GET", "HEAD"):
            return self.chapter(rel[len("api/chapter/") :])
        if rel in STATIC and request.method in ("GET", "HEAD"):
            return self.static(rel)
        handler = self.routes.get((request.method if request.method != "HEAD" else "GET", rel))
        if handler is None:
            known = any(r == rel for _, r in self.routes)
            return _error("method not allowed" if known else "not found", 405 if known else 404)
        return self._with_cookie(request, handler(request))

    def _with_cookie(self, request: Request, response: Response) -> Response:
        if self.access.token is not None and request.args.get("token"):
            response.set_cookie(TOKEN_COOKIE, self.access.token, httponly=True, samesite="Strict", path="/")
        return response

    def page(self, request: Request) -> Response:
        template = Template(_package_text("studio.html"))
        built = self.rebuilder.built
        title = built.report.result.title if built is not None else "narration studio"
        html = template.safe_substitute(title=_escape(title))
        response = Response(html, content_type="text/html; charset=utf-8")
        response.cache_control.no_store = True
        return response

    def static(self, name: str) -> Response:
        response = Response(_package_text(name), content_type=STATIC[name])
        response.cache_control.no_cache = True
        return response

    def book(self, request: Request) -> Response:
        built = self.rebuilder.built
        status = self.rebuilder.status().to_json()
        if built is None:
            return _json({"title": None, "chapters": [], "status": status})
        chapters = [{"number": v.number, "slug": v.slug, "title": v.title} for v in built.views.values()]
        return _json({"title": built.report.result.title, "chapters": chapters, "status": status})

    def chapter(self, slug: str) -> Response:
        built = self.rebuilder.built
        if built is None:
            return _error(self.rebuilder.status().error or "the first build is not finished", 503)
        view = built.views.get(slug)
        if view is None:
            return _error(f"no chapter {slug!r}", 404)
        return _json(view.to_json())

    def status(self, request: Request) -> Response:
        return _json(self.rebuilder.status().to_json())

    def events(self, request: Request) -> Response:
        listener = EventQueue()
        stop_listening = self.rebuilder.listen(listener)
        first = {"kind": "status", **self.rebuilder.status().to_json()}

        def stream() -> Iterator[bytes]:
            try:
                yield f"data: {json.dumps(first)}\n\n".encode()
                while not self.closing.is_set():
                    event = listener.get(KEEPALIVE_SECONDS)
                    if event is None:
                        yield b": keep-alive\n\n"
                    else:
                        yield f"data: {json.dumps(event.to_json(), ensure_ascii=False)}\n\n".encode()
            finally:
                stop_listening()

        response = Response(stream(), content_type="text/event-stream")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Accel-Buffering"] = "no"
        return response

    def edit(self, request: Request) -> Response:
        body = _body(request)
        if isinstance(body, Response):
            return body
        sentence = body.get("sentence")
        try:
            new_version = self.editor.edit_section(
                _text(body, "file"),
                _text(body, "version"),
                _text(body, "section"),
                _text(body, "text", empty=True),
                old=_text(sentence, "text") if isinstance(sentence, dict) else None,
                occurrence=int(sentence.get("occurrence", 0)) if isinstance(sentence, dict) else 0,
            )
        except StaleEdit as exc:
            return _error(str(exc), 409, reload=True)
        except PathRefused as exc:
            return _error(str(exc), 403)
        except EditError as exc:
            return _error(str(exc), 400)
        except (TypeError, ValueError) as exc:
            return _error(f"bad edit: {exc}", 400)
        generation = self.rebuilder.request(f"edit of {body['file']}")
        log.info("edited %s; rebuild %d queued", body["file"], generation)
        return _json({"version": new_version, "generation": generation})

    def lexicon(self, request: Request) -> Response:
        body = _body(request)
        if isinstance(body, Response):
            return body
        try:
            seen = body.get("version")
            self.editor.set_lexicon(_text(body, "word"), _text(body, "say"), seen if isinstance(seen, str) else None)
        except StaleEdit as exc:
            return _error(str(exc), 409, reload=True)
        except (EditError, TypeError, ValueError) as exc:
            return _error(str(exc), 400)
        generation = self.rebuilder.request("lexicon entry")
        return _json({"generation": generation})


def _body(request: Request) -> dict[str, Any] | Response:
    try:
        data = json.loads(request.get_data(cache=False, as_text=True))
    except ValueError:
        return _error("the body is not JSON", 400)
    if not isinstance(data, dict):
        return _error("the body must be a JSON object", 400)
    return data


def _text(data: Any, key: str, *, empty: bool = False) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or (not empty and not value):
        raise ValueError(f"{key!r} must be a non-empty string")
    return value


def _package_text(name: str) -> str:
    return resources.files("narration.studio").joinpath("static", name).read_text(encoding="utf-8")


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=True)
