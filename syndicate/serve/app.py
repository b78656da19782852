"""The HTTP side of `syndicate serve` (a starlette application): the files of out/, or of the
preview, with the media type their format declares, ETag and Last-Modified validators (and
`304 Not Modified`), `Link: rel=hub` on feeds that name a WebSub hub, and bearer tokens on
protected folders. In a preview, HTML pages also get a banner (embargoed stories, and drafts
shown with `--drafts`, are marked) and a script that reloads the page when a new export is
ready, and their links to the site's `base_url` lead to the preview itself."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import posixpath
import re
import stat
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import anyio
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from syndicate.build.inventory import Inventory
from syndicate.deliver.websub import FEED_SUFFIXES, feed_links
from syndicate.serve.preview import SETTLE_WAIT, PreviewState

STATUS_PATH = "/_syndicate/preview"
"""Where a preview page asks whether a new export is ready (no folder of out/ starts with _)."""
SCRIPT_PATH = "/_syndicate/preview.js"
"""The preview's script, a file of the server's own: a page whose Content-Security-Policy
allows scripts from `'self'` only runs it, where it would block an inline one."""
HOME = "html/index.html"
"""Where `/` leads."""
BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
"""A page's opening body tag: the preview's markup goes right after it."""


PREVIEW_SCRIPT = f"""
(function () {{
  var seen = Number(document.currentScript.getAttribute("data-generation"));
  // The banner's style set again through the CSSOM: a Content-Security-Policy without
  // style-src 'unsafe-inline' ignores its style attribute, never a script's.
  var banner = document.getElementById("syndicate-preview");
  if (banner) banner.style.cssText = banner.getAttribute("style") || "";
  function show(problems, left) {{
    var box = document.getElementById("syndicate-problems");
    if (!problems.length) {{ if (box) box.remove(); return; }}
    var text = (left.length
      ? "Left out for their errors, shown as last exported (absent if never): "
        + left.join(", ") + "\\n\\n"
      : "The last export failed; this page is the one before it.\\n\\n")
      + problems.join("\\n");
    if (box) {{
      if (box.textContent !== text) box.textContent = text;  // said again only if new
      return;
    }}
    box = document.createElement("aside");
    box.id = "syndicate-problems";
    box.setAttribute("aria-label", "Preview problems");
    box.style.cssText = "position:fixed;inset:auto 0 0 0;margin:0;padding:1em;max-height:40vh;"
      + "overflow:auto;background:#fff3f3;color:#8a1010;border-top:3px solid #c00;"
      + "font:13px/1.4 monospace;white-space:pre-wrap;z-index:2147483646";
    box.textContent = text;
    document.getElementById("syndicate-live").appendChild(box);
  }}
  function poll() {{
    fetch({json.dumps(STATUS_PATH)}, {{cache: "no-store"}})
      .then(function (r) {{ return r.json(); }})
      .then(function (s) {{
        if (s.generation !== seen) {{ location.reload(); return; }}
        show(s.problems, s.left_out || []);
        setTimeout(poll, 700);
      }})
      .catch(function () {{ setTimeout(poll, 2000); }});
  }}
  setTimeout(poll, 700);
}})();
"""
"""What a preview page runs: it polls `STATUS_PATH` and reloads the page when the generation
changes, and shows the last export's problems in a box."""


@dataclass(frozen=True)
class Served:
    """What the application serves."""

    folder: Path
    inventory: Inventory
    feed_folders: frozenset[str]
    """Folders of formats whose feeds may name a WebSub hub (`atom`, `partners/flipboard`):
    a feed there is served with the hub it names, whatever syndicate.yaml says now."""
    tokens: Mapping[str, Sequence[str]]
    """Protected folder (`newsml/`) -> the tokens that open it."""
    preview: PreviewState | None = None

    def serving(self) -> tuple[Inventory, frozenset[str]]:
        """The inventory and the feed folders: a preview's as its last export made them."""
        if self.preview is not None:
            return self.preview.serving()
        return self.inventory, self.feed_folders


def make_app(served: Served) -> ASGIApp:
    files = _OutputFiles(served)
    routes: list[Route | Mount] = []
    if served.preview is not None:
        routes.append(Route(STATUS_PATH, _status(served.preview)))
        routes.append(Route(SCRIPT_PATH, _script))
    routes.append(Route("/", _home(served)))
    routes.append(Mount("/", app=files))
    app: ASGIApp = Starlette(routes=routes)
    if served.tokens:
        app = _BearerTokens(app, served.tokens)
    return app


def _home(served: Served) -> Any:
    """`/`: the site's home page (html/index.html) when there is one, else what is missing."""

    async def home(request: Request) -> Response:
        if (served.folder / HOME).is_file():
            return RedirectResponse(f"/{HOME}", status_code=307)
        if served.preview is not None:
            problems = served.preview.snapshot()[1]
            text = "The preview has no pages yet" + (
                ": fix these problems (the preview is exported again as you save):\n\n"
                + "\n".join(problems)
                if problems
                else " (its formats have no html)."
            )
            return missing_page("No pages yet", text, served.preview)
        else:
            text = f"No {HOME} here: export --format html to have one."
        return PlainTextResponse(text + "\n", status_code=404)

    return home


def _status(state: PreviewState) -> Any:
    async def status(request: Request) -> Response:
        generation, problems, left_out = state.snapshot()
        body = {"generation": generation, "problems": problems, "left_out": left_out}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return status


async def _script(request: Request) -> Response:
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    return Response(PREVIEW_SCRIPT, media_type="text/javascript", headers=headers)


class _OutputFiles(StaticFiles):
    def __init__(self, served: Served) -> None:
        super().__init__(directory=served.folder, html=True, check_dir=False)
        self.served = served
        self._links: dict[tuple[str, int, int], str | None] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        """A file; in a preview, a missing one is a page that reloads by itself too (a story
        renamed while its page is open, its page not exported yet)."""
        preview = self.served.preview
        if preview is not None and not preview.settled.is_set():
            # An export publishing: its files are served once the preview says what they
            # are (`PreviewState.serving`), waited for off the event loop, which the other
            # requests (the pages' status polls) go on using meanwhile.
            await anyio.to_thread.run_sync(preview.settled.wait, SETTLE_WAIT)
        try:
            if scope["path"].endswith("/") and await self._is_file(path):
                # `page.html/` names no file, as on any static host: served, the page's
                # relative links (a section page's `<base href="../">`) led nowhere.
                raise HTTPException(status_code=404)
            return await super().get_response(path, scope)
        except HTTPException as exc:
            preview = self.served.preview
            if exc.status_code != 404 or preview is None:
                raise
            shown = "/" + path.lstrip("/")
            asked = path.lstrip("/").replace("\\", "/")
            why = preview.draft_notice(asked) or self._left_out(asked)
            return missing_page(
                "Not in the preview",
                f"Not in the preview: {shown}."
                + (f" {why}." if why else "")
                + " This page reloads by itself after the next export.",
                preview,
            )

    def _left_out(self, path: str) -> str | None:
        """Why a file in the preview's folder is not served (`PreviewState.outside_formats`).
        Only of a file `lookup_path` would serve but for its format: nothing is said of one
        outside the folder (`/../x`, a link leading out) or hidden (`.syndicate-preview`),
        whose page is that of any missing file."""
        preview = self.served.preview
        if preview is None or any(part.startswith(".") for part in path.split("/")):
            return None
        try:
            full, found = super().lookup_path(path)  # (starlette's: never outside the folder)
        except (OSError, ValueError):
            return None
        if found is None or not stat.S_ISREG(found.st_mode):
            return None
        real = os.path.relpath(os.path.realpath(full), os.path.realpath(self.served.folder))
        real = real.replace(os.sep, "/")
        if real.startswith("../") or any(part.startswith(".") for part in real.split("/")):
            return None
        return preview.outside_formats(real)

    async def _is_file(self, path: str) -> bool:
        try:
            found = (await anyio.to_thread.run_sync(self.lookup_path, path))[1]
        except (OSError, ValueError):  # (a name too long, a NUL: the file server says 404)
            return False
        return found is not None and stat.S_ISREG(found.st_mode)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        """No file or folder whose name starts with a dot: a killed export's staging folder
        (`.syndicate-staging-*`, part of an unpublished rendering), the lock, a user's
        `.htaccess` or `.git` are not the site (404). The same of the file a link inside
        out/ leads to; and a link may not lead into a protected folder from outside it (the
        token was asked for by the address, which named no protected folder)."""
        if any(part.startswith(".") for part in path.replace("\\", "/").split("/")):
            return "", None
        full, found = super().lookup_path(path)
        if found is None:
            return full, found
        # Where the file is, out/ resolved now (a link swapped to another release is followed).
        real = os.path.relpath(os.path.realpath(full), os.path.realpath(self.served.folder))
        real = real.replace(os.sep, "/")
        if real.startswith("../") or any(part.startswith(".") for part in real.split("/")):
            return "", None
        preview = self.served.preview
        if preview is not None and preview.outside_formats(real) is not None:
            return "", None  # an earlier preview's file, of a format this one does not make
        # The token asked for was that of the folders the address names: the file's must be
        # among them (a link from newsml/ into ninjs/ would take newsml's token for ninjs').
        tokens = self.served.tokens
        if not set(protecting(real, tokens)) <= set(protecting(path, tokens)):
            return "", None
        return full, found

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        path = Path(full_path).resolve().relative_to(self.served.folder.resolve()).as_posix()
        inventory, feed_folders = self.served.serving()
        media_type = inventory.media_type(path)
        # The type said is the type meant (a browser sniffing a feed as HTML would run it).
        headers: dict[str, str] = {"X-Content-Type-Options": "nosniff"}
        if protected(path, self.served.tokens):  # a partner's: no shared cache keeps it
            headers["Cache-Control"] = "private, no-cache"
        link = self._hub_link(path, full_path, stat_result, feed_folders)
        if link:
            headers["Link"] = link
        preview = self.served.preview
        if preview is not None:
            headers.setdefault("Cache-Control", "no-cache")
            notice = preview.embargo_notice(path)
            if notice:
                headers["X-Syndicate-Embargoed"] = notice.isoformat()
            draft = preview.draft_status(path)
            if draft:  # (`--drafts`: a draft shown as if released)
                headers["X-Syndicate-Draft"] = draft
            if media_type.startswith("text/html"):
                return self._preview_page(Path(full_path), stat_result, scope, media_type, headers)
        opened = _open_regular(full_path)
        response: Response
        if _SENDS_OPEN_FILES:
            response = _OpenFileResponse(
                opened, full_path, status_code=status_code, media_type=media_type, headers=headers
            )
        else:  # a starlette that opens the path itself: the open file's bytes, whole
            with opened:
                status, data = os.fstat(opened.fileno()), opened.read()
            response = Response(data, status_code, headers, media_type)
            FileResponse.set_stat_headers(response, status)  # type: ignore[arg-type]
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            opened.close()
            return NotModifiedResponse(response.headers)
        return response

    def _hub_link(
        self,
        path: str,
        full_path: str | os.PathLike[str],
        stat: os.stat_result,
        feed_folders: frozenset[str],
    ) -> str | None:
        """`Link: <hub>; rel="hub", <feed>; rel="self"` for a feed that names a hub (a
        partner profile's folder is nested: `partners/<name>/`)."""
        if not path.endswith(FEED_SUFFIXES) or not any(
            path.startswith(f"{folder}/") for folder in feed_folders
        ):
            return None
        key = (path, stat.st_size, stat.st_mtime_ns)
        if key not in self._links:
            hub, topic = feed_links(Path(full_path))
            self._links[key] = f'<{hub}>; rel="hub", <{topic}>; rel="self"' if hub else None
        return self._links[key]

    def _preview_page(
        self,
        full_path: Path,
        stat: os.stat_result,
        scope: Scope,
        media_type: str,
        headers: dict[str, str],
    ) -> Response:
        """The page with the preview's banner, problems box and reload script first in its
        body: a screen reader says the banner first, and it shows at the top of the page."""
        state = self.served.preview
        assert state is not None
        path = full_path.resolve().relative_to(self.served.folder.resolve()).as_posix()
        extra = preview_markup(
            state.snapshot()[0], state.embargo_notice(path), state.draft_status(path)
        )
        page = local_links(full_path.read_bytes(), state.base_url, origin(scope))
        head = page.find(b"</head>")  # (a `<body` in a comment of the head is not it)
        found = BODY.search(page, max(head, 0))
        at = found.end() if found else len(page)
        body = page[:at] + extra + page[at:]
        # The ETag alone: the page served is the file and the preview's generation, which
        # changes with no change of the file's time (If-Modified-Since would keep it).
        headers["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if self.is_not_modified(Headers(headers), Headers(scope=scope)):
            return NotModifiedResponse(Headers(headers))
        return Response(body, media_type=media_type, headers=headers)


def _open_regular(full_path: str | os.PathLike[str]) -> IO[bytes]:
    """The file, opened once: its size and time said and its bytes sent are those of one
    file, though an export renames a new one over the path meanwhile. Gone or no longer a
    file since it was looked up: not found (a 404, or the preview's page for a missing one)."""
    try:
        opened = open(full_path, "rb")  # noqa: SIM115 -- closed by the response that sends it
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise HTTPException(status_code=404) from None
    if not stat.S_ISREG(os.fstat(opened.fileno()).st_mode):
        opened.close()
        raise HTTPException(status_code=404)
    return opened


_SENDS_OPEN_FILES = callable(getattr(FileResponse, "_open_file", None))
"""Whether this starlette's `FileResponse` reads its file through `_open_file` (1.8 and
later), which `_OpenFileResponse` gives the file already open; with another, a file is sent
from the open file whole, without ranges, never from its path opened again."""


class _OpenFileResponse(FileResponse):
    """A `FileResponse` of a file already open: Content-Length, Last-Modified and the ETag
    come from that file's `fstat`, and its bytes from the same open file (never the path
    again), which the response closes when it is done, sent or not."""

    def __init__(self, opened: IO[bytes], full_path: str | os.PathLike[str], **kwargs: Any):
        super().__init__(full_path, stat_result=os.fstat(opened.fileno()), **kwargs)
        self.opened = opened

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # No `pathsend` (a server sending the path would open it again).
        scope = {**scope, "extensions": {**scope.get("extensions", {})}}
        scope["extensions"].pop("http.response.pathsend", None)
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.opened.close()

    @asynccontextmanager
    async def _open_file(self) -> AsyncIterator[anyio.AsyncFile[bytes]]:
        self.opened.seek(0)
        yield anyio.wrap_file(self.opened)


HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
"""A `Host` header that is a host name or address and a port, nothing else."""


def origin(scope: Scope) -> str:
    """The address the browser reached this server at (`http://127.0.0.1:8000`,
    `http://newsroom-laptop.local:8000` through `--host 0.0.0.0`): its `Host` header, or, when
    that is missing or is not a plain host and port, the address the server listens on."""
    host = Headers(scope=scope).get("host", "")
    if not HOST.fullmatch(host):
        server = scope.get("server") or ("127.0.0.1", 80)
        name = f"[{server[0]}]" if ":" in str(server[0]) else str(server[0])
        host = f"{name}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


def local_links(page: bytes, base_url: str | None, here: str) -> bytes:
    """A preview page with the site's `base_url` (`https://ycpress.example/syndicate/`, where
    out/ is published) made the preview's own address (`here`, `http://127.0.0.1:8000`), as
    `hugo server` does: its links to its EPUB, feeds, images and other pages, its canonical
    link and its JSON-LD lead to the preview's files (an embargoed story's book is nowhere
    else yet), never to the published site. The file exported is left as it is."""
    if not base_url:
        return page
    local = here.rstrip("/") + "/"
    if not base_url.endswith("/"):
        local = local.rstrip("/")
    for form in dict.fromkeys((base_url, html.escape(base_url))):
        page = page.replace(form.encode(), local.encode())
    return page


def missing_page(title: str, text: str, state: PreviewState) -> Response:
    """A preview's 404: `title` as its heading and `text` in its main part, with the preview's
    banner and reload script, so a browser left on it comes back by itself once the page
    exists."""
    markup = preview_markup(state.snapshot()[0], None).decode()
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>{markup}<main>"
        f'<h1>{html.escape(title)}</h1><pre style="white-space:pre-wrap">{html.escape(text)}'
        "</pre></main></body></html>\n"
    )
    return HTMLResponse(page, status_code=404, headers={"Cache-Control": "no-cache"})


def preview_markup(generation: int, embargo: datetime | None, draft: str | None = None) -> bytes:
    """What a preview adds at the top of a page: the banner, a live region that the problems
    box goes into (a screen reader says new problems; a region present from the start is what
    it watches) and the reload script (`SCRIPT_PATH`, told the generation the page was served
    at). All in English, whatever the page's language: `lang` and `dir` keep an Arabic page's
    voice and direction off them. A draft's page (`--drafts`, `draft` its status) says so
    first, in a colour of its own, and its embargo, if it has one, after."""
    words = "Preview: not published."
    colour = "#1f3a5f"
    if embargo is not None:
        words = (
            f"Embargoed until {embargo.isoformat()}: shown only in this preview, never"
            " written to out/."
        )
        colour = "#8a1010"
    if draft is not None:
        words = (
            f"Draft (status: {draft}): shown only in this preview with --drafts, never written"
            " to out/." + (f" Embargoed until {embargo.isoformat()}." if embargo else "")
        )
        colour = "#6b3d00"
    # Above the problems box, which could otherwise cover it on a short window.
    style = (
        "position:sticky;top:0;z-index:2147483647;padding:.4em 1em;color:#fff;"
        f"background:{colour};font:600 14px/1.4 system-ui,sans-serif;text-align:center"
    )
    english = 'lang="en" dir="ltr"'
    banner = (
        f'<aside id="syndicate-preview" aria-label="Preview" {english} style="{style}">'
        f"{html.escape(words)}</aside>"
    )
    live = f'<div id="syndicate-live" aria-live="polite" {english}></div>'
    script = f'<script src="{SCRIPT_PATH}" data-generation="{generation}"></script>'
    return f"\n{banner}\n{live}\n{script}\n".encode()


def protecting(path: str, tokens: Mapping[str, object]) -> list[str]:
    """The protected folders (`newsml/`) the address `path` is inside, as the file server
    resolves it on any system: `//newsml/../newsml/x` and `newsml\\x` are in newsml/, and,
    for a disk that does not tell case apart (macOS, Windows), `NewsML/x` too."""
    clean = posixpath.normpath("/" + path.replace("\\", "/")).lstrip("/").lower() + "/"
    return [prefix for prefix in tokens if clean.startswith(prefix.lower())]


def protected(path: str, tokens: Mapping[str, object]) -> bool:
    return bool(protecting(path, tokens))


class _BearerTokens:
    """Requests under a protected folder need `Authorization: Bearer <token>` (RFC 6750)."""

    def __init__(self, app: ASGIApp, tokens: Mapping[str, Sequence[str]]) -> None:
        self.app = app
        self.tokens = {folder: [t.encode() for t in ts] for folder, ts in tokens.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            needed = [self.tokens[prefix] for prefix in protecting(scope["path"], self.tokens)]
            if needed:
                given = Headers(scope=scope).get("authorization", "")
                scheme, _, token = given.partition(" ")
                if scheme.lower() != "bearer" or not any(
                    hmac.compare_digest(token.strip().encode(), t) for ts in needed for t in ts
                ):
                    challenge = 'Bearer realm="syndicate"'
                    if given:  # RFC 6750 3.1: no token at all is a malformed request
                        error = "invalid_token" if token.strip() else "invalid_request"
                        challenge += f', error="{error}"'
                    response = Response(
                        "a bearer token is needed for this folder\n",
                        status_code=401,
                        headers={"WWW-Authenticate": challenge},
                        media_type="text/plain",
                    )
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
