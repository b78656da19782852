"""Running the preview or partner server: uvicorn on a socket bound here (so `--port 0` takes
a free port and says which), one access-log line per request, and the watcher thread of a
preview. Ctrl-C stops it."""

from __future__ import annotations

import json
import logging
import socket
import sys
import threading
from collections.abc import Callable

import uvicorn

from syndicate.serve.app import SCRIPT_PATH, STATUS_PATH, Served, make_app
from syndicate.serve.preview import Previewer

STOP_SECONDS = 30.0
"""How long a stopping preview waits for the export under way to stop and clean up (it does
at its next story or format, in well under a second for most sites); a second Ctrl-C stops
waiting."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (0: any free port); OSError if taken.

    It listens from here on, before uvicorn starts: a client that connects as soon as the
    "serving ... at" line is printed is queued, not refused."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only for a socket that says
    # it is TCP; without, each response on a kept-alive connection waited 40 ms for an ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run(
    served: Served,
    sock: socket.socket,
    previewer: Previewer | None,
    *,
    quiet: bool,
    say: Callable[[str], None],
    json_logs: bool = False,
) -> None:
    """Serve until interrupted; with `json_logs` (`--log-format json`), each request's line
    is a JSON object, as every other line the command prints."""
    config = uvicorn.Config(
        make_app(served),
        log_config=None,
        log_level="warning",
        access_log=not quiet,
        lifespan="off",
        timeout_graceful_shutdown=1,
        server_header=False,
    )
    # After uvicorn's Config, which sets its loggers' levels: one plain line per request.
    access = logging.getLogger("uvicorn.access")
    access.propagate = False
    access.addFilter(_not_polls)
    if not quiet:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_JsonAccess() if json_logs else logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    say(f"serving {served.folder} at http://{shown}:{port}/ (Ctrl-C to stop)")
    stop = threading.Event()
    watcher = None
    if previewer is not None:
        watcher = threading.Thread(
            target=previewer.watch, args=(stop,), name="preview watcher", daemon=True
        )
        watcher.start()
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        stop.set()
        sock.close()
        if watcher is not None:
            # An export under way stops at its next story or format and cleans up after
            # itself (its staging folder removed, the build state's transaction rolled back):
            # a process ending under it left both behind.
            watcher.join(STOP_SECONDS)


def _not_polls(record: logging.LogRecord) -> bool:
    """Whether a request is worth a line: not the preview pages' own polls for a new export
    (each open page asks every 0.7 s; their lines buried the export's diagnostics), nor
    their loads of the preview's script."""
    args = record.args if isinstance(record.args, tuple) else ()
    return not (len(args) == 5 and str(args[2]).split("?")[0] in (STATUS_PATH, SCRIPT_PATH))


class _JsonAccess(logging.Formatter):
    """uvicorn's access record (client, method, path, HTTP version, status) as one JSON line:
    `{"request": {"client": ..., "method": "GET", "path": "/", "status": 200}}`."""

    def format(self, record: logging.LogRecord) -> str:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) == 5:
            client, method, path, _, status = args
            request = {"client": client, "method": method, "path": path, "status": status}
        else:
            request = {"message": record.getMessage()}
        return json.dumps({"request": request}, ensure_ascii=False, sort_keys=True)
