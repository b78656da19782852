"""The one place syndicate talks to Dask distributed (the optional extra `syndicate[dask]`): an
executor that sends batches of stories to a cluster, the one at `--scheduler` or a local one of
`--jobs` worker processes. The run's settings go to every worker once; each task sent to a
scheduler carries its stories' files, so workers need syndicate and the cover fonts installed,
and nothing else. The workers of a local cluster run on this machine: they read the stories
where they are, as the process pool's do."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from syndicate.build.executors import Executor, Pending
from syndicate.build.sources import site_files
from syndicate.build.workers import ExecutorError, Settings, Unit, run_batch

log = logging.getLogger(__name__)

CONNECT_SECONDS = 20
"""How long to wait for a scheduler (and, locally, for the cluster to start)."""
INSTALL = "install it with: pip install 'syndicate[dask]'"


class DaskExecutor(Executor):
    """Batches as Dask tasks. A worker lost while running a task is replaced and the task run
    again elsewhere (the work is pure); a task that keeps killing its workers, or a cluster
    that cannot be reached, is an `ExecutorError`."""

    def __init__(self, settings: Settings, workers: int, scheduler: str | None) -> None:
        distributed = _distributed()
        self.scheduler = scheduler
        self.ships = scheduler is not None
        """A scheduler's workers may be on other machines; a local cluster's are on this one
        and see its files (shipping them cost a full export a third more time)."""
        self.cluster: Any = None
        self.client: Any = None
        try:
            if scheduler is None:
                self.cluster = _local_cluster(distributed, workers)
            self.client = distributed.Client(
                scheduler or self.cluster, timeout=CONNECT_SECONDS, set_as_default=False
            )
        except (OSError, TimeoutError) as exc:
            self._close()
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise ExecutorError(
                f"cannot reach {where}: {exc}; check the address and that the scheduler runs"
            ) from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)
        travelling = replace(settings, site=site_files(settings.config))
        if self.ships:  # a scheduler's workers may not see out/: their files come back
            travelling = replace(travelling, stage_to=None)
        self.settings = self.client.scatter(travelling, broadcast=True, hash=False)

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def submit(self, batch: list[Unit]) -> Pending:
        future: Pending = self.client.submit(run_batch, self.settings, batch, pure=False)
        return future

    def failure(self, exc: BaseException) -> ExecutorError:
        distributed = _distributed()
        if isinstance(exc, distributed.KilledWorker):
            return ExecutorError(
                "Dask workers died running a batch of stories (killed, or out of memory), and"
                " again on retry; nothing was published: check the workers' logs and memory"
            )
        if isinstance(exc, distributed.comm.CommClosedError | OSError | TimeoutError):
            return ExecutorError(
                f"lost the Dask scheduler{f' at {self.scheduler}' if self.scheduler else ''}:"
                f" {exc}; nothing was published"
            )
        return super().failure(exc)


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


def _local_cluster(distributed: Any, workers: int) -> Any:
    """A cluster of `workers` processes on this machine, one thread each."""
    import dask

    with dask.config.set(LOCAL_CONFIG):  # the nannies hand the configuration to the workers
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def _distributed() -> Any:
    """The `distributed` package (untyped), or a clear error when it is not installed."""
    try:
        import distributed
    except ImportError:
        raise ExecutorError(f"--executor dask needs Dask distributed; {INSTALL}") from None
    return distributed
