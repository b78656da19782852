"""Executors: the same out/, byte for byte, whether the stories' work runs in this process, in a
pool of processes or on a Dask cluster whose workers cannot read the export's files; a worker
that dies is a diagnostic, never a traceback."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from os.path import exists, isdir, isfile
from pathlib import Path
from typing import Any

import pytest

from syndicate.build import dask_adapter
from syndicate.build.executors import BATCH_BYTES
from syndicate.build.scheduling import ExecutorError
from syndicate.build.sources import CARRIED_BYTES, Mirror, snapshot
from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context, NoOptions, OutputFile, Writer
from syndicate.formats.registry import BUILTIN, Registry
from syndicate.model import SiteConfig, Story
from syndicate.readers.articles import read_story
from tests.bench.corpus import generate, photo_story
from tests.conftest import FIXED_NOW, REPO
from tests.test_incremental import tree

distributed = pytest.importorskip("distributed")
CORPUS = 12


def export(site: Path, out: Path, *extra: str, registry: Registry | None = None) -> int:
    args = ["export", "-q", "-f", "all", "--now", FIXED_NOW, "--out", str(out), *extra]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    return main(args, registry=registry)


@contextlib.contextmanager
def one_worker(tmp_path: Path, **env: str) -> Iterator[tuple[str, Any, str]]:
    """A scheduler of its own with one `dask worker` process, in our environment with `env`
    over it: the scheduler's address, a client of it and the worker's address."""
    with distributed.LocalCluster(
        n_workers=0, processes=True, dashboard_address=None, silence_logs=50
    ) as lonely:
        command = [sys.executable, "-m", "distributed.cli.dask_worker", lonely.scheduler_address]
        command += ["--nthreads", "1", "--no-dashboard", "--local-directory", str(tmp_path)]
        environ = {**os.environ, **env}
        worker = subprocess.Popen(command, env=environ, cwd=tmp_path, stderr=subprocess.DEVNULL)
        try:
            with distributed.Client(lonely, set_as_default=False) as client:
                client.wait_for_workers(1, timeout=120)
                (address,) = client.scheduler_info()["workers"]
                yield lonely.scheduler_address, client, address
        finally:
            worker.terminate()
            worker.wait(30)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The sample site and a small generated corpus."""
    root = tmp_path_factory.mktemp("sites")
    sample = root / "sample"
    shutil.copytree(REPO / "articles", sample / "articles")
    shutil.copy(REPO / "syndicate.yaml", sample / "syndicate.yaml")
    corpus = root / "corpus"
    generate(corpus / "articles", CORPUS, ("en", "fr", "ar"))
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(sample / "articles/_site"))
    (corpus / "syndicate.yaml").write_text(config, encoding="utf-8")
    return [sample, corpus]


def hidden(folder: Path, command: list[str]) -> list[str]:
    """`command` in a mount namespace where `folder` is an empty file system, when this user
    may make one (root): there it cannot read what `folder` holds."""
    if shutil.which("unshare") is None:
        return command
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return command
    script = 'mount -t tmpfs none "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder), *command]


@pytest.fixture(scope="module")
def cluster(sites: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler with two worker processes that cannot see the sites' folder (where
    the system lets them be hidden): everything they need must come with the work."""
    scratch = tmp_path_factory.mktemp("workers")
    with distributed.LocalCluster(
        n_workers=0, processes=True, dashboard_address=None, silence_logs=40
    ) as local:
        command = [sys.executable, "-m", "distributed.cli.dask_worker", local.scheduler_address]
        command += ["--nthreads", "1", "--no-dashboard", "--local-directory", str(scratch)]
        env = {**os.environ, "TMPDIR": str(scratch)}
        workers = [
            subprocess.Popen(
                hidden(sites[0].parent, command), env=env, cwd=scratch, stderr=subprocess.DEVNULL
            )
            for _ in range(2)
        ]
        try:
            with distributed.Client(local) as client:
                client.wait_for_workers(2, timeout=120)
            yield local.scheduler_address
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(30)


@pytest.mark.slow
def test_every_executor_gives_the_same_out(sites: list[Path], cluster: str, tmp_path: Path) -> None:
    # Stories of camera photos (8 MB each): one carrying more than a batch may (it goes
    # alone), and two that would fill one past it between them (each goes in its own).
    photos = tmp_path / "photos"
    for index, count in enumerate((2, 1, 1)):
        photo_story(photos / "articles" / f"photos-{index}", index, count)
    shutil.copy(sites[1] / "syndicate.yaml", photos / "syndicate.yaml")
    assert sum(f.stat().st_size for f in photos.rglob("*.jpg")) > 2 * BATCH_BYTES
    for site in [*sites, photos]:
        name = site.name
        assert export(site, tmp_path / f"{name}-serial", "--executor", "serial") == 0
        assert export(site, tmp_path / f"{name}-pool", "--executor", "pool", "-j", "2") == 0
        dask = ("--executor", "dask", "--scheduler", cluster)
        assert export(site, tmp_path / f"{name}-dask", *dask) == 0
        # A local cluster's workers see out/: they stage their files, as the pool's do.
        local = ("--executor", "dask", "-j", "2")
        assert export(site, tmp_path / f"{name}-local", *local) == 0
        serial = tree(tmp_path / f"{name}-serial")
        assert serial and any(path.startswith("epub/") for path in serial)
        for executor in ("serial", "pool", "local"):  # a large image is one file on disk
            out = tmp_path / f"{name}-{executor}"
            large = [p for p in (out / "html/media").rglob("*") if p.stat().st_size >= 16384]
            assert all(p.samefile(out / "ninjs" / p.relative_to(out / "html")) for p in large)
            assert large or name != "sample"
        assert tree(tmp_path / f"{name}-pool") == serial
        assert tree(tmp_path / f"{name}-dask") == serial
        assert tree(tmp_path / f"{name}-local") == serial


@pytest.mark.slow
def test_diagnostics_name_the_export_s_files_whatever_the_executor(
    sites: list[Path], cluster: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Problems found by a worker point at the story files as the export sees them."""
    site = tmp_path / "broken"
    shutil.copytree(sites[1], site)
    md = site / "articles" / "bench-000003" / "fr.md"
    md.write_text(md.read_text(encoding="utf-8").replace("headline:", "headlin:"), "utf-8")
    (site / "articles" / "bench-000004" / "ar.md").unlink()
    (site / "articles" / "bench-000004" / "ar.md").symlink_to(site / "syndicate.yaml")
    (site / "articles" / "bench-000006" / "images" / "figure.png").unlink()
    (site / "articles" / "bench-000006" / "images" / "figure.png").symlink_to(REPO / "LICENSE")
    reports = []
    for extra in (("--executor", "serial"), ("--executor", "dask", "--scheduler", cluster)):
        assert export(site, tmp_path / "out", *extra) == 2
        reports.append(capsys.readouterr().err)
    assert reports[0] == reports[1]
    assert f"{site}/articles/bench-000003/fr.md:" in reports[0]
    assert "[story.outside]" in reports[0] and "[image.path]" in reports[0]


class TextWriter(Writer[NoOptions]):
    """A plugin format of plain text files, one a story (the tests' writers below)."""

    name = "text"
    description = "text"
    media_type = "text/plain"
    extension = ".txt"
    scope = "story"
    Options = NoOptions


class KillerWriter(TextWriter):
    """Kills the process that writes one story's files, as the kernel's OOM killer would."""

    name = "killer"

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        if story.slug.endswith("0005"):
            os._exit(9)
        yield OutputFile(f"killer/{story.slug}.txt", b"alive\n")


KILLER = Registry({**BUILTIN, "killer": KillerWriter})


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["pool", "dask"])
def test_a_worker_that_dies_is_a_diagnostic(
    sites: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], executor: str
) -> None:
    import dask

    out = tmp_path / "out"
    args = ["export", "-q", "-f", "killer", "--now", FIXED_NOW, "--out", str(out)]
    args += ["--executor", executor, "-j", "2", "--articles", str(sites[1] / "articles")]
    args += ["--config", str(sites[1] / "syndicate.yaml")]
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        assert main(args, registry=KILLER) == 1
    err = capsys.readouterr().err
    assert "error: " in err and "[build.worker]" in err and "Traceback" not in err
    assert "nothing was published" in err
    assert not (out / "killer").exists()
    # The stories under way are named (none was), with how to find the one that kills it.
    (said,) = [line for line in err.splitlines() if "[build.worker]" in line]
    assert re.search(r" while making [^;]*0005", said), said
    assert "export each alone (--story) to find which" in said


class _GivenOnceThePoolBroke(Sequence[Any]):
    """A run's jobs whose second is planned only once the pool has found the worker of the
    first dead (as when reading the next story takes longer than the OOM killer)."""

    def __init__(self, jobs: list[Any], pool: Any) -> None:
        self.jobs, self.pool = jobs, pool

    def __len__(self) -> int:
        return len(self.jobs)

    def __getitem__(self, index: Any) -> Any:
        return self.jobs[index]

    def __iter__(self) -> Iterator[Any]:
        yield self.jobs[0]
        deadline = time.monotonic() + 60
        while not self.pool.pool._broken:
            assert time.monotonic() < deadline, "the worker did not die"
            time.sleep(0.05)
        yield from self.jobs[1:]


@pytest.mark.slow
def test_a_worker_found_dead_as_the_next_batch_is_sent_names_the_stories_under_way(
    sites: list[Path],
) -> None:
    """The pool found its worker dead before the next batch was sent: sending it failed, and
    the message named no story (CI saw it, one run in many), though the one that killed the
    worker was under way."""
    from syndicate.build import executors
    from syndicate.build.inputs import StoryInput
    from syndicate.build.workers import Job

    folders = [sites[1] / "articles" / name for name in ("bench-000005", "bench-000006")]
    jobs = [Job(StoryInput(folder), ("killer",), "key") for folder in folders]
    pool = executors.PoolExecutor(settings_for(Registry({"killer": KillerWriter})), 1)
    with pytest.raises(ExecutorError) as failed, pool:
        list(pool.run(_GivenOnceThePoolBroke(jobs, pool)))
    said = str(failed.value)
    assert "a worker process died" in said
    assert re.search(r" while making bench-000005[;,]", said), said


def test_an_unreachable_scheduler_is_a_diagnostic(
    sites: list[Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dask_adapter, "CONNECT_SECONDS", 1)
    extra = ("--executor", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert export(sites[1], tmp_path / "out", *extra) == 1
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert "nothing listens at tcp://127.0.0.1:9 (connection refused)" in err, err
    assert "[build.worker]" in err and "Traceback" not in err


def test_a_run_that_changes_nothing_says_its_scheduler_is_gone(
    sites: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run with nothing to make sends its scheduler no work: a cluster gone (a cron job's)
    went unnoticed until a story changed. Such a run still exits 0 (out/ is up to date), but
    warns, after a connection alone (no Dask: it stays a run that changes nothing)."""
    out = tmp_path / "out"
    assert export(sites[0], out, "--executor", "serial") == 0
    capsys.readouterr()
    gone = ("--executor", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert export(sites[0], out, *gone) == 0
    err = capsys.readouterr().err
    assert "warning: the Dask scheduler at tcp://127.0.0.1:9 cannot be reached: nothing" in err
    assert "the next that changes a story will fail" in err and "[build.worker]" in err
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        there = ("--executor", "dask", "--scheduler", f"tcp://127.0.0.1:{port}")
        assert export(sites[0], out, *there) == 0
    assert "warning" not in capsys.readouterr().err


DEAF_DNS = """
import socket, time
heard = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
heard.bind(("127.0.0.1", 53))
time.sleep(60)
"""


def test_a_run_that_changes_nothing_waits_for_its_scheduler_s_name_2_s_at_most(
    sites: list[Path], tmp_path: Path
) -> None:
    """The connection a run with nothing to make takes to its scheduler lasts 2 s at most,
    its host's name looked up included: `getaddrinfo` has no timeout, and a DNS server that
    did not answer held such a run (a cron job's, every few minutes) for the resolver's
    timeouts and retries. Run where the system lets a network of its own be made (root),
    whose DNS server takes the questions and never answers."""
    probe = subprocess.run(["unshare", "-m", "-n", "true"], capture_output=True, check=False)
    if shutil.which("unshare") is None or probe.returncode != 0:
        pytest.skip("needs unshare -m -n (root) to make a DNS server that never answers")
    out = tmp_path / "out"
    assert export(sites[0], out, "--executor", "serial") == 0
    (tmp_path / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:8 attempts:1\n")
    (tmp_path / "dns.py").write_text(DEAF_DNS)
    command = [sys.executable, "-m", "syndicate", "export", "-q", "-f", "all", "--now"]
    command += [FIXED_NOW, "--out", str(out), "--config", str(sites[0] / "syndicate.yaml")]
    command += ["--articles", str(sites[0] / "articles"), "--executor", "dask"]
    command += ["--scheduler", "tcp://scheduler.example.net:8786"]
    script = (
        'ip link set lo up && mount --bind "$0/resolv.conf" /etc/resolv.conf || exit 9;'
        ' "$1" "$0/dns.py" & sleep 0.5; shift; s=$(date +%s%N); "$@"; r=$?;'
        ' echo "took $((($(date +%s%N) - s) / 1000000)) ms" >&2; kill $!; exit $r'
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        ["unshare", "-m", "-n", "sh", "-c", script, str(tmp_path), sys.executable, *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "scheduler.example.net:8786 cannot be reached: its host's name was not resolved" in (
        done.stderr
    )
    took = int(re.findall(r"took (\d+) ms", done.stderr)[-1])
    assert took < 6000, done.stderr  # 2 s for the scheduler; the resolver alone took 8


@pytest.mark.slow
def test_a_tls_scheduler_is_reached_with_the_certificates_of_dask_s_configuration(
    sites: list[Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A `tls://` scheduler: the export asked it who it was without the certificates Dask's
    configuration names for its client, and said it was no Dask scheduler (TypeError)."""
    import dask

    if shutil.which("openssl") is None:
        pytest.skip("openssl makes the test's certificate")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key]
    request += ["-out", cert, "-days", "2", "-subj", "/CN=localhost"]
    request += ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    subprocess.run(
        request,
        check=True,
        capture_output=True,
    )
    security = distributed.Security(
        tls_ca_file=cert,
        tls_scheduler_cert=cert,
        tls_scheduler_key=key,
        tls_worker_cert=cert,
        tls_worker_key=key,
        tls_client_cert=cert,
        tls_client_key=key,
        require_encryption=True,
    )
    client = {
        "distributed.comm.tls.ca-file": cert,
        "distributed.comm.tls.client.cert": cert,
        "distributed.comm.tls.client.key": key,
    }
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        protocol="tls",
        security=security,
        dashboard_address=None,
        silence_logs=50,
    ) as secure:
        extra = ("--executor", "dask", "--scheduler", secure.scheduler_address)
        assert secure.scheduler_address.startswith("tls://")
        assert export(sites[0], tmp_path / "bare", *extra) == 1
        bare = capfd.readouterr().err
        with dask.config.set(client):
            assert export(sites[0], tmp_path / "tls", *extra) == 0, capfd.readouterr().err
    assert "is a TLS address, and Dask's configuration names no TLS certificate" in bare, bare
    assert "[build.worker]" in bare and "Traceback" not in bare
    assert not (tmp_path / "bare").exists()
    assert export(sites[0], tmp_path / "serial", "--executor", "serial") == 0
    assert tree(tmp_path / "tls") == tree(tmp_path / "serial")


def test_a_cluster_s_every_worker_is_counted(tmp_path: Path) -> None:
    """The batches in flight are two a worker: Dask distributed 2025.4 names 5 of a cluster's
    workers unless told how many, so a cluster of 50 ran 10 batches at a time, 40 workers
    idle. (The Dask of the test environment names them all by default; with distributed
    2025.4.1 first on PYTHONPATH, the test fails on the code before the fix.)"""
    from datetime import UTC, datetime

    from syndicate.build.dask_adapter import DaskExecutor
    from syndicate.build.workers import Settings
    from syndicate.readers.config import load_config

    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    settings = Settings(config, datetime(2026, 1, 1, tzinfo=UTC), ("en",), {}, {})
    with (
        distributed.LocalCluster(
            n_workers=8, threads_per_worker=1, processes=False, dashboard_address=None
        ) as many,
        DaskExecutor(settings, 1, many.scheduler_address) as executor,
    ):
        assert executor.workers == 8


def test_a_scheduler_without_workers_is_a_diagnostic_in_time(
    sites: list[Path],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scheduler no worker is connected to (none started, every one died, or each died
    loading the task without syndicate): Dask keeps the work for a worker to come, and the
    export waited for ever, in silence."""
    import time

    monkeypatch.setattr(dask_adapter, "NO_WORKER_SECONDS", 2)
    with distributed.LocalCluster(
        n_workers=0, processes=True, dashboard_address=None, silence_logs=50
    ) as lonely:
        start = time.monotonic()
        extra = ("--executor", "dask", "--scheduler", lonely.scheduler_address)
        assert export(sites[1], tmp_path / "out", *extra) == 1
        assert time.monotonic() - start < 30
        err = capfd.readouterr().err
        # A worker without a plugin's package dies as one without syndicate: both are named.
        plugin = Registry({**BUILTIN, "text": TextWriter})
        assert export(sites[1], tmp_path / "out", *extra, registry=plugin) == 1
    assert f"the Dask scheduler at {lonely.scheduler_address} has had no worker for 2 s" in err
    assert "could not load syndicate: see" in err and "with syndicate installed" in err
    assert "[build.worker]" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    err = capfd.readouterr().err
    package = TextWriter.__module__.partition(".")[0]  # (as pytest imported this module)
    assert f"could not load syndicate and {package}: see" in err, err
    assert f"start workers with syndicate and {package} installed" in err


@pytest.mark.slow
def test_a_worker_lacking_a_dependency_is_named(
    sites: list[Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A worker whose Python cannot import one of syndicate's dependencies (Pillow here) fails
    the run with an error that names the worker and the module, not `a worker failed:
    ImportError(...)`, which left the user to find which of the cluster's machines it was."""
    shadow = tmp_path / "shadow" / "PIL"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("no PIL here", name="PIL")\n')
    path = os.pathsep.join([str(shadow.parent), *sys.path])
    with one_worker(tmp_path, PYTHONPATH=path) as (scheduler, _, address):
        extra = ("--executor", "dask", "--scheduler", scheduler)
        assert export(sites[0], tmp_path / "out", *extra) == 1
    err = capfd.readouterr().err
    assert f"on the Dask worker {address}" in err, err
    assert "its Python cannot import PIL" in err and "[build.worker]" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_worker_with_other_libraries_is_refused_before_any_story_is_sent(
    sites: list[Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A worker whose libraries are other versions than the driver's (its Python finds
    uharfbuzz 0.1.0 installed first) would draw other covers, published with the others':
    refused before any story is sent, with the worker's host, the library and both versions."""
    from syndicate.build.toolchain import output_libraries

    older = tmp_path / "older" / "uharfbuzz-0.1.0.dist-info"
    older.mkdir(parents=True)
    (older / "METADATA").write_text("Metadata-Version: 2.1\nName: uharfbuzz\nVersion: 0.1.0\n")
    ours = dict(output_libraries(None))["uharfbuzz"]
    path = os.pathsep.join([str(older.parent), *sys.path])
    with one_worker(tmp_path, PYTHONPATH=path) as (scheduler, client, address):
        extra = ("--executor", "dask", "--scheduler", scheduler)
        code = export(sites[0], tmp_path / "out", *extra)
        tasks = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
    err = capfd.readouterr().err
    assert code == 1, err
    assert f"on the Dask worker {address} on host {socket.gethostname()}: it has" in err, err
    assert f"uharfbuzz 0.1.0 where the export has {ours}" in err
    assert "install the same versions (and fonts) where the workers run" in err  # not a restart
    assert "[build.worker]" in err and "Traceback" not in err
    assert tasks == 0  # no story (nor the run's settings) was sent
    assert not (tmp_path / "out").exists()


OTHER_CODECS = """
from PIL import features
from zlib_ng import zlib_ng

_real = features.version


def version(feature):
    other = {"jpg": "9.9", "libjpeg_turbo": "2.0.0", "zlib": "1.2.11", "zlib_ng": "2.0.0"}
    return other.get(feature) or _real(feature)


features.version = version
zlib_ng.ZLIBNG_RUNTIME_VERSION = "2.0.1"
"""
"""A worker's Pillow (and zlib-ng) of the same version built with other codecs (from its
source, against its system's libjpeg and zlib), as `sitecustomize` sets it up before the
worker starts."""


def test_a_worker_whose_pillow_runs_other_codecs_is_refused(
    sites: list[Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Pillow encodes the partners' renditions (JPEG, PNG) and the feeds' images with its own
    libjpeg and zlib builds: the same Pillow version built against other ones wrote other
    bytes, as do another zlib-ng library (the covers' PNG bands), and other versions of
    MarkupSafe (the pages' escaping) and idna (a link's international host). A worker whose
    Python finds those first is refused, with each."""
    from importlib import metadata

    from PIL import features
    from zlib_ng import zlib_ng

    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "sitecustomize.py").write_text(OTHER_CODECS, encoding="utf-8")
    for name in ("MarkupSafe", "idna"):
        info = shadow / f"{name}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    path = os.pathsep.join([str(shadow), *sys.path])
    with one_worker(tmp_path, PYTHONPATH=path) as (scheduler, _, address):
        extra = ("--executor", "dask", "--scheduler", scheduler)
        code = export(sites[0], tmp_path / "out", *extra)
    err = capfd.readouterr().err
    assert code == 1, err
    assert f"on the Dask worker {address} on host {socket.gethostname()}: it has" in err, err
    said = [
        ("Pillow's libjpeg", "9.9", features.version("jpg")),
        ("Pillow's zlib", "1.2.11", features.version("zlib")),
        ("MarkupSafe", "0.1", metadata.version("MarkupSafe")),
        ("idna", "0.1", metadata.version("idna")),
        ("zlib-ng's library", "2.0.1", zlib_ng.ZLIBNG_RUNTIME_VERSION),
    ]
    for name, feature in (("libjpeg-turbo", "libjpeg_turbo"), ("zlib-ng", "zlib_ng")):
        if feature in features.get_supported_features() and features.version(feature):
            said.append((f"Pillow's {name}", "2.0.0", features.version(feature)))
    for name, theirs, ours in said:
        assert f"{name} {theirs} where the export has {ours}" in err, err
    assert "[build.worker]" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


OTHER_PYTHON = """
import collections
import sys
import unicodedata

# What the worker runs imported first, under this Python's own version: only what it asks for
# the export (its Python's version and Unicode data) is another Python's.
import distributed.cli.dask_worker
import syndicate.build.workers

release = collections.namedtuple("version_info", "major minor micro releaselevel serial")
sys.version_info = release(3, sys.version_info[1] + 1, 0, "final", 0)
unicodedata.unidata_version = "99.0.0"
"""
"""A worker on the next minor Python (with its newer Unicode data), as `sitecustomize` sets
it up before the worker starts: this machine has one Python, with syndicate's dependencies."""


def test_a_worker_on_another_python_is_refused(
    sites: list[Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A worker on another minor Python than the driver (its standard library, whose escaping,
    url splitting and Unicode data make bytes of the pages, feeds and books) is refused before
    any story is sent, naming the worker, both versions, and to run the driver's Python."""
    import unicodedata

    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "sitecustomize.py").write_text(OTHER_PYTHON, encoding="utf-8")
    path = os.pathsep.join([str(shadow), *sys.path])
    ours = f"{sys.version_info[0]}.{sys.version_info[1]}"
    theirs = f"{sys.version_info[0]}.{sys.version_info[1] + 1}"
    with one_worker(tmp_path, PYTHONPATH=path) as (scheduler, client, address):
        extra = ("--executor", "dask", "--scheduler", scheduler)
        code = export(sites[0], tmp_path / "out", *extra)
        tasks = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
    err = capfd.readouterr().err
    assert code == 1, err
    assert f"on the Dask worker {address} on host {socket.gethostname()}: it has" in err, err
    assert f"Python {theirs} where the export has {ours}" in err, err
    assert f"Unicode data 99.0.0 where the export has {unicodedata.unidata_version}" in err
    assert f"run the workers on Python {ours}, as the driver" in err, err
    assert "install the same versions" not in err
    assert "[build.worker]" in err and "Traceback" not in err
    assert tasks == 0  # no story (nor the run's settings) was sent
    assert not (tmp_path / "out").exists()


def test_a_worker_reading_other_time_zone_rules_is_refused(
    sites: list[Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """zoneinfo (and babel through it) reads the system's time zone database before the
    tzdata package: a worker whose database is another release writes other local times
    (here, `PYTHONTZPATH` names a copy of ours as a newer release would be, whose
    Europe/Brussels differs), so it is refused, with both releases, where one with another
    tzdata package and the same database is not."""
    import zoneinfo

    from syndicate.build.toolchain import time_zones

    system = next((Path(f) for f in zoneinfo.TZPATH if (Path(f) / "tzdata.zi").is_file()), None)
    if system is None:
        pytest.skip("no system time zone database with its tzdata.zi")
    newer = tmp_path / "zoneinfo"
    shutil.copytree(system, newer, symlinks=True)
    (newer / "Europe" / "Brussels").unlink()
    shutil.copy(system / "Asia" / "Tokyo", newer / "Europe" / "Brussels")
    rules = (newer / "tzdata.zi").read_text(encoding="utf-8").split("\n", 1)[1]
    (newer / "tzdata.zi").write_text(f"# version 2099z\n{rules}", encoding="utf-8")
    older = tmp_path / "older" / "tzdata-2001.1.dist-info"  # a tzdata package of its own
    older.mkdir(parents=True)
    (older / "METADATA").write_text("Metadata-Version: 2.1\nName: tzdata\nVersion: 2001.1\n")
    say = "from syndicate.build.toolchain import output_libraries as o; print(o(None))"
    path = os.pathsep.join([str(older.parent), *sys.path])
    said = subprocess.run(
        [sys.executable, "-c", say],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    from syndicate.build.toolchain import output_libraries

    assert said.strip() == str(output_libraries(None))  # the same zones: the same bytes
    with one_worker(tmp_path, PYTHONTZPATH=str(newer)) as (scheduler, _, _):
        extra = ("--executor", "dask", "--scheduler", scheduler)
        code = export(sites[0], tmp_path / "out", *extra)
    err = capfd.readouterr().err
    assert code == 1, err
    assert f"the time zone database 2099z where the export has {time_zones()}" in err, err
    assert not (tmp_path / "out").exists()


def test_a_worker_started_before_a_font_was_installed_is_told_to_restart(
    sites: list[Path], tmp_path: Path
) -> None:
    """A Dask worker reads the cover fonts once, when it first works for an export (not when
    it starts), and draws with those: a font installed before that is one it has, one
    installed since (here, into the site's `epub.font_dirs`, a folder the driver and the
    worker share on one machine) one it does not. It is refused, and the error says that its
    machine has the export's fonts and a restart is all it needs, not to install what is
    installed already."""
    fonts = tmp_path / "fonts"
    for font in Path("/usr/share/fonts").rglob("*"):  # the system's, linked
        if font.is_file():
            (fonts / font.parent.relative_to("/usr/share/fonts")).mkdir(parents=True, exist_ok=True)
            (fonts / font.relative_to("/usr/share/fonts")).symlink_to(font)
    early = next(iter(sorted(fonts.rglob("NotoSansOriya-Regular.ttf"))), None)
    late = next(iter(sorted(fonts.rglob("NotoSansOriya-Bold.ttf"))), None)
    if early is None or late is None:
        pytest.skip("no NotoSansOriya-Regular.ttf and -Bold.ttf under /usr/share/fonts")
    early.rename(tmp_path / "early.ttf")
    late.rename(tmp_path / "late.ttf")
    site = tmp_path / "site"
    shutil.copytree(sites[0] / "articles", site / "articles")
    config = (sites[0] / "syndicate.yaml").read_text(encoding="utf-8")
    assert "\nepub:" not in config
    config += f"epub:\n  font_dirs: [{fonts}]\n"
    (site / "syndicate.yaml").write_text(config, encoding="utf-8")
    with one_worker(tmp_path) as (scheduler, _, _):
        (tmp_path / "early.ttf").rename(early)  # installed after the worker started
        # Each export a command of its own, as from cron (this process's fonts are read once
        # too).
        command = [sys.executable, "-m", "syndicate", "export", "-q", "-f", "all"]
        command += ["--now", FIXED_NOW, "--executor", "dask", "--scheduler", scheduler]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        first = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True)
        assert first.returncode == 0, first.stderr
        (tmp_path / "late.ttf").rename(late)  # installed after its first work
        command.append("--force")
        second = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True)
    err = second.stderr
    assert second.returncode == 1, err
    assert f"the cover fonts under {fonts}" in err, err
    assert "its machine has the export's now, installed since it read its own" in err, err
    assert "once, when it first works for an export, and keeps them): restart it" in err, err
    assert "install the same versions" not in err


def test_a_long_running_driver_gives_its_local_workers_the_fonts_installed_since(
    sites: list[Path], tmp_path: Path
) -> None:
    """A driver that runs many builds (`syndicate serve`, a CMS calling `export`) said the
    cover fonts of its first build to the workers for life: a font installed since, which a
    new local cluster's workers find, made them refuse every later build ("install the same
    versions"). Each build finds the fonts again when their folders changed, and says those."""
    from datetime import UTC, datetime

    from syndicate.build import export as build
    from syndicate.formats.epub.fontfiles import DEFAULT_FONT_DIRS

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    site = tmp_path / "site"
    shutil.copytree(sites[0] / "articles", site / "articles")
    config = (sites[0] / "syndicate.yaml").read_text(encoding="utf-8")
    config += f"epub:\n  font_dirs: [{fonts}, {DEFAULT_FONT_DIRS[0]}]\n"
    (site / "syndicate.yaml").write_text(config, encoding="utf-8")
    cover = tmp_path / "out/opds/covers/2021-02-18-nato-iraq-deployment.en.png"
    covers = []
    for _ in range(2):
        result = build(
            formats=["epub"],
            config=site / "syndicate.yaml",
            articles=site / "articles",
            out=tmp_path / "out",
            now=datetime(2026, 1, 1, tzinfo=UTC),
            jobs=2,
            executor="dask",
        )
        assert result.status == "exported", [d.message for d in result.diagnostics]
        if not covers:
            bold = next(Path(DEFAULT_FONT_DIRS[0]).rglob("NotoSans-Bold.ttf"))
            shutil.copy(bold, fonts / "NotoSerif-Bold.ttf")  # the headline's face, since
        covers.append(cover.read_bytes())
    assert covers[0] != covers[1]


def test_the_advice_for_other_fonts_says_whether_a_restart_is_enough(tmp_path: Path) -> None:
    """A process keeps the cover fonts it found first (`font_files`) and compares those: with
    the export's fonts installed on its machine since, the advice is to restart it; with
    other fonts there, to install the export's (and then restart)."""
    from syndicate.build.toolchain import fonts_name, output_libraries, skew
    from syndicate.formats.epub.fontfiles import cover_fonts_digest, fonts_digest, fonts_on_disk

    noto = sorted(Path("/usr/share/fonts").rglob("NotoSans-*.ttf"))[:3]
    if len(noto) < 3:
        pytest.skip("fewer than three NotoSans-*.ttf under /usr/share/fonts")
    dirs = (str(tmp_path),)
    for font in noto[:2]:
        (tmp_path / font.name).symlink_to(font)
    here = output_libraries(dirs)  # read now, kept
    (tmp_path / noto[2].name).symlink_to(noto[2])  # installed since
    assert cover_fonts_digest(dirs) == dict(here)[fonts_name(dirs)]  # what it draws with
    export = tuple(
        (name, fonts_digest(fonts_on_disk(dirs)) if name == fonts_name(dirs) else version)
        for name, version in here
    )
    said = skew(here, export, dirs)
    assert said is not None and said.startswith(f"it has {fonts_name(dirs)} 2 files, digest")
    assert "where the export has 3 files, digest" in said
    assert said.endswith("and keeps them): restart it") and "install the" not in said, said
    other = tuple((n, "3 files, digest 0" if n == fonts_name(dirs) else v) for n, v in here)
    said = skew(here, other, dirs)
    assert said is not None and "install the same versions (and fonts)" in said, said
    assert skew(here, here, dirs) is None


def test_a_codec_a_pillow_cannot_tell_is_said_unknown_not_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Pillow older than a feature (zlib-ng's came with Pillow 11.2) cannot tell whether it
    was built with it: its version is "unknown", not "none" (built without it), which told the
    user the worker's Pillow lacked a library it may well have. Pillow's `features.version`
    answers None for a name it does not know, as for a codec it was built without."""
    from PIL import features

    from syndicate.build.toolchain import pillow_codecs

    here = dict(pillow_codecs())
    monkeypatch.delitem(features.features, "zlib_ng")
    monkeypatch.delitem(features.features, "libjpeg_turbo")
    older = dict(pillow_codecs())
    assert older["Pillow's zlib-ng"] == older["Pillow's libjpeg-turbo"] == "unknown", older
    assert older["Pillow's libjpeg"] == here["Pillow's libjpeg"] != "unknown"
    assert older["Pillow's zlib"] == here["Pillow's zlib"] != "unknown"


def test_a_worker_s_libraries_are_checked_with_its_first_batch_too() -> None:
    """A worker that joins the cluster after the run started (or a nanny's new one) was not
    asked before the run: its first batch checks the libraries and the cover fonts it has
    against the export's, and refuses other ones."""
    from syndicate.build.scheduling import ExecutorError
    from syndicate.build.sources import site_files
    from syndicate.build.workers import run_batch, run_libraries

    settings = settings_for(Registry(BUILTIN))
    libraries = run_libraries(settings)
    assert any(name.startswith("the cover fonts under") for name, _ in libraries)
    other = tuple(
        (name, "271 files, digest 0" if name.startswith("the cover fonts") else version)
        for name, version in libraries
    )
    for driver, refused in ((libraries, False), (other, True)):
        site = replace(site_files(settings.config), libraries=driver)
        try:
            run_batch(replace(settings, site=site), [])
        except ExecutorError as exc:
            assert refused and "where the export has 271 files, digest 0" in str(exc)
        else:
            assert not refused


SKEW = """
from syndicate.formats.contract import NoOptions, OutputFile, Writer


class SkewWriter(Writer[NoOptions]):
    name = "skew"
    description = "skew"
    media_type = "text/plain"
    extension = ".txt"
    scope = "story"
    Options = NoOptions

    def story_files(self, story, ctx):
        yield OutputFile(f"skew/{story.slug}.txt", b"VERSION\\n")
"""


@pytest.mark.slow
def test_a_worker_with_another_version_of_a_plugin_is_named(
    sites: list[Path],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker whose plugin format is another version than the driver's wrote that
    version's bytes, published with the others' in silence (syndicate's own files were
    checked, a plugin's were not)."""
    for version in ("new", "old"):
        package = tmp_path / version / "syndicate_skew_plugin"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(SKEW.replace("VERSION", version), "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "new"))
    from syndicate_skew_plugin import SkewWriter  # type: ignore[import-not-found]

    path = os.pathsep.join([str(tmp_path / "old"), *sys.path])
    with one_worker(tmp_path, PYTHONPATH=path) as (scheduler, _, address):
        extra = ("--executor", "dask", "--scheduler", scheduler)
        code = export(sites[0], tmp_path / "out", *extra, registry=Registry({"skew": SkewWriter}))
    err = capfd.readouterr().err
    assert code == 1, err
    assert f"on the Dask worker {address}" in err, err
    assert "runs the plugin package syndicate_skew_plugin with other files than the export" in err
    assert "[build.worker]" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_dask_that_cannot_be_imported_is_said_so_not_to_be_installed(
    sites: list[Path], tmp_path: Path
) -> None:
    """Dask distributed installed, one of its own dependencies broken (msgpack here): the
    export said to install it, which pip says it is."""
    shadow = tmp_path / "shadow" / "msgpack"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("broken build", name="msgpack")\n')
    path = os.pathsep.join([str(shadow.parent), *sys.path])
    site = sites[0]
    command = [sys.executable, "-m", "syndicate", "export", "-q", "-f", "html", "--now"]
    command += [FIXED_NOW, "--out", str(tmp_path / "out"), "--executor", "dask"]
    command += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert "Dask distributed is installed but cannot be imported (broken build)" in done.stderr
    assert "pip install --force-reinstall 'syndicate[dask]'" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_the_error_a_worker_raises_keeps_its_pickled_name() -> None:
    """A Dask worker running another version of syndicate says so with an `ExecutorError` the
    driver unpickles: it keeps the module name every earlier version gave it, so a driver
    of any version reads the message instead of failing to import its class."""
    import pickle

    from syndicate.build import workers
    from syndicate.build.scheduling import ExecutorError

    data = pickle.dumps(ExecutorError("a worker runs syndicate 0.2"))
    assert b"syndicate.build.workers" in data and b"scheduling" not in data
    assert workers.ExecutorError is ExecutorError
    again = pickle.loads(data)
    assert type(again) is ExecutorError and str(again) == "a worker runs syndicate 0.2"


def test_a_scheduler_goes_with_the_dask_executor(
    sites: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(sites[1], tmp_path / "out", "--scheduler", "tcp://127.0.0.1:8786") == 2
    assert "add --executor dask [export.executor]" in capsys.readouterr().err


def test_a_mirror_shows_the_reader_what_the_folder_shows(tmp_path: Path) -> None:
    """Names, kinds, sizes, bytes, and where links lead (inside the story folder or out of it),
    without carrying anything from outside the folder."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("secret", encoding="utf-8")
    folder = tmp_path / "articles" / "story"
    (folder / "images").mkdir(parents=True)
    (folder / "en.md").write_text("---\nheadline: x\n---\nText\n", encoding="utf-8")
    (folder / "images" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "images" / "inside.png").symlink_to("a.png")
    (folder / "fr.md").symlink_to(outside / "secret.md")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    (folder / "gone.md").symlink_to(tmp_path / "nothing")
    with (folder / "huge.md").open("wb") as huge:
        huge.truncate(CARRIED_BYTES + 1)
    os.mkfifo(folder / "pipe.md")
    (folder / "loop.md").symlink_to("loop.md")
    os.link(folder / "en.md", tmp_path / "en-elsewhere.md")
    snap = snapshot(folder)
    assert not any(b"secret" in entry.data for entry in snap.entries)
    with Mirror(snap) as mirror:
        assert look(mirror.folder) == look(folder)


def test_a_story_folder_linked_out_of_the_articles_folder_travels_as_such(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A story folder that is a link out of the articles folder is a story that cannot be
    read (`story.outside`), kept as last published. Sent to a worker that shares no file
    system with the export, nothing of what it leads to travels (its snapshot would have
    carried it all, and its mirror, a folder of its own, would have been read and
    published): the mirror is a link out of its folder too, refused as the driver refuses
    it, at the driver's path."""
    elsewhere = tmp_path / "Dropbox" / "story"
    elsewhere.mkdir(parents=True)
    (elsewhere / "story.yaml").write_text("id: secret\n", encoding="utf-8")
    (elsewhere / "en.md").write_text("---\nheadline: secret\n---\nsecret\n", encoding="utf-8")
    folder = tmp_path / "articles" / "story"
    folder.parent.mkdir()
    folder.symlink_to(elsewhere, target_is_directory=True)
    here = Diagnostics()
    assert read_story(folder, site_config, here) is None
    snap = snapshot(folder)
    assert snap.entries == () and snap.outside
    there = Diagnostics()
    with Mirror(snap) as mirror:
        assert read_story(mirror.folder, site_config, there) is None
        assert list(here) == mirror.relocate(list(there))
    assert [(d.code, d.path) for d in here] == [("story.outside", str(folder))]


def test_only_the_files_a_story_uses_travel_with_it(tmp_path: Path) -> None:
    """A story folder's files that its texts do not name (a photographer's originals, a
    video) travelled to a scheduler's workers with every task, up to 20 MB each, and the
    reader never opened them: the driver of an export of 30 stories, 8 of them with 114 MB
    of originals, grew to 1.4 GB (127 MB serial). They travel as their size; a reading that
    opens one all the same (its path written another way) is sent again with every file,
    and gives what the folder gives."""
    import pickle

    from syndicate.build.executors import SerialExecutor
    from syndicate.build.inputs import StoryInput
    from syndicate.build.workers import Job, run_batch, unit

    class Shipping(SerialExecutor):
        ships = True  # as a scheduler's: the stories' files travel with the work

    sample = next(p for p in sorted((REPO / "articles").iterdir()) if (p / "story.yaml").exists())
    plain, unusual = tmp_path / "articles" / "plain", tmp_path / "articles" / "unusual"
    for folder in (plain, unusual):
        shutil.copytree(sample, folder)
        (folder / "raw").mkdir()
        (folder / "raw" / "original.jpg").write_bytes(os.urandom(3_000_000))
    used = sorted(p.relative_to(unusual).as_posix() for p in (unusual / "images").iterdir())
    for text in unusual.glob("*.*"):  # every path to an image written as ./images//name
        data = text.read_text(encoding="utf-8")
        for rel in used:
            data = data.replace(rel, "./" + rel.replace("/", "//"))
        text.write_text(data, encoding="utf-8")
    settings = settings_for(Registry({"ninjs": BUILTIN["ninjs"]}))
    jobs = [Job(StoryInput(folder=folder), ("ninjs",), "key") for folder in (plain, unusual)]
    travelling = unit(jobs[0], True)
    assert len(pickle.dumps(travelling)) < 2_000_000
    with Mirror(travelling.source) as mirror:  # type: ignore[arg-type]
        assert look(mirror.folder).keys() == look(plain).keys()
        assert (mirror.folder / "raw" / "original.jpg").stat().st_size == 3_000_000
    here = list(SerialExecutor(settings).run(jobs))
    there = list(Shipping(settings).run(jobs))
    for one, other in zip(here, there, strict=True):
        assert other.summary is not None and not other.withheld
        assert (one.summary, one.key, one.images) == (other.summary, other.key, other.images)
        files = [(f.path, getattr(f, "data", None)) for f in one.made["ninjs"].files]
        assert files == [(f.path, getattr(f, "data", None)) for f in other.made["ninjs"].files]
        assert any(path.endswith(".png") for path, _ in files)
    (first,) = run_batch(settings, [unit(jobs[1], True)])  # its images travelled as sizes
    assert first.withheld and first.summary is None


def look(folder: Path) -> dict[str, tuple[object, ...]]:
    """What a reader can learn of each path under `folder`."""
    root = folder.resolve()
    seen: dict[str, tuple[object, ...]] = {}
    for path in sorted(folder.rglob("*")):
        try:
            inside: bool | None = path.resolve(strict=True).is_relative_to(root)
        except (OSError, RuntimeError):
            inside = None
        kind = (path.is_symlink(), isfile(path), isdir(path), exists(path), inside)
        regular = isfile(path)
        names = path.stat().st_nlink > 1 if regular else None
        size = path.stat().st_size if regular else None
        data = path.read_bytes() if regular and inside and not names and size < 100 else None
        seen[path.relative_to(folder).as_posix()] = (*kind, names, size, data)
    return seen


def settings_for(writers: Registry | None = None) -> Any:
    from datetime import datetime

    from syndicate.build.workers import Settings
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.options import resolve_options
    from syndicate.readers.config import load_config

    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    chosen = {name: writers.get(name) for name in writers.names} if writers else {}
    options = resolve_options(list(chosen.values()), config, Diagnostics(), every_section=False)
    assert options is not None
    return Settings(config, datetime.fromisoformat(FIXED_NOW), ("en",), chosen, options)


class StrayWriter(TextWriter):
    """Writes one file in its folder, one that a published file has the bytes of, and one
    outside out/."""

    name = "stray"

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        yield OutputFile(f"stray/{story.slug}.txt", b"new\n")
        yield OutputFile("stray/same.txt", b"published\n")
        yield OutputFile("stray/big/1.bin", BIG)
        yield OutputFile("stray/big/2.bin", BIG)
        yield OutputFile("../escape.txt", b"out of out/\n")


BIG = bytes(range(256)) * 100


class PhraseWriter(TextWriter):
    """Writes the site's "Read more" for each story, once every thread it waits for has
    reached it (`meet`)."""

    name = "phrase"
    meet: Any = None

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        from syndicate.i18n.terms import term

        if PhraseWriter.meet is not None:
            PhraseWriter.meet.wait(timeout=60)
        yield OutputFile(f"phrase/{story.slug}.txt", term("read_more", "en").encode())


def test_the_threads_of_a_worker_keep_each_site_s_phrases(monkeypatch: pytest.MonkeyPatch) -> None:
    """The threads of one Dask worker (`dask worker` starts one a core) run the batches of
    every export sent to the cluster: two sites exported at once got each other's phrases
    (site A's pages said site B's "Read more")."""
    import threading
    from dataclasses import replace

    from syndicate.build.workers import Unit, run_batch
    from syndicate.i18n.terms import use_site_terms

    settings = settings_for(Registry({"phrase": PhraseWriter}))
    story = next(p for p in sorted((REPO / "articles").iterdir()) if (p / "story.yaml").exists())
    monkeypatch.setattr(PhraseWriter, "meet", threading.Barrier(2))
    said: dict[str, bytes] = {}

    def export_site(name: str) -> None:
        config = replace(settings.config, terms={"en": {"read_more": f"More from {name}"}})
        (done,) = run_batch(replace(settings, config=config), [Unit(story, ("phrase",), "k")])
        said[name] = done.made["phrase"].files[0].data

    try:
        threads = [threading.Thread(target=export_site, args=(name,)) for name in "AB"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        use_site_terms({})
    assert said == {"A": b"More from A", "B": b"More from B"}


def test_the_threads_of_a_worker_lay_the_same_templates_out_at_once(
    sites: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker of several threads given its first batches at once: each thread laid the
    site's templates out and renamed them into place, and all but the first failed their
    batch with "Directory not empty" (`a worker failed: OSError(39, ...)`)."""
    import threading
    from dataclasses import replace

    from syndicate.build import sources
    from syndicate.readers.config import load_config

    site = tmp_path / "site"
    shutil.copytree(sites[0], site)
    (site / "templates").mkdir()
    base = REPO / "syndicate" / "formats" / "html" / "templates" / "base.html"
    (site / "templates" / "base.html").write_bytes(base.read_bytes())
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None and config.templates is not None
    files = sources.site_files(config)
    monkeypatch.setattr(sources, "scratch_root", lambda: str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    failed: list[BaseException] = []
    for round in range(10):  # a new set of templates each round: laid out anew
        extra = ((f"extra-{round}.html", b"<p>x</p>"),)
        these = replace(files, templates=files.templates + extra)
        meet = threading.Barrier(6)

        def lay_out(these: Any = these, meet: Any = meet) -> None:
            meet.wait()
            try:
                laid = sources.with_templates(config, these)
                assert laid.templates is not None and (laid.templates / "base.html").is_file()
            except BaseException as exc:  # (the thread's failure, for the test to say)
                failed.append(exc)

        threads = [threading.Thread(target=lay_out) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failed == []
    assert len(list((tmp_path / "scratch").iterdir())) == 10  # no staging folder left


def test_a_worker_stages_its_files_and_sends_back_no_bytes(tmp_path: Path) -> None:
    """Workers on this machine write their files into their unit's staging folder and send
    back where they are: a file out/ has with the same bytes is a link to it, a path outside
    out/ is sent back as it is (for the driver to refuse), and a unit run again (a Dask task
    retried) replaces what the first run staged without writing through it."""
    from dataclasses import replace

    from syndicate.build.publish import Staged
    from syndicate.build.workers import Unit, run_batch

    out, units = tmp_path / "out", tmp_path / "out" / ".staging-x" / ".units"
    (out / "stray").mkdir(parents=True)
    (out / "stray" / "same.txt").write_bytes(b"published\n")
    settings = settings_for(Registry({"stray": StrayWriter}))
    settings = replace(settings, stage_to=(str(units), str(out)))
    story = next(p for p in sorted((REPO / "articles").iterdir()) if (p / "story.yaml").exists())
    work = Unit(story, ("stray",), "key", number=7)
    for _ in range(2):
        (done,) = run_batch(settings, [work])
        files = done.made["stray"].files
        assert [type(f) for f in files] == [Staged, Staged, Staged, Staged, OutputFile]
        mine, same, _, _, escape = files
        assert isinstance(mine, Staged) and isinstance(same, Staged)
        assert (mine.existed, mine.same, same.existed, same.same) == (False, False, True, True)
        folder = units / "7"
        assert mine.folder == same.folder == str(folder)
        # side by side in the unit's folder, whatever their paths: no folder made for them
        names = [f.name for f in files if isinstance(f, Staged)]
        assert sorted(os.listdir(folder)) == sorted(names) and len(set(names)) == 4
        assert (folder / mine.name).read_bytes() == b"new\n"
        assert (folder / mine.name).stat().st_mode & 0o777 == 0o644
        assert (folder / same.name).samefile(out / "stray" / "same.txt")
        assert escape.path == "../escape.txt" and not (units / "escape.txt").exists()
        one, two = (folder / f.name for f in files[2:4] if isinstance(f, Staged))
        assert one.samefile(two) and two.read_bytes() == BIG  # one file, two names
    assert (out / "stray" / "same.txt").read_bytes() == b"published\n"

    # A worker that cannot write (a full disk, a folder it may not write in) sends the bytes
    # back: the driver writes them, or reports why it cannot.
    blocked = tmp_path / "a-file"
    blocked.write_bytes(b"")
    (done,) = run_batch(replace(settings, stage_to=(str(blocked / "units"), str(out))), [work])
    files = done.made["stray"].files
    assert all(type(f) is OutputFile for f in files) and files[0].data == b"new\n"


STRAY = Registry({**BUILTIN, "stray": StrayWriter})


def test_a_path_a_worker_may_not_write_is_refused_and_nothing_is_published(
    sites: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert export(sites[1], out, "-f", "stray", "-j", "2", registry=STRAY) != 0
    err = capsys.readouterr().err
    assert "refusing to write outside out/: '../escape.txt'" in err and "Traceback" not in err
    assert not (tmp_path / "escape.txt").exists() and not (out / "stray").exists()
    assert not list(out.glob(".syndicate-staging-*"))


def test_a_story_left_out_publishes_nothing_its_worker_staged(
    sites: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --keep-going, a story whose problems leave it out keeps its last published
    version, though a worker already staged its new files."""
    site = tmp_path / "site"
    shutil.copytree(sites[1], site)
    out = tmp_path / "out"
    assert export(site, out, "-j", "2") == 0
    published = tree(out)
    for name in ("bench-000005", "bench-000006", "bench-000007"):  # three: the pool runs
        md = site / "articles" / name / "en.md"
        text = md.read_text(encoding="utf-8") + "\nNever published.\n\n<script>1</script>\n"
        md.write_text(text, "utf-8")  # the raw HTML is a warning: an error with --strict
    capsys.readouterr()
    assert export(site, out, "-j", "2", "--keep-going", "--strict") == 3
    assert "[html.removed]" in capsys.readouterr().err
    assert tree(out) == published
    assert not list(out.glob(".syndicate-staging-*"))


def test_one_or_two_stories_run_in_process() -> None:
    """Starting a pool costs more than a story or two take (an edit): those run here, the
    same work as in a worker (the same bytes, as the tests above show for every executor)."""
    from syndicate.build import executors

    settings = settings_for()
    spec = executors.ExecutorSpec("pool", 2)
    for jobs in range(1, executors.IN_PROCESS + 1):
        assert isinstance(executors.open_executor(spec, settings, jobs), executors.SerialExecutor)
    with executors.open_executor(spec, settings, executors.IN_PROCESS + 1) as pool:
        assert isinstance(pool, executors.PoolExecutor)


def test_jobs_start_at_most_four_processes_a_core() -> None:
    """`--jobs 100000` started a worker process for each batch of stories: 130 of them and
    12 GB on a two-core machine, for no speed. A local pool (or cluster) has at most four
    for each core the export may run on."""
    from syndicate.build import executors

    cores = len(os.sched_getaffinity(0))
    assert executors.local_workers(100_000) == 4 * cores
    assert executors.local_workers(1) == 1
    spec = executors.ExecutorSpec("pool", 100_000)
    with executors.open_executor(spec, settings_for(), 1_000) as pool:
        assert isinstance(pool, executors.PoolExecutor) and pool.workers == 4 * cores


@pytest.mark.parametrize("kind", ["silent", "http", "banner"])
def test_a_listener_that_is_no_scheduler_is_a_diagnostic_in_time(
    sites: list[Path],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    """A port that accepts and never answers, or answers as a web server: Dask's client waited
    there for ever (and Ctrl-C 40 s more); the export gives up after its connection time."""
    import http.server
    import socket
    import threading
    import time

    monkeypatch.setattr(dask_adapter, "CONNECT_SECONDS", 2)
    if kind == "http":
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port, stop = server.server_address[1], server.shutdown
    elif kind == "banner":  # as sshd: text first, which Dask read as a frame's length
        listener = socket.create_server(("127.0.0.1", 0))

        def greet() -> None:
            with contextlib.suppress(OSError):
                while True:
                    conn, _ = listener.accept()
                    conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")

        threading.Thread(target=greet, daemon=True).start()
        port, stop = listener.getsockname()[1], listener.close
    else:
        listener = socket.create_server(("127.0.0.1", 0))
        accepted: list[socket.socket] = []
        threading.Thread(
            target=lambda: accepted.extend(iter(lambda: listener.accept()[0], None)), daemon=True
        ).start()
        port, stop = listener.getsockname()[1], listener.close
    try:
        start = time.monotonic()
        extra = ("--executor", "dask", "--scheduler", f"tcp://127.0.0.1:{port}")
        assert export(sites[1], tmp_path / "out", *extra) == 1
        assert time.monotonic() - start < 15
    finally:
        stop()
    err = capfd.readouterr().err
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}:" in err
    if kind == "banner":  # (a MemoryError traceback before)
        assert "does not answer as a Dask scheduler (MemoryError)" in err, err
    else:
        assert "after 2 s" in err or "closed the connection" in err
    assert "[build.worker]" in err and "Traceback" not in err and "Exception ignored" not in err


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("tcp://127.0.0.1", "it names no port"),
        ("foo://x:1", "Dask has no protocol 'foo'"),
        ("tcp://127.0.0.1:http", "its port is not a number"),
        ("", "it is empty"),  # "$DASK_SCHEDULER" unset: not Dask's default local cluster
    ],
)
def test_a_scheduler_address_that_cannot_be_one_is_an_input_error(
    sites: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str, why: str
) -> None:
    from syndicate.build import export as export_api

    extra = ("--executor", "dask", "--scheduler", address)
    assert export(sites[1], tmp_path / "out", *extra) == 2
    err = capsys.readouterr().err
    assert f"error: --scheduler: {address!r} is not a Dask scheduler's address: {why}" in err
    assert "[export.executor]" in err and "Traceback" not in err
    result = export_api(
        formats=["html"],
        config=sites[1] / "syndicate.yaml",
        out=tmp_path / "out",
        executor="dask",
        scheduler=address,
    )
    assert result.status == "input-errors"
    assert any(why in d.message and d.code == "export.request" for d in result.diagnostics)
    assert not (tmp_path / "out").exists()


def test_an_empty_scheduler_goes_with_the_dask_executor_too(
    sites: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(sites[1], tmp_path / "out", "--scheduler", "") == 2
    assert "add --executor dask [export.executor]" in capsys.readouterr().err


class SlowWriter(TextWriter):
    """A format slow enough to have a run in flight when its cluster is hurt; with
    SYNDICATE_TEST_MARKS set, it marks each story it starts in that folder."""

    name = "slow"

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        import time

        if marks := os.environ.get("SYNDICATE_TEST_MARKS"):
            Path(marks, story.slug).touch()
        time.sleep(0.3)
        yield OutputFile(f"slow/{story.slug}.txt", story.slug.encode())


SLOW = Registry({**BUILTIN, "slow": SlowWriter})


def export_slow(site: Path, out: Path, *extra: str) -> int:
    args = ["export", "-q", "-f", "slow", "--now", FIXED_NOW, "--out", str(out), *extra]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    return main(args, registry=SLOW)


@pytest.fixture(scope="module")
def nannies() -> Iterator[Any]:
    """A local cluster of two worker processes, each with the nanny that restarts it."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    ) as local:
        yield local


@pytest.mark.slow
def test_the_run_survives_losing_every_worker(
    sites: list[Path], nannies: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Both workers killed mid-run (kill -9; their nannies start them again): the batches run
    again, and so do the run's settings, which died with them."""
    import signal
    import threading
    import time

    assert export_slow(sites[1], tmp_path / "serial", "--executor", "serial") == 0
    killed: list[int] = []

    def kill_when_running() -> None:
        with distributed.Client(nannies, set_as_default=False) as client:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                running = [k for keys in client.processing().values() for k in keys]
                if any(str(key).startswith("on_worker") for key in running):
                    break
                time.sleep(0.05)
            for pid in client.run(os.getpid).values():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    killer = threading.Thread(target=kill_when_running)
    killer.start()
    dask = ("--executor", "dask", "--scheduler", nannies.scheduler_address)
    code = export_slow(sites[1], tmp_path / "dask", *dask)
    killer.join()
    err = capfd.readouterr().err
    assert len(killed) == 2
    assert code == 0, err
    assert tree(tmp_path / "dask") == tree(tmp_path / "serial")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.slow
def test_losing_the_scheduler_is_one_diagnostic(
    sites: list[Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """`dask scheduler` killed mid-run: the documented error, not Dask's logged traceback and
    a `FutureCancelledError()`; Dask's loggers are as they were after the run."""
    import logging
    import signal
    import time

    address = f"tcp://127.0.0.1:{free_port()}"
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "SYNDICATE_TEST_MARKS": str(marks)}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "tests"), env.get("PYTHONPATH", "")])
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": tmp_path}
    port = address.rsplit(":", 1)[1]
    dask = [sys.executable, "-m"]  # no dashboards: no port taken but the scheduler's
    scheduler = subprocess.Popen(
        [
            *dask,
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            port,
            "--no-dashboard",
        ],
        env=env,  # the scheduler reads the tasks: it needs syndicate too
        **quiet,  # type: ignore[call-overload]
    )
    worker = subprocess.Popen(
        [
            *dask,
            "distributed.cli.dask_worker",
            address,
            "--nthreads",
            "1",
            "--no-nanny",
            "--no-dashboard",
        ],
        env=env,
        **quiet,  # type: ignore[call-overload]
    )
    try:
        with distributed.Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(1, timeout=60)

        def kill_when_running() -> None:
            deadline = time.monotonic() + 60
            while not any(marks.iterdir()) and time.monotonic() < deadline:
                time.sleep(0.05)
            scheduler.send_signal(signal.SIGKILL)

        import threading

        killer = threading.Thread(target=kill_when_running)
        killer.start()
        levels = {
            name: logging.getLogger(name).level for name in ("distributed", "distributed.client")
        }
        start = time.monotonic()
        code = export_slow(sites[1], tmp_path / "out", "--executor", "dask", "--scheduler", address)
        killer.join()
        assert time.monotonic() - start < 40
    finally:
        for process in (scheduler, worker):
            process.kill()
            process.wait(30)
    err = capfd.readouterr().err
    assert code == 1, err
    assert f"error: lost the Dask scheduler at {address}: " in err
    assert "nothing was published [build.worker]" in err
    assert "Traceback" not in err and "CancelledError" not in err and len(err.splitlines()) == 1
    assert {name: logging.getLogger(name).level for name in levels} == levels
    assert not (tmp_path / "out" / "slow").exists()


@pytest.mark.slow
def test_a_worker_s_own_problems_name_the_worker(nannies: Any, tmp_path: Path) -> None:
    """What is wrong with a worker (its syndicate, its fonts) may be true of it alone: the
    error says which one it is, not only what (the driver may have the fonts)."""
    from dataclasses import replace

    import msgspec

    from syndicate.build.scheduling import ExecutorError
    from syndicate.build.sources import site_files
    from syndicate.build.workers import Unit

    settings = settings_for(Registry({"epub": BUILTIN["epub"]}))
    no_fonts = tmp_path / "no-fonts"
    no_fonts.mkdir()
    options = msgspec.structs.replace(settings.options["epub"], font_dirs=(str(no_fonts),))
    settings = replace(settings, options={**settings.options, "epub": options})
    story = next(p for p in sorted((REPO / "articles").iterdir()) if (p / "story.yaml").exists())
    with distributed.Client(nannies, set_as_default=False) as client:
        workers = set(client.scheduler_info()["workers"])
        (done,) = client.submit(
            dask_adapter.on_worker, settings, [Unit(story, ("epub",), "key")], pure=False
        ).result()
        covers = [d.message for d in done.made["epub"].diagnostics if d.code == "epub.cover"]
        assert covers and all("cover fonts not found under" in m for m in covers)
        assert all(m.startswith("on the Dask worker tcp://") for m in covers)
        assert any(address in covers[0] for address in workers)

        other = replace(settings, site=replace(site_files(settings.config), code="other"))
        with pytest.raises(ExecutorError) as raised:
            client.submit(dask_adapter.on_worker, other, [], pure=False).result()
        assert str(raised.value).startswith("on the Dask worker tcp://")
        assert any(address in str(raised.value) for address in workers)
        assert "with other files than the export" in str(raised.value)


def _signal_state() -> tuple[bool, bool]:
    """In a worker: whether Ctrl-C is blocked, and whether it would raise KeyboardInterrupt."""
    import signal

    blocked = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    return blocked, signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _blocked_at_start() -> bool:
    import signal

    return signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])


@pytest.mark.parametrize("ready", ["interruptible", "ignore_interrupts"])
def test_workers_start_with_ctrl_c_blocked_until_ready(ready: str) -> None:
    """A Ctrl-C while a spawned worker still imported its modules printed its traceback
    above the command's last line. Workers start with Ctrl-C blocked; their initializer then
    takes it (a batch interrupted at once, or the reading workers' ignoring it). The command's
    own Ctrl-C is blocked only while a process starts."""
    import signal
    from concurrent.futures import ProcessPoolExecutor

    from syndicate.build import spawning

    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    with ProcessPoolExecutor(1, mp_context=spawning.spawning()) as pool:
        assert pool.submit(_blocked_at_start).result() is True
    with ProcessPoolExecutor(
        1, mp_context=spawning.spawning(), initializer=getattr(spawning, ready)
    ) as pool:
        assert pool.submit(_signal_state).result() == (False, ready == "interruptible")
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before


class SleepyWriter(TextWriter):
    """Says that it started (the file `$SLEEPY_STARTED`), then takes a minute over a story."""

    name = "sleepy"

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        Path(os.environ["SLEEPY_STARTED"]).touch()
        time.sleep(60)
        yield OutputFile(f"sleepy/{story.slug}.txt", b"awake\n")


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_ctrl_c_ends_a_pool_s_batch_and_leaves_a_waiting_worker_alone(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A Ctrl-C that reached a pool's worker waiting for its next batch ended it, with a
    KeyboardInterrupt traceback on stderr, and broke the pool: the export then said "a worker
    process died (killed, or out of memory)", status 1, not that it was interrupted. SIGTERM
    (`timeout`, sent to the whole group) killed it, and one killed as it sent a result back
    left the pool, and the export stopping it, waiting for ever. A worker takes either only
    while it runs a batch, which it ends at once."""
    import signal

    sig = getattr(signal, name)

    from syndicate.build import executors
    from syndicate.build.workers import Unit

    started = tmp_path / "started"
    monkeypatch.setenv("SLEEPY_STARTED", str(started))
    story = next(p for p in sorted((REPO / "articles").iterdir()) if (p / "story.yaml").exists())
    with executors.PoolExecutor(settings_for(Registry({"sleepy": SleepyWriter})), 1) as pool:
        assert pool.submit([]).result() == []
        # (its pool's own: another test's processes may still be this process's children)
        (worker,) = pool.pool._processes.values()
        time.sleep(0.5)  # back waiting for its next batch
        assert worker.pid is not None
        os.kill(worker.pid, sig)
        time.sleep(1)
        assert worker.is_alive()
        assert pool.submit([]).result() == []  # the pool is whole

        running = pool.submit([Unit(story, ("sleepy",), "key")])
        deadline = time.monotonic() + 30
        while not started.exists():
            assert time.monotonic() < deadline, "the batch did not start"
            time.sleep(0.05)
        os.kill(worker.pid, sig)
        with pytest.raises(KeyboardInterrupt):
            running.result(timeout=20)  # (not the minute the batch would take)
    assert "KeyboardInterrupt" not in capfd.readouterr().err


def test_a_pool_of_a_command_started_with_ctrl_c_ignored_ignores_it_in_its_batches(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command started with Ctrl-C ignored (a script's `syndicate export &`) was stopped by
    a Ctrl-C to its process group all the same, status 130, while a pool's worker ran a
    batch: the worker set its own handler. It keeps the command's choice; SIGTERM still ends
    the batch."""
    import signal

    from syndicate.build import executors
    from syndicate.build.workers import Unit

    started = tmp_path / "started"
    monkeypatch.setenv("SLEEPY_STARTED", str(started))
    story = next(p for p in sorted((REPO / "articles").iterdir()) if (p / "story.yaml").exists())
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # (the workers inherit it)
    try:
        pool = executors.PoolExecutor(settings_for(Registry({"sleepy": SleepyWriter})), 1)
        with pool:
            assert pool.submit([]).result() == []
            (worker,) = pool.pool._processes.values()
            running = pool.submit([Unit(story, ("sleepy",), "key")])
            deadline = time.monotonic() + 30
            while not started.exists():
                assert time.monotonic() < deadline, "the batch did not start"
                time.sleep(0.05)
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGINT)
            time.sleep(1)
            assert worker.is_alive() and not running.done(), "Ctrl-C ignored, as by the command"
            os.kill(worker.pid, signal.SIGTERM)
            with pytest.raises(KeyboardInterrupt):
                running.result(timeout=20)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "Traceback" not in capfd.readouterr().err


class HalfDyingWriter(TextWriter):
    """Of the two batches given it, the first to start ends its process as the OOM killer
    would, once the other has started its story (so that it is at work, ignoring SIGTERM,
    not still starting, when the pool finds itself broken: a worker SIGTERM ends as it
    starts left nothing to hang on); the other waits until the broken pool terminates it
    (its SIGTERM, taken note of and otherwise ignored, as a worker ignores it), then makes
    more than a pipe holds, so that its result is sent back after the pool stopped reading
    results. (No time to wait: on a busy machine the pool may take seconds to find itself
    broken.)"""

    name = "halfdying"

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        marker = Path(os.environ["DYING_PID"])
        deadline = time.monotonic() + 60
        try:
            os.close(os.open(f"{marker}.claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            terminated: list[int] = []
            signal.signal(signal.SIGTERM, lambda number, frame: terminated.append(number))
            Path(f"{marker}.working").touch()
        else:
            while not Path(f"{marker}.working").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            os._exit(9)
        while not terminated and time.monotonic() < deadline:
            time.sleep(0.05)
        yield OutputFile(f"halfdying/{story.slug}.txt", b"x" * 4_000_000)


def test_a_worker_that_dies_while_another_sends_its_result_ends_the_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The OOM killer ends one worker while the other has a large result to send back (or a
    whole process group got SIGTERM while one started): the pool, broken, stops reading
    results and terminates the others, but a worker ignores SIGTERM (see
    `ignore_interrupts`) and this one stayed blocked writing its result: the pool waited for
    it for ever, and the export (or the preview) hung instead of saying a worker died."""
    import threading
    from concurrent.futures.process import BrokenProcessPool
    from dataclasses import replace

    from syndicate.build import executors
    from syndicate.build.workers import Unit

    monkeypatch.setenv("DYING_PID", str(tmp_path / "dying.pid"))
    story = next(p for p in sorted((REPO / "articles").iterdir()) if (p / "story.yaml").exists())
    registry = Registry({"halfdying": HalfDyingWriter})
    # (as the preview runs its exports: a worker ignores SIGTERM throughout its work)
    settings = replace(settings_for(registry), interruptible=False)
    pool = executors.PoolExecutor(settings, 2)
    workers: list[Any] = []
    said: list[str] = []

    def work() -> None:
        with pool:
            batches = [pool.submit([Unit(story, ("halfdying",), "key")]) for _ in range(2)]
            workers.extend((pool.pool._processes or {}).values())
            for batch in batches:
                with contextlib.suppress(BrokenProcessPool):
                    batch.result()
        said.append("stopped")

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(90)
    hung = thread.is_alive()
    if hung:  # (end the workers, so that the pool's threads end with this test)
        for worker in workers:
            worker.kill()
        thread.join(30)
    assert not hung, "the pool waited for ever for a worker that ignores SIGTERM"
    assert said == ["stopped"]


class _CtrlCAsListed(dict):  # type: ignore[type-arg]
    """A pool's list of its workers, that a Ctrl-C interrupts as a worker is listed: the
    moment Ctrl-C held while a worker starts arrives, as its `start` returns."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[Any] = []

    def __setitem__(self, key: Any, value: Any) -> None:
        self.started.append(value)
        raise KeyboardInterrupt


def test_ctrl_c_as_a_worker_starts_stops_that_worker_too(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A Ctrl-C while the pool started a worker arrived once the worker had started, before
    the pool listed it: stopping the pool left it running, and once the command had closed
    the pool's queues it printed a traceback (FileNotFoundError, from rebuilding a queue's
    lock) under the command's "interrupted" line."""
    from syndicate.build import executors

    pool = executors.PoolExecutor(settings_for(), 1)
    listed = pool.pool._processes = _CtrlCAsListed()
    with pytest.raises(KeyboardInterrupt), pool:
        pool.submit([])
    (stray,) = listed.started
    stray.join(60)
    assert not stray.is_alive()
    assert stray.exitcode == -9  # killed before it could find the queues closed
    assert "Traceback" not in capfd.readouterr().err


@contextlib.contextmanager
def _ctrl_c_once_shut_down(pool: Any) -> Iterator[None]:
    """Ctrl-C to this process once `pool` (a `ProcessPoolExecutor`) is shutting down, while
    the block waits for it: on a busy machine a timer alone could fire before the shutdown
    began (another case). None is sent once the block is over: a Ctrl-C sent after the call
    returned (a shutdown that waited for nothing) would end the whole pytest session in a
    later test, rather than fail this one; the one sent just as it returned fails it."""
    import signal
    import threading

    over = threading.Event()
    sending = threading.Lock()

    def send() -> None:
        while not pool._shutdown_thread:
            if over.wait(0.01):
                return
        if over.wait(0.5):  # (the shutdown now waits for the minute-long work)
            return
        with sending:
            if not over.is_set():
                os.kill(os.getpid(), signal.SIGINT)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        try:
            yield
        finally:
            with sending:
                over.set()
            sender.join()
            time.sleep(0.2)  # (a Ctrl-C sent as the block ended is raised here at the latest)
    except KeyboardInterrupt:
        pytest.fail("the Ctrl-C came once the call had returned: it waited for nothing")


def _ended(workers: Sequence[Any], within: float = 10) -> bool:
    """Whether the worker processes have all ended, soon: the pool's own manager thread may
    be reaping one as the test looks (it is then told alive for an instant), while one left
    behind waits for work, or sleeps through its minute-long batch, far longer."""
    deadline = time.monotonic() + within
    while any(worker.is_alive() for worker in workers):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_ctrl_c_while_the_pool_stops_leaves_no_worker_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C that reached the command while its pool waited for the batches under way (a
    terminal's Ctrl-C reaches the workers first, whose interrupted batch the command takes as
    its own) left the workers waiting for work for ever, and Python's exit waited for them:
    the export said "interrupted; out/ is unchanged" and hung. They are stopped."""

    from syndicate.build import executors
    from syndicate.build.workers import Unit

    started = tmp_path / "started"
    monkeypatch.setenv("SLEEPY_STARTED", str(started))
    story = next(p for p in sorted((REPO / "articles").iterdir()) if (p / "story.yaml").exists())
    pool = executors.PoolExecutor(settings_for(Registry({"sleepy": SleepyWriter})), 1)
    pool.submit([Unit(story, ("sleepy",), "key")])
    workers = list(pool.pool._processes.values())
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert time.monotonic() < deadline, "the batch did not start"
            time.sleep(0.05)
        begun = time.monotonic()
        with _ctrl_c_once_shut_down(pool.pool), pytest.raises(KeyboardInterrupt):
            pool.__exit__(None, None, None)  # waits for the minute-long batch
        assert time.monotonic() - begun < 20
        assert _ended(workers)
    finally:
        for worker in workers:  # (before the fix: still there, and pytest's exit would wait)
            worker.kill()


def _start_and_sleep(started: str) -> None:
    Path(started).touch()
    time.sleep(60)


def test_a_second_ctrl_c_while_the_reading_workers_stop_leaves_none_behind(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """`validate` of 100 stories or more (read by a pool whose workers ignore Ctrl-C): a
    second Ctrl-C while the first one waited for the folders under way left the workers
    behind, those still starting each printing a traceback under "interrupted" (a semaphore
    of the command gone). The pool's workers end with it, as the export's do."""
    from concurrent.futures import ProcessPoolExecutor

    from syndicate.build import executors, reading, spawning

    assert reading.stop_pool is executors.stop_pool  # how the reading pool is stopped
    started = tmp_path / "started"
    pool = ProcessPoolExecutor(
        1, mp_context=spawning.spawning(), initializer=spawning.ignore_interrupts
    )
    pool.submit(_start_and_sleep, str(started))
    workers = list(pool._processes.values())
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert time.monotonic() < deadline, "the work did not start"
            time.sleep(0.05)
        begun = time.monotonic()
        with _ctrl_c_once_shut_down(pool), pytest.raises(KeyboardInterrupt):
            executors.stop_pool(pool)  # waits for the minute-long work: Ctrl-C again
        # (not once the work is done: the workers ignore SIGTERM, they are killed)
        assert time.monotonic() - begun < 20
        assert _ended(workers)
    finally:
        for worker in workers:
            worker.kill()
    assert "Traceback" not in capfd.readouterr().err


def test_the_ctrl_c_tests_send_none_once_the_call_returned() -> None:
    """The Ctrl-C tests' sender, given a shutdown that waits for nothing (a stop_pool that
    returns at once): its Ctrl-C came after the call, in a later test, and ended the whole
    pytest session (the tests after it not run) rather than failing the one test."""
    from concurrent.futures import ProcessPoolExecutor

    from syndicate.build import spawning

    pool = ProcessPoolExecutor(1, mp_context=spawning.spawning())
    with _ctrl_c_once_shut_down(pool):
        pool.shutdown(wait=True)  # nothing under way: returns at once
    time.sleep(1)  # (a Ctrl-C still to come would be raised here)


def test_a_local_cluster_s_workers_leave_ctrl_c_to_the_command() -> None:
    """Ctrl-C during a local `--executor dask` export: every worker process printed its
    KeyboardInterrupt traceback above the command's one line (the pool's workers never did).
    The cluster's workers have it blocked, those its nannies start again too; the command's
    own is as it was."""
    import signal

    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    cluster = dask_adapter._local_cluster(distributed, 2)
    try:
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
        with distributed.Client(cluster, set_as_default=False) as client:
            states = client.run(_blocked_at_start)
            assert list(states.values()) == [True, True], states
            pids = set(client.run(os.getpid).values())
            os.kill(min(pids), signal.SIGKILL)  # its nanny starts it again
            deadline = time.monotonic() + 60
            while True:
                assert time.monotonic() < deadline, "the worker was not started again"
                time.sleep(0.3)
                try:
                    now = client.run(os.getpid)
                except Exception:  # (the dead worker, still listed)
                    continue
                if len(now) == 2 and set(now.values()) != pids:
                    break
            assert all(client.run(_blocked_at_start).values())
    finally:
        cluster.close()


def test_a_worker_s_scratch_left_by_a_process_that_is_gone_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Dask worker killed (or stopped by SIGTERM, which runs no exit handler) left its
    scratch folder in /tmp, the stories' texts in it: the next worker on the machine removes
    the scratch of this user's processes that are gone, and no other."""
    import subprocess
    import tempfile

    from syndicate.build import sources

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    stale = tmp_path / f"syndicate-worker-{gone}-abcd1234"
    (stale / "story").mkdir(parents=True)
    (stale / "story/en.md").write_text("an embargoed text")
    alive = tmp_path / f"syndicate-worker-{os.getppid()}-efgh5678"
    alive.mkdir()
    other = tmp_path / "syndicate-worker-x"  # not one of ours: left alone
    other.mkdir()
    sources.scratch_root.cache_clear()
    try:
        root = sources.scratch_root()
        assert Path(root).parent == tmp_path and Path(root).name.startswith(
            f"syndicate-worker-{os.getpid()}-"
        )
        assert not stale.exists() and alive.is_dir() and other.is_dir()
    finally:
        sources.scratch_root.cache_clear()


class OddWriter(TextWriter):
    """Gives what a plugin author's slip gives (`ODD_MODE` chooses which)."""

    name = "odd"

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[Any]:
        from syndicate.formats.contract import Fragment

        mode = os.environ.get("ODD_MODE", "")
        if mode == "nul":
            yield OutputFile(f"odd/{story.slug}\0.txt", b"x")
        elif mode == "spellings":
            yield OutputFile(f"odd/{story.slug}.txt", b"a")
            yield OutputFile(f"odd//{story.slug}.txt", b"b")
        elif mode == "folder":
            yield OutputFile("odd/", b"x")
        elif mode == "fragment":
            yield Fragment("entry", "<entry/>")  # text, not bytes
        elif mode == "exit":
            sys.exit(3)


ODD = Registry({**BUILTIN, "odd": OddWriter})


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("nul", "the odd writer: refusing to write a path holding a NUL character"),
        ("spellings", "a path is written one way, 'odd/"),
        ("folder", "odd wrote 'odd/': a path is written one way, 'odd'"),
        ("fragment", "the odd writer gave the fragment 'entry' as str, not bytes"),
        ("exit", "the odd writer failed: SystemExit(3)"),
    ],
)
def test_a_plugin_s_slips_are_said_naming_it_and_publish_nothing(
    sites: list[Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    said: str,
) -> None:
    """A NUL in a path (a ValueError traceback out of `export`), one file under two
    spellings (the last silently won, counted three times), a fragment of text (a TypeError
    traceback), `sys.exit` in a writer (the host program ended): each a problem naming the
    writer, with nothing published."""
    monkeypatch.setenv("ODD_MODE", mode)
    out = tmp_path / "out"
    assert export(sites[1], out, "-f", "odd", "-j", "1", registry=ODD) == 1
    err = capsys.readouterr().err
    assert said in err, err
    assert "Traceback" not in err and not (out / "odd").exists()


class CheckingWriter(TextWriter):
    """A plugin whose check of the site's own files has a bug."""

    name = "checking"

    def check_site_inputs(self, config: Any, diags: Any) -> None:
        raise RuntimeError("templates/ not where I thought")


def test_a_plugin_s_check_of_the_site_that_raises_is_said_by_validate(
    sites: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """`syndicate validate` printed the plugin's traceback; a failing `validate_outputs` was
    already a `validate.failed` error naming the format."""
    site = sites[1]
    registry = Registry({**BUILTIN, "checking": CheckingWriter})
    args = ["validate", "--config", str(site / "syndicate.yaml")]
    assert main([*args, "--articles", str(site / "articles")], registry=registry) == 2
    err = capsys.readouterr().err
    assert "the checking format could not check the site's files: RuntimeError(" in err, err
    assert "[validate.failed]" in err and "Traceback" not in err


class LockedWriter(TextWriter):
    """A plugin holding a lock (a client, a connection): not picklable."""

    name = "locked"

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        yield OutputFile(f"locked/{story.slug}.txt", b"x")


def test_a_writer_that_cannot_go_to_the_workers_is_said_so(
    sites: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fine with --jobs 1, and with more (the command line's default) "a worker failed:
    TypeError(...)", naming neither the cause nor the way round it."""
    registry = Registry({**BUILTIN, "locked": LockedWriter})
    out = tmp_path / "out"
    assert export(sites[1], out, "-f", "locked", "-j", "2", registry=registry) == 1
    err = capsys.readouterr().err
    assert "the work could not be sent to the worker processes (cannot pickle" in err, err
    assert "a plugin format's writer must be picklable" in err and "--jobs 1" in err
    assert export(sites[1], out, "-f", "locked", "-j", "1", registry=registry) == 0


def _run_unguarded_script(
    corpus: Path, tmp_path: Path, executor: str, then: str
) -> subprocess.CompletedProcess[str]:
    """A script with no main guard that exports `corpus`'s model to tmp_path/o with two
    workers of `executor` at its top level, then runs `then` (`result` the export's result,
    `errors` its errors), run as `python publish.py` (docs/scaling.md's "From Python")."""
    script = tmp_path / "publish.py"
    script.write_text(
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n\n"
        "from syndicate.build import export\n\n"
        "result = export(\n"
        f"    formats=['model'], config=Path({str(corpus / 'syndicate.yaml')!r}),\n"
        f"    articles=Path({str(corpus / 'articles')!r}), out=Path({str(tmp_path / 'o')!r}),\n"
        f"    cache=Path({str(tmp_path / 'cache')!r}), jobs=2, executor={executor!r},\n"
        "    now=datetime(2026, 1, 1, tzinfo=UTC),\n"
        ")\n"
        "errors = [d for d in result.diagnostics if d.severity == 'error']\n" + then,
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_script_calling_export_at_its_top_level_is_not_run_again_by_each_worker(
    sites: list[Path], tmp_path: Path
) -> None:
    """docs/scaling.md's "From Python" example, saved as a script, has no main guard: each
    spawned worker of the process pool (and of a local Dask cluster) runs the script again as
    it starts, and each of those exports failed on `out`'s lock as busy ("another syndicate
    export is writing out"), a status a script retrying later waited on for ever. Such a call
    is an `export.request` error that says to use the guard; the script's own run exports."""
    done = _run_unguarded_script(
        sites[1],
        tmp_path,
        "pool",
        "guard = all('if __name__ == \"__main__\":' in d.message for d in errors)\n"
        "print(result.status, result.busy, *(d.code for d in errors), guard)\n",
    )
    assert done.returncode == 0, done.stderr
    *workers, own = done.stdout.splitlines()
    assert own == "exported False True"
    assert workers and set(workers) == {"input-errors False export.request True"}


def test_a_local_cluster_whose_workers_end_as_they_start_is_said_not_a_traceback(
    sites: list[Path], tmp_path: Path
) -> None:
    """A script without the main guard that exits on its result (`sys.exit(1)` unless
    exported), run with a local Dask cluster: each worker runs the script again as it starts,
    its export is an `export.request` error, and the script's exit ends the worker. The
    script's own export raised Dask's `RuntimeError: Nanny failed to start.`, a traceback
    from `export`, which promises a result: it is a `build.worker` error, nothing published,
    that names the main guard."""
    done = _run_unguarded_script(
        sites[1],
        tmp_path,
        "dask",
        "print(result.status, *(d.code for d in errors), flush=True)\n"
        "if result.status == 'failed':\n"
        "    print(errors[0].message, flush=True)\n"
        "sys.exit(0 if result.status == 'exported' else 1)\n",
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "failed build.worker" in lines, done.stdout
    said = lines[lines.index("failed build.worker") + 1]
    assert 'if __name__ == "__main__":' in said and "nothing was published" in said, said
    assert not (tmp_path / "o").exists()
