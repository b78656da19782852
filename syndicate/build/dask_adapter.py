"""The one place syndicate talks to Dask distributed (the optional extra `syndicate[dask]`): an
executor that sends batches of stories to a cluster, the one at `--scheduler` or a local one of
`--jobs` worker processes. The run's settings go to the cluster once, as a task that Dask
can run again when the workers holding them die; each task sent to a scheduler carries its
stories' files, so workers need syndicate and the cover fonts installed, and nothing else. The
workers of a local cluster run on this machine: they read the stories where they are, as the
process pool's do."""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError
from dataclasses import replace
from typing import Any

from syndicate.build.executors import ONE_OF_THEM, Executor, Pending, while_making
from syndicate.build.inputs import package_digest, plugin_packages
from syndicate.build.scheduling import ExecutorError
from syndicate.build.sources import TemplateRefused, site_files
from syndicate.build.toolchain import Libraries, output_libraries, skew
from syndicate.build.workers import Done, Settings, Unit, font_dirs, run_batch, run_libraries
from syndicate.diagnostics import Diagnostic

log = logging.getLogger(__name__)

CONNECT_SECONDS = 20
"""How long to wait for a scheduler (and, locally, for the cluster to start)."""
INSTALL = "install it with: pip install 'syndicate[dask]'"
LOST = "scheduler-connection-lost"
"""Why Dask's client cancels every future it holds when it loses its scheduler."""


class DaskExecutor(Executor):
    """Batches as Dask tasks. A worker lost while running a task is replaced and the task run
    again elsewhere (the work is pure); a task that keeps killing its workers, or a cluster
    that cannot be reached, is an `ExecutorError`."""

    def __init__(self, settings: Settings, workers: int, scheduler: str | None) -> None:
        distributed = _distributed()
        self.scheduler = scheduler
        self.plugins = plugin_packages(settings.writers.values())
        self.ships = scheduler is not None
        """A scheduler's workers may be on other machines; a local cluster's are on this one
        and see its files (shipping them cost a full export a third more time)."""
        self.cluster: Any = None
        self.client: Any = None
        self.loud: Callable[[], None] | None = _quiet_distributed()
        try:
            if scheduler is None:
                self.cluster = _local_cluster(distributed, workers)
            else:
                _answers_as_scheduler(distributed, scheduler)
            self.client = distributed.Client(
                scheduler or self.cluster, timeout=CONNECT_SECONDS, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as exc:
            self._close()
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise ExecutorError(
                f"cannot reach {where}: {exc}; check the address and that the scheduler runs"
            ) from None
        except BaseException:  # Ctrl-C while connecting: no client left for Python to close
            self._close()
            raise
        try:
            self.settings = self._send_settings(distributed, settings, workers)
        except BaseException:  # Ctrl-C, or the cluster cannot take them: the client is closed
            self._close()
            raise

    def _send_settings(self, distributed: Any, settings: Settings, workers: int) -> Any:
        """The run's settings on the cluster, as a task, not as scattered data: when every
        worker that holds them dies, Dask runs it again (from its copy on the scheduler) for
        the batches that need them, where data scattered with `broadcast` was lost for good,
        and the run with it. Each worker fetches them once, from one that has them."""
        # Every worker (`n_workers=-1`): Dask 2025.4 and later give 5 unless told, and a
        # cluster of 50 had 10 batches in flight, 40 of its workers idle.
        info = self.client.scheduler_info(n_workers=-1)
        self.workers = max(1, info.get("n_workers") or len(info.get("workers", {})) or workers)
        try:
            site = site_files(settings.config)
            site = replace(site, plugins=tuple((p, package_digest(p)) for p in self.plugins))
            site = replace(site, libraries=run_libraries(settings))
            travelling = replace(settings, site=site)
        except TemplateRefused as exc:
            raise ExecutorError(str(exc)) from None
        if self.ships:  # a scheduler's workers may run on machines of their own
            self._refuse_skewed(site.libraries, font_dirs(settings))
        if self.ships:  # a scheduler's workers may not see out/: their files come back
            travelling = replace(travelling, stage_to=None)
        future = self.client.submit(_settings, travelling, pure=False)
        # Made before any batch is sent: the scheduler reads each graph in a thread, so a
        # batch's, smaller, could come first and the batch be cancelled (`lost dependencies`).
        _Watched(future, self).wait()
        if future.status != "finished":  # the scheduler could not read them, or a worker
            said = " ".join(str(future.exception()).split())  # (Dask's are many lines)
            first = said if len(said) <= 300 else said[:299] + "…"
            where = f" at {self.scheduler}" if self.scheduler else ""
            raise ExecutorError(
                f"the Dask cluster{where} could not take the run's settings: {first}; install"
                " the same syndicate (and plugins) where its scheduler and its workers run"
            )
        return future

    def _refuse_skewed(self, libraries: Libraries, dirs: tuple[str, ...] | None) -> None:
        """An `ExecutorError` naming the first worker whose libraries or cover fonts are not
        the driver's (`toolchain.skew`), before any story is sent: one such worker wrote other
        bytes than the others, published together. A worker that cannot say (it lacks
        syndicate, or runs another version) is left to its first batch, which says why; so is
        one that joins the cluster later (`prepared` checks the same)."""
        said = self.client.run(_skew_here, libraries, dirs, on_error="return")
        for address, answer in sorted(said.items()):
            if isinstance(answer, BaseException):
                log.debug("the Dask worker %s could not say its libraries: %r", address, answer)
            elif isinstance(answer, tuple) and answer[1] is not None:
                where, problem = answer
                raise ExecutorError(f"on {where}: {problem}")

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        client, self.client = self.client, None
        try:
            if client is not None:
                client.close(timeout=CONNECT_SECONDS)
            if self.cluster is not None:
                self.cluster.close()
                self.cluster = None
        except (OSError, TimeoutError) as exc:  # the scheduler is gone: nothing to close
            log.debug("closing the Dask client: %r", exc)
        finally:
            loud, self.loud = self.loud, None
            if loud is not None:
                loud()

    def submit(self, batch: list[Unit]) -> Pending:
        return _Watched(self.client.submit(on_worker, self.settings, batch, pure=False), self)

    def no_workers(self) -> ExecutorError:
        """What a cluster left without workers means, said when it has been so too long."""
        at = f" at {self.scheduler}" if self.scheduler else ""
        # A worker without a plugin's package dies as one without syndicate does: unpickling.
        code = " and ".join(("syndicate", *self.plugins))
        return ExecutorError(
            f"the Dask scheduler{at} has had no worker for {NO_WORKER_SECONDS} s (none started,"
            f" or every one died, or could not load {code}: see the workers' logs); nothing"
            f" was published: start workers with {code} installed (pip install"
            f" 'syndicate[dask]'), one process a core of one thread each:"
            f" {worker_command(self.scheduler or 'ADDRESS')}, and export again"
        )

    def failure(
        self, exc: BaseException, failed: Sequence[str] = (), sent: Sequence[str] = ()
    ) -> ExecutorError:
        distributed = _distributed()
        if isinstance(exc, distributed.KilledWorker):
            # Dask blames every task a dying worker held, not only the one that killed it:
            # each story sent is named (the advice is to try each).
            return ExecutorError(
                "Dask workers died running a batch of stories (killed, or out of memory), and"
                f" again on retry{while_making(sent)}; nothing was published: check the"
                " workers' logs and memory" + (ONE_OF_THEM if sent else "")
            )
        at = f" at {self.scheduler}" if self.scheduler else ""
        reason = getattr(exc, "reason", None) if isinstance(exc, CancelledError) else None
        if reason not in (None, LOST):
            return ExecutorError(
                f"the Dask scheduler{at} cancelled a batch of stories ({reason}); nothing was"
                " published: was the cluster restarted or its work cancelled?"
            )
        if isinstance(exc, CancelledError):  # the client cancels every future when it goes
            return ExecutorError(
                f"lost the Dask scheduler{at}: the connection to it closed; nothing was published"
            )
        if isinstance(exc, distributed.comm.CommClosedError | OSError | TimeoutError):
            return ExecutorError(f"lost the Dask scheduler{at}: {exc}; nothing was published")
        return super().failure(exc, failed, sent)


def worker_command(address: str) -> str:
    """How workers for the scheduler at `address` are started, as docs/scaling.md gives it
    (`tests/test_docs.py` checks they agree): one process a core, one thread each, the
    stories' work being CPU-bound Python. `--nworkers auto` would choose threads too (16
    cores: 4 processes of 4), and a bare `dask worker` starts one process of a thread a core."""
    return f'dask worker {address} --nworkers "$(nproc)" --nthreads 1'


NO_WORKER_SECONDS = 30
"""How long a run waits for a worker while its cluster has none (a worker being restarted by
its nanny is back within seconds)."""
POLL_SECONDS = 1.0


class _Watched:
    """A Dask future whose wait gives up when the cluster has had no worker for
    `NO_WORKER_SECONDS`: Dask keeps a task for a worker to come, for ever, and the export
    waited in silence for a cluster whose workers were all gone or could not load
    syndicate (they die unpickling the task)."""

    def __init__(self, future: Any, executor: DaskExecutor) -> None:
        self.future = future
        self.executor = executor

    def wait(self) -> None:
        """Until the future is done (finished, failed or cancelled); its result is not
        fetched (`result` fetches it, once)."""
        done = threading.Event()
        self.future.add_done_callback(lambda _: done.set())
        alone_since: float | None = None
        while not done.wait(POLL_SECONDS):
            client = self.executor.client
            # One worker is enough to know there is one (not every worker's identity).
            info = client.scheduler_info(n_workers=1) if client is not None else {}
            if info.get("workers"):
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > NO_WORKER_SECONDS:
                raise self.executor.no_workers()

    def result(self) -> Any:
        self.wait()
        return self.future.result()


LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "500ms",
}
"""Dask settings of the local cluster (a scheduler's workers keep their own), each measured
on a full export of the bench site (500 stories, `--jobs 2`, alternated with the defaults):
- no statistical profiler sampling every worker thread a hundred times a second (a dashboard
  feature; the local cluster has no dashboard);
- glibc's own threshold for giving freed memory back to the system, not Dask's 64 KB, which
  made every freed photo, cover or book a system call and its next allocation page faults:
  the workers' system time 7.5-8.8 s to 3.1-4.3 s, the export 1.5-1.8 s shorter, as the
  process pool's (which never set it);
- the event loop's tick every second instead of every 20 ms (it measures the loop's delays
  for a warning the local cluster silences), the system monitor every 5 s instead of 0.5 s
  (dashboard figures), the memory monitor every 0.5 s instead of 0.1 s (a worker's few
  hundred MB stay far below its limit): each wakes a worker's event loop, which takes the
  GIL from the stories' work; 0.8-2.7 s shorter in four alternated pairs of five."""


def _settings(settings: Settings) -> Settings:
    """The run's settings, as the task that gives them to the workers."""
    return settings


MACHINE_PROBLEMS = frozenset({"epub.cover"})
"""Problems that come from the machine that ran the story, not from the story: the cover fonts
not installed there. On a cluster, they name the worker (they may not be true of the driver)."""


def on_worker(settings: Settings, batch: list[Unit]) -> list[Done]:
    """`run_batch` on a Dask worker: what is wrong with the worker itself (its syndicate, its
    fonts) says which worker it is."""
    try:
        done = run_batch(settings, batch)
    except ExecutorError as exc:
        raise ExecutorError(f"on {_this_worker()}: {exc}") from None
    except ImportError as exc:  # a dependency missing where the worker runs, not here
        # Said as `a worker failed: ImportError(...)`, it named no worker: on a cluster of
        # many, which one's environment lacks the module was for the user to find out.
        raise ExecutorError(
            f"on {_this_worker()}: its Python cannot import {exc.name or 'a module'} ({exc});"
            " install syndicate with its dependencies (and the plugins) where the workers run,"
            " as on the driver"
        ) from None
    if not any(d.code in MACHINE_PROBLEMS for one in done for d in _problems(one)):
        return done
    here = _this_worker()
    return [_named(one, here) for one in done]


def _skew_here(
    libraries: Libraries, dirs: tuple[str, ...] | None, dask_worker: Any = None
) -> tuple[str, str | None]:
    """Which worker this is, and how its libraries differ from the export's `libraries`
    (`client.run` gives it its worker)."""
    return _this_worker(dask_worker), skew(output_libraries(dirs), libraries, dirs)


def _problems(done: Done) -> list[Diagnostic]:
    return [*done.diagnostics, *(d for made in done.made.values() for d in made.diagnostics)]


def _named(done: Done, here: str) -> Done:
    def name(diags: list[Diagnostic]) -> list[Diagnostic]:
        return [
            replace(d, message=f"on {here}: {d.message}") if d.code in MACHINE_PROBLEMS else d
            for d in diags
        ]

    made = {fmt: replace(one, diagnostics=name(one.diagnostics)) for fmt, one in done.made.items()}
    return replace(done, diagnostics=name(done.diagnostics), made=made)


def _this_worker(worker: Any = None) -> str:
    """The Dask worker running this task (or `worker`), as its logs and `dask worker` name
    it."""
    try:
        worker = worker or _distributed().get_worker()
    except ValueError:  # not in a worker (the tests' direct calls)
        return f"host {socket.gethostname()}"
    name = "" if str(worker.name) == worker.address else f" ({worker.name})"
    return f"the Dask worker {worker.address}{name} on host {socket.gethostname()}"


def _answers_as_scheduler(distributed: Any, address: str) -> None:
    """Raise OSError or TimeoutError unless a Dask scheduler answers at `address` within
    `CONNECT_SECONDS` in all. Dask's client has no such deadline: a listener that is not a
    scheduler (a web server, a silent port) kept it waiting for ever, and Ctrl-C for 40 s
    more. The question is asked from an event loop of its own, in a thread, so that it
    works whatever loop the caller runs."""
    import asyncio  # not at the module's import: the command line imports `address_problem`

    _listens(distributed, address)
    # As the client connects: with the TLS certificates of Dask's configuration (a `tls://`
    # scheduler refused a question asked without them, and was said to be no scheduler).
    secure = distributed.Security().get_connection_args("client")
    if address.startswith("tls://") and secure.get("ssl_context") is None:
        raise OSError(
            f"{address} is a TLS address, and Dask's configuration names no TLS certificate"
            " for its client: set distributed.comm.tls.ca-file, .client.cert and .client.key"
            " (or DASK_DISTRIBUTED__COMM__TLS__CA_FILE, __CLIENT__CERT and __CLIENT__KEY)"
        )

    async def identity() -> Any:
        comm = await distributed.comm.connect(address, timeout=CONNECT_SECONDS, **secure)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            await comm.close()

    async def bounded() -> Any:
        return await asyncio.wait_for(identity(), CONNECT_SECONDS)

    answer: list[Any] = []

    def ask() -> None:
        try:
            answer.append(asyncio.run(bounded()))
        except Exception as exc:  # given to the caller
            answer.append(exc)

    thread = threading.Thread(target=ask, name="syndicate-dask-connect", daemon=True)
    thread.start()
    thread.join()
    (reply,) = answer
    if isinstance(reply, TimeoutError):
        raise TimeoutError(f"no answer as a Dask scheduler after {CONNECT_SECONDS} s")
    if isinstance(reply, distributed.comm.CommClosedError):
        raise OSError(f"{address} closed the connection: it is not a Dask scheduler's")
    if isinstance(reply, Exception):
        # Text where Dask expects its frames (an SSH banner, a web server's 400) is read as
        # a frame's length: MemoryError, struct errors... none of it a scheduler's answer.
        log.debug("asking %s for its identity", address, exc_info=reply)
        raise OSError(
            f"{address} does not answer as a Dask scheduler ({type(reply).__name__}): is it"
            " the scheduler's address and port (8786 by default)?"
        )
    kind = reply.get("type") if isinstance(reply, dict) else None
    if kind != "Scheduler":
        raise OSError(f"{address} answers as a Dask {kind or 'peer'}, not as its scheduler")


def _listens(distributed: Any, address: str) -> None:
    """Raise OSError at once when nothing listens at a TCP `address` (Dask's own connection
    tries again until its timeout: 20 s to say "connection refused")."""
    scheme, location = distributed.comm.parse_address(address)
    if scheme not in ("tcp", "tls"):
        return
    host, port = distributed.comm.parse_host_port(location)
    try:
        socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
    except ConnectionRefusedError:
        raise OSError(f"nothing listens at {address} (connection refused)") from None
    except TimeoutError:
        raise TimeoutError(f"no answer from {address} after {CONNECT_SECONDS} s") from None


def _quiet_distributed() -> Callable[[], None]:
    """Silence Dask's loggers in this process while the run uses the cluster (its errors
    become one `build.worker` error, not tracebacks); the function returned restores them."""
    loggers = [logging.getLogger("distributed")]
    loggers += [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if name.startswith("distributed.") and isinstance(logger, logging.Logger)
    ]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)

    def restore() -> None:
        for logger, level in levels:
            logger.setLevel(level)

    return restore


def _local_cluster(distributed: Any, workers: int) -> Any:
    """A cluster of `workers` processes on this machine, one thread each, made with Ctrl-C
    blocked: the threads that run the cluster (its event loop, its nannies' watchers) are
    made then and keep it blocked, and so do the worker processes they spawn, now and when a
    nanny restarts one. A Ctrl-C is the command's to handle, as with the process pool (each
    worker printed its KeyboardInterrupt traceback); one typed while the cluster starts
    comes once it has (a cluster half made could not be closed: Dask's exit handler then
    failed on it). multiprocessing's resource tracker is started first: starting it, as the
    nannies' queues would, unblocks Ctrl-C in the thread that does."""
    from multiprocessing import resource_tracker

    import dask

    resource_tracker.ensure_running()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        with dask.config.set(LOCAL_CONFIG):  # the nannies hand the configuration to the workers
            return distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
    except RuntimeError as exc:  # "Nanny failed to start.": Dask closed what it had made
        raise ExecutorError(
            f"a local Dask cluster could not start its worker processes ({exc}): each ended"
            " as it started; nothing was published. A script calling export at its top level"
            " ends them so when it exits (each worker runs the script again as it starts):"
            ' call export under `if __name__ == "__main__":`'
        ) from None
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _distributed() -> Any:
    """The `distributed` package (untyped), or a clear error when it is not installed."""
    try:
        import distributed
    except ImportError as exc:
        from importlib.util import find_spec

        if find_spec("distributed") is None:
            raise ExecutorError(f"--executor dask needs Dask distributed; {INSTALL}") from None
        # Installed, but one of its own dependencies cannot be imported: "install it" sent the
        # user to pip, which said it was installed already.
        raise ExecutorError(
            f"--executor dask: Dask distributed is installed but cannot be imported ({exc});"
            " repair it with: pip install --force-reinstall 'syndicate[dask]'"
        ) from None
    return distributed
