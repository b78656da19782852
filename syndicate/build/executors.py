"""Where the stories' work runs, behind one interface: in this process (`serial`), in a pool of
local worker processes (`pool`, the default) or on a Dask cluster (`dask`, see `dask_adapter`).
Stories travel in batches (`BATCH`); results come back in the order the work was planned, so
the output does not depend on the executor, and never more than a few batches are in flight,
so memory does not grow with the archive. A worker that dies is an `ExecutorError`: the engine
reports it and publishes nothing."""

from __future__ import annotations

import logging
import math
import os
import pickle
import signal
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from syndicate.build.scheduling import KINDS, ExecutorError
from syndicate.build.sources import Snapshot
from syndicate.build.workers import Done, Job, Settings, Unit, run_batch, unit, whole
from syndicate.diagnostics import route_library_warnings

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.process import BaseProcess

log = logging.getLogger(__name__)

BATCH = 8
"""Stories per task, at most. A story's work takes 10 to 100 ms; a task costs about 0.2 ms in
Dask and a little less in a process pool, so 8 stories make the overhead negligible, while
keeping batches small enough that every worker gets several (see `batch_size`) and a batch
with its images stays a few megabytes."""
BATCH_BYTES = 16 * 1024 * 1024
"""The most bytes of stories' files a batch carries to a worker elsewhere (`carried`), but for a
story that carries more alone (a story's images may total 64 MiB: it goes in a batch of its
own). Eight stories of 8 MB photos made tasks of 64 MB, two per worker held by the driver and
by the scheduler until done: a run's memory grew with its photos' size, not its workers'."""
BATCHES_PER_WORKER = 4
IN_FLIGHT_PER_WORKER = 2
"""Batches sent ahead per worker: enough to keep it busy, few enough to bound memory."""
IN_PROCESS = 2
"""Stories run in the export's own process rather than in a pool started for them: starting
worker processes (each imports syndicate and the formats) costs more than a story or two
(an edit) takes. The results are the same bytes either way."""


class Pending(Protocol):
    """A batch sent to a worker: a concurrent.futures or a Dask future."""

    def result(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class ExecutorSpec:
    """Which executor a run uses: `workers` processes of a pool or of a local Dask cluster;
    `scheduler` the address of a running Dask scheduler (then the cluster has its own)."""

    kind: str = "pool"
    workers: int = 1
    scheduler: str | None = None


class Executor(ABC):
    """Runs batches of units with the run's settings, results in order."""

    workers = 1
    ships = False
    """Whether the stories' files travel with the work (workers may be on other machines);
    else workers read them where they are."""
    batch_bytes = BATCH_BYTES
    """The most bytes of files a batch carries when they travel (`_batches`)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @abstractmethod
    def submit(self, batch: list[Unit]) -> Pending:
        """Send one batch; its future gives the batch's `Done`s."""

    def failure(
        self, exc: BaseException, failed: Sequence[str] = (), sent: Sequence[str] = ()
    ) -> ExecutorError:
        """What a failure of the work means for the user: `failed` names the stories of the
        batch whose result was the failure, `sent` those of every batch sent and not yet
        taken (`failed` first)."""
        log.debug("the work failed", exc_info=exc)
        if isinstance(exc, TypeError | AttributeError | pickle.PicklingError) and (
            "pickle" in str(exc).lower()
        ):
            # The run's settings (its writers) travel to the workers pickled: a plugin's
            # writer holding a lock or a connection cannot (with --jobs 1 it need not).
            return ExecutorError(
                f"the work could not be sent to the worker processes ({exc}); nothing was"
                " published: a plugin format's writer must be picklable (no lock, file or"
                " connection in its attributes); export with --jobs 1 meanwhile"
            )
        return ExecutorError(f"a worker failed: {exc!r}; nothing was published")

    def run(self, jobs: Sequence[Job]) -> Iterator[Done]:
        """The jobs' results, in order. Never more in flight (sent, their results not yet
        taken) than `_room` allows: the driver holds the files of each batch in flight, so
        the next batch is read only once a full one would fit, and sent at once (a story
        larger than a batch alone waits for the room it takes, or for no other batch)."""
        pending: deque[tuple[Pending, list[Unit], int]] = deque()
        batches = _batches(jobs, self.workers, self.ships, self.batch_bytes)
        try:
            while True:
                while pending and not self._room(pending, BATCH, self.batch_bytes):
                    yield from self._oldest(pending)
                batch = next(batches, None)
                if batch is None:
                    break
                weight = sum(map(carried, batch))
                while pending and not self._room(pending, len(batch), weight):
                    yield from self._oldest(pending)
                pending.append((self.submit(batch), batch, weight))
            while pending:
                yield from self._oldest(pending)
        except ExecutorError:
            raise
        except Exception as exc:  # a worker died, or the work raised: never a traceback
            failed = [story_name(unit) for unit in pending[0][1]] if pending else []
            sent = [story_name(unit) for _, batch, _ in pending for unit in batch]
            raise self.failure(exc, failed, sent) from None

    def _room(
        self, pending: deque[tuple[Pending, list[Unit], int]], stories: int, weight: int
    ) -> bool:
        """Whether a batch of `stories` that carries `weight` bytes may join those `pending`:
        `window` batches in flight at most; when their files travel, as many stories as
        `window` full batches hold and their bytes (`batch_bytes` each), so that batches cut
        short by the bytes keep the workers as busy (with two batches of one story a worker,
        a run of 8 MB photos took a quarter longer). Checked before a batch is sent: checked
        after, the batches in flight went one batch past the window, its files held by the
        driver and the scheduler."""
        window = max(1, self.workers * IN_FLIGHT_PER_WORKER)
        if not self.ships:
            return len(pending) < window
        stories += sum(len(batch) for _, batch, _ in pending)
        weight += sum(carrying for _, _, carrying in pending)
        return stories <= window * BATCH and weight <= window * self.batch_bytes

    def _oldest(self, pending: deque[tuple[Pending, list[Unit], int]]) -> Iterator[Done]:
        """The results of the oldest batch in flight, then out of `pending` (it names the
        stories in flight when the batch failed)."""
        future, batch, _ = pending[0]
        yield from self._taken(future, batch)
        pending.popleft()

    def _taken(self, future: Pending, batch: list[Unit]) -> Iterator[Done]:
        """A batch's results; a story whose reading wanted a file left out of its journey is
        sent again with all of them (`Done.withheld`)."""
        for done, work in zip(future.result(), batch, strict=True):
            if done.withheld:
                yield from self.submit([whole(work)]).result()
            else:
                yield done


def batch_size(jobs: int, workers: int) -> int:
    """Up to `BATCH` stories a task, fewer when there are few stories, so that each worker
    gets `BATCHES_PER_WORKER` batches and none waits for the last one long."""
    return max(1, min(BATCH, math.ceil(jobs / (workers * BATCHES_PER_WORKER))))


def carried(work: Unit) -> int:
    """The bytes of files a unit carries: its story's files and memos when they travel (a
    folder's path carries none)."""
    size = sum(len(data) for data in work.assets.values())
    size += sum(len(data) for memos in work.memos.values() for _, data in memos.values())
    if isinstance(work.source, Snapshot):
        size += sum(len(entry.data) for entry in work.source.entries)
    return size


def _batches(
    jobs: Sequence[Job], workers: int, ships: bool, limit: int = BATCH_BYTES
) -> Iterator[list[Unit]]:
    """The jobs' units in batches of `batch_size` of the jobs still to send, so that the last
    batches of a run are short (a worker given the last long one would keep the others
    waiting), and of `limit` bytes (`BATCH_BYTES`) at most (a story that carries more goes
    alone); each
    batch is read when it is sent (not all at once: the story that would have made one too
    large is read with it, and starts the next)."""
    it = iter(enumerate(jobs))
    left = len(jobs)
    held: Unit | None = None
    while left:
        batch: list[Unit] = []
        size, weight = batch_size(left, workers), 0
        while len(batch) < size:
            if held is None:
                if (following := next(it, None)) is None:
                    break
                number, job = following
                held = unit(job, ships, number)
            more = carried(held)
            if batch and weight + more > limit:
                break
            batch.append(held)
            weight += more
            held = None
        if not batch:
            return
        left -= len(batch)
        yield batch


class _Done:
    """An already computed result (the serial executor's future)."""

    def __init__(self, value: list[Done]) -> None:
        self.value = value

    def result(self) -> list[Done]:
        return self.value


class SerialExecutor(Executor):
    """Everything in this process: for one core, debugging and small runs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = replace(settings, stage_to=None)
        """The driver stages the files it holds itself: staging them here to take them
        again would cost a rename a file."""

    def submit(self, batch: list[Unit]) -> Pending:
        return _Done(run_batch(self.settings, batch))


_settings: Settings | None = None
_PR_SET_PDEATHSIG = 1


def _init_pool_worker(settings: Settings) -> None:
    global _settings
    _settings = settings
    end_with_parent()
    from syndicate.build.spawning import ignore_interrupts

    # Between batches Ctrl-C is the command's: a worker waiting for its next batch that took
    # it died with a KeyboardInterrupt traceback, and broke the pool, so that the export said
    # "a worker process died (killed, or out of memory)" (status 1) instead of "interrupted".
    # `_pool_batch` takes it while a batch runs, when the run allows it.
    ignore_interrupts()


def end_with_parent() -> None:
    """A worker process ends with the command that started it, even when that one is killed;
    like the command line, it logs library warnings instead of printing them."""
    import ctypes
    import ctypes.util

    route_library_warnings()
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the command died before the line above
        os._exit(1)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Shut a pool down once the work under way is done, its work not started dropped; its
    processes end with it even when Ctrl-C comes meanwhile (a second one, or the command's own
    after a worker's), or came before the pool's manager thread started. Such a shutdown left
    workers waiting for work for ever, which Python's exit then waited for (the export hung
    after saying it was interrupted), or still starting, each printing a traceback when it
    found the command gone. Those still there are killed (SIGKILL): a worker ignores SIGTERM
    (see `ignore_interrupts`), so terminating one left the command waiting for its work."""
    from syndicate.build.spawning import unlisted

    listed: list[BaseProcess] = list((pool._processes or {}).values())
    strays = unlisted(pool._call_queue, listed)  # type: ignore[attr-defined]
    for stray in strays:  # (before the queues it still has to read are closed)
        stray.kill()
    workers = listed + strays
    try:
        pool.shutdown(wait=True, cancel_futures=True)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
        for worker in workers:
            worker.join()


def _pool_batch(batch: list[Unit]) -> list[Done]:
    assert _settings is not None, "_init_pool_worker sets the run's settings"
    if not _settings.interruptible:  # the caller stops the run (`export(interruptible=False)`)
        return run_batch(_settings, batch)
    from syndicate.build.spawning import ignore_interrupts, interruptible

    interruptible()  # Ctrl-C ends the batch at once (the command then stops the pool)
    try:
        return run_batch(_settings, batch)
    finally:
        ignore_interrupts()  # waiting for the next batch, or sending this one's result back


class PoolExecutor(Executor):
    """A pool of local worker processes, spawned (not forked: a forked worker would inherit
    out/'s lock and, if the export were killed, keep holding it). The pool's modules are
    imported when one is made: an edit runs its story in this process (`IN_PROCESS`), and
    importing them cost it 20 ms."""

    def __init__(self, settings: Settings, workers: int) -> None:
        from concurrent.futures import ProcessPoolExecutor

        from syndicate.build.spawning import spawning

        self.workers = workers
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=spawning(),
            initializer=_init_pool_worker,
            initargs=(settings,),
        )

    def __exit__(self, *exc: object) -> None:
        stop_pool(self.pool)

    def submit(self, batch: list[Unit]) -> Future[list[Done]]:
        # A pool found broken raises here: `run` says so with the stories then under way
        # (the one that killed the worker is among them).
        return self.pool.submit(_pool_batch, batch)

    def failure(
        self, exc: BaseException, failed: Sequence[str] = (), sent: Sequence[str] = ()
    ) -> ExecutorError:
        from concurrent.futures.process import BrokenProcessPool

        if isinstance(exc, BrokenProcessPool):
            # The pool breaks every batch with the process that died: the one that killed
            # it is among those sent, each named (the advice is to try each).
            return ExecutorError(
                f"a worker process died (killed, or out of memory){while_making(sent)};"
                " nothing was published: run the export again, with fewer --jobs if memory"
                " is short" + (ONE_OF_THEM if sent else "")
            )
        return super().failure(exc, failed, sent)


ONE_OF_THEM = (
    "; if it dies again, one of these stories may be what kills it: export each alone"
    " (--story) to find which, and move it out of the articles folder meanwhile"
)


def while_making(stories: Sequence[str]) -> str:
    """` while making a, b, c` (every one: the advice is to try each), or nothing."""
    return f" while making {', '.join(stories)}" if stories else ""


def story_name(unit: Unit) -> str:
    """The story folder's name a unit is the work of."""
    source = unit.source
    if isinstance(source, Path):
        return source.name
    if isinstance(source, Snapshot):
        return source.name
    return source.slug


PER_CORE = 4
"""The most worker processes a run starts on this machine for each core it may use: more
only wait their turn, each holding its own memory (`--jobs 100000` started one process per
batch, 130 of them and 12 GB on a two-core machine)."""


def local_workers(asked: int) -> int:
    """The worker processes to start on this machine for `asked` (`--jobs`): at most
    `PER_CORE` for each core this process may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # (not on every system)
        cores = os.cpu_count() or 1
    return max(1, min(asked, PER_CORE * cores))


def open_executor(spec: ExecutorSpec, settings: Settings, jobs: int) -> Executor:
    """The executor for `jobs` units of work: a pool or a local cluster only when there is
    more than one unit to share, of at most `local_workers` processes."""
    if spec.kind not in KINDS:
        raise ExecutorError(f"unknown executor {spec.kind!r}; use one of {', '.join(KINDS)}")
    if spec.scheduler is None:
        spec = replace(spec, workers=local_workers(spec.workers))
    if spec.kind == "dask":
        from syndicate.build.dask_adapter import DaskExecutor

        return DaskExecutor(settings, spec.workers, spec.scheduler)
    if spec.kind == "serial" or spec.workers <= 1 or jobs <= IN_PROCESS:
        return SerialExecutor(settings)
    return PoolExecutor(settings, spec.workers)


def run(jobs: Sequence[Job], spec: ExecutorSpec, settings: Settings) -> Iterator[Done]:
    """The jobs' results in order, from the executor `spec` names."""
    if not jobs:
        return
    with open_executor(spec, settings, len(jobs)) as executor:
        yield from executor.run(jobs)
