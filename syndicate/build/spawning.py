"""Worker processes spawned with Ctrl-C blocked until they are ready: a Ctrl-C while a worker
still imported its modules printed Python's traceback of it above the command's own last
line. Imported only where a pool is made (and by its workers)."""

from __future__ import annotations

import signal
import weakref
from collections.abc import Iterable
from multiprocessing.context import SpawnContext, SpawnProcess
from multiprocessing.process import BaseProcess

_IGNORED_AT_START = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
"""Whether this process started with Ctrl-C ignored: a command started so (a script's
`syndicate export &`, `nohup`-like wrappers) ignores it, and a worker it spawns inherits
that (an ignored signal stays ignored across exec, and Python keeps it so). Read as this
module is imported, before `ignore_interrupts` ignores it in a worker."""

_STARTED: weakref.WeakSet[SpawnProcess] = weakref.WeakSet()
"""Every process started by `spawning`, recorded before a Ctrl-C that came meanwhile is let
through (see `unlisted`)."""


class _StartBlocked(SpawnProcess):
    """A spawned process started with Ctrl-C blocked (see `spawning`)."""

    def start(self) -> None:
        self.first_arg = self._args[:1]  # type: ignore[attr-defined]
        """(`start` deletes the arguments; `unlisted` needs the first)"""
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            super().start()
            _STARTED.add(self)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def terminate(self) -> None:
        """SIGKILL, not SIGTERM: a worker ignores SIGTERM (`ignore_interrupts`). A pool
        that finds itself broken (a worker killed by the OOM killer, or by a SIGTERM to the
        whole process group while it started) terminates the others, then waits for them:
        one blocked sending a large result back, which the pool no longer read, never ended,
        and the export hung instead of saying that a worker died."""
        self.kill()


class _Spawning(SpawnContext):
    Process = _StartBlocked


def spawning() -> SpawnContext:
    """The context for a pool of spawned worker processes that start with Ctrl-C blocked.
    The command gets a Ctrl-C as ever (blocked only while a process is started, it is then
    delivered); a worker takes it once its initializer says how (`interruptible`, or
    `ignore_interrupts`)."""
    return _Spawning()


def unlisted(first_arg: object, listed: Iterable[BaseProcess]) -> list[BaseProcess]:
    """The processes started with `first_arg` (a pool's call queue) that are alive and not
    among `listed` (the pool's own list of its workers). A Ctrl-C held while a pool started
    a worker arrives as `start` returns, before the pool lists it: the pool never stopped
    it, and once the command had closed the pool's queues it printed a traceback (it could
    not rebuild them) under the command's "interrupted" line."""
    known = set(map(id, listed))
    return [
        process
        for process in list(_STARTED)
        if id(process) not in known
        and getattr(process, "first_arg", ()) == (first_arg,)
        and process.is_alive()
    ]


def ignore_interrupts() -> None:
    """In a worker started by `spawning`: Ctrl-C is the command's to handle; one typed while
    the worker started is dropped. So is SIGTERM (`timeout`, a service stopping: sent to the
    whole process group): a worker it killed while it sent a result back left the pool's
    thread waiting for the rest of it for ever, and the command, stopping the pool, with it.
    A worker ends with the command anyway (`end_with_parent`)."""
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def interruptible() -> None:
    """In a worker started by `spawning`: Ctrl-C raises KeyboardInterrupt in its work (one
    typed while it started is dropped: the command stops the pool). A pool's worker calls it
    as each batch starts and ignores Ctrl-C again once the batch is done (`_pool_batch`):
    taken while it waited for the next batch, it ended the process and broke the pool. A
    command started with Ctrl-C ignored keeps it ignored in its workers too."""
    ignore_interrupts()
    for each in (signal.SIGINT, signal.SIGTERM):  # (SIGTERM as the command takes it)
        if each == signal.SIGINT and _IGNORED_AT_START:  # the command ignores it: so do we
            continue  # (a Ctrl-C to the group stopped a run started with it ignored, 130)
        signal.signal(each, signal.default_int_handler)
