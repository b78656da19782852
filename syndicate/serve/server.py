"""Running the preview or partner server: uvicorn on a socket bound here (so `--port 0` takes
a free port and says which), one access-log line per request, and the watcher thread of a
preview. Ctrl-C stops it."""

from __future__ import annotations

import logging
import socket
import sys
import threading
from collections.abc import Callable

import uvicorn

from syndicate.serve.app import Served, make_app
from syndicate.serve.preview import Previewer


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (0: any free port); OSError if taken.

    It listens from here on, before uvicorn starts: a client that connects as soon as the
    "serving ... at" line is printed is queued, not refused."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
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
) -> None:
    """Serve until interrupted."""
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
    if not quiet:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    say(f"serving {served.folder} at http://{shown}:{port}/ (Ctrl-C to stop)")
    stop = threading.Event()
    if previewer is not None:
        threading.Thread(target=previewer.watch, args=(stop,), daemon=True).start()
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        stop.set()
        sock.close()
