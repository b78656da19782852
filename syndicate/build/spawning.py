"""Worker processes spawned with Ctrl-C blocked until they are ready: a Ctrl-C while a worker
still imported its modules printed Python's traceback of it above the command's own last
line. Imported only where a pool is made (and by its workers)."""

from __future__ import annotations

import signal
from multiprocessing.context import SpawnContext, SpawnProcess


class _StartBlocked(SpawnProcess):
    """A spawned process started with Ctrl-C blocked (see `spawning`)."""

    def start(self) -> None:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            super().start()
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
    taken while it waited for the next batch, it ended the process and broke the pool."""
    ignore_interrupts()
    for each in (signal.SIGINT, signal.SIGTERM):  # (SIGTERM as the command takes it)
        signal.signal(each, signal.default_int_handler)
