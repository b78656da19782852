"""What a run may choose of where its stories' work runs, checked before any of it is imported
or reached: the executors' names and a Dask scheduler's address. The executors themselves are
in `executors` and `dask_adapter`; a run that finds nothing changed loads neither
(docs/performance.md, "The twenty-third round")."""

from __future__ import annotations

import threading
import time
from typing import Any, Literal
from urllib.parse import urlsplit


class ExecutorError(Exception):
    """The work could not be run (a worker died, the cluster is unreachable, a worker runs
    other code); the message says what happened and what to do."""


# A Dask worker running another version of syndicate raises this to say so, and the driver
# unpickles it by its module and name: the name it had in every version before this module
# (`workers` still has it), so that a driver of any version can read the message.
ExecutorError.__module__ = "syndicate.build.workers"


Kind = Literal["serial", "pool", "dask"]
KINDS: tuple[Kind, ...] = ("serial", "pool", "dask")
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
"""The protocols of Dask's communications that reach another process (not `inproc`)."""
EXAMPLE = "tcp://10.0.0.5:8786"


def address_problem(address: str) -> str | None:
    """Why `address` cannot be a Dask scheduler's, before anything tries to reach it (Dask
    itself takes 40 s to say, in a traceback); None when it can be. Like Dask, an address
    without a protocol is a TCP one."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    why = None
    try:
        parts = urlsplit(f"//{rest}")
        if parts.port == 0:
            raise ValueError("port 0")
    except ValueError:
        why = "its port is not a number from 1 to 65535"
    else:
        if not address.strip():
            why = "it is empty (is the variable meant to give it unset?)"
        elif scheme not in SCHEMES:
            why = f"Dask has no protocol {scheme!r} (it has {', '.join(SCHEMES)})"
        elif parts.path or parts.query or parts.fragment or "@" in rest:
            why = "it has more than a host and a port"
        elif not parts.hostname:
            why = "it names no host"
        elif parts.port is None:
            why = "it names no port (a scheduler listens on 8786 unless told otherwise)"
    if why is None:
        return None
    return f"{address!r} is not a Dask scheduler's address: {why}; give one such as {EXAMPLE}"


GONE_SECONDS = 2.0
"""How long a run that sent its scheduler no work waits for it to take a connection."""


def scheduler_gone(address: str, seconds: float = GONE_SECONDS) -> str | None:
    """Why no scheduler can be at `address` (nothing listens there, its host is unknown or
    does not answer within `seconds`), or None. A connection taken and closed, without Dask
    (importing it cost more than a run that changes nothing takes): a run that needs no
    worker says so of a cluster gone, and the cron job that runs it learns it before the
    run that changes a story fails."""
    import socket  # (a Dask run's: loading this module, every export does, needs it not)

    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme not in ("tcp", "tls", "ws", "wss"):  # (ucx: no socket to try)
        return None
    parts = urlsplit(f"//{rest}")
    if parts.hostname is None or parts.port is None:
        return None
    deadline = time.monotonic() + seconds
    try:
        addresses = _resolved(parts.hostname, parts.port, seconds)
        if addresses is None:
            return f"its host's name was not resolved within {seconds:g} s (a DNS server down?)"
        last: OSError | None = None
        for family, kind, proto, _, where in addresses:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            try:
                with socket.socket(family, kind, proto) as connection:
                    connection.settimeout(left)
                    connection.connect(where)
                return None
            except TimeoutError:
                raise
            except OSError as exc:
                last = exc
        if last is not None:
            raise last
    except ConnectionRefusedError:
        return "nothing listens there (connection refused)"
    except socket.gaierror as exc:
        return f"its host is not known ({exc.strerror})"
    except TimeoutError:
        return f"no answer within {seconds:g} s"
    except OSError as exc:
        return f"it cannot be reached ({exc.strerror or exc})"
    return None


def _resolved(host: str, port: int, seconds: float) -> list[Any] | None:
    """`socket.getaddrinfo` of `host`, waited for `seconds` at most (else None): it has
    no timeout of its own, and a DNS server that does not answer held a run that changes
    nothing for the resolver's timeouts and retries (10 s by default, more as configured)."""
    import socket

    said: list[Any] = []

    def resolve() -> None:
        try:
            said.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            said.append(exc)

    # A daemon thread: one still waiting for the resolver does not hold the export's exit.
    looking = threading.Thread(target=resolve, name="scheduler-address", daemon=True)
    looking.start()
    looking.join(seconds)
    if not said:
        return None
    if isinstance(said[0], OSError):
        raise said[0]
    return list(said[0])
