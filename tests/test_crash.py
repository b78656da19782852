"""An export killed with SIGKILL at any moment leaves each out/<format>/ folder either the complete
previous set of files or the complete new one: never a truncated file or a mix."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.corpus import generate
from conftest import REPO

FORMATS = ("model", "jsonld", "newsml", "atom", "rss")
STORIES = 120


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def export_command(site: Path, out: Path) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "syndicate",
        "export",
        "--quiet",
        "--out",
        str(out),
        "--now",
        "2026-01-01T00:00:00Z",
    ]
    for fmt in FORMATS:
        args += ["--format", fmt]
    return args


def make_site(root: Path, seed: int) -> Path:
    site = root / f"site{seed}"
    generate(site / "articles", STORIES, langs=("en", "fr"), seed=seed)
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config = config.replace("languages: [en, fr, ar, zh-Hans, de, es]", "languages: [en, fr]")
    (site / "syndicate.yaml").write_text(config, encoding="utf-8")
    return site


def test_sigkill_at_any_point_leaves_old_or_new_output(tmp_path: Path) -> None:
    old_site, new_site = make_site(tmp_path, 1), make_site(tmp_path, 2)
    reference_old, reference_new = tmp_path / "ref-old", tmp_path / "ref-new"
    subprocess.run(export_command(old_site, reference_old), cwd=old_site, check=True)
    started = time.monotonic()
    subprocess.run(export_command(new_site, reference_new), cwd=new_site, check=True)
    duration = time.monotonic() - started
    old = {fmt: snapshot(reference_old / fmt) for fmt in FORMATS}
    new = {fmt: snapshot(reference_new / fmt) for fmt in FORMATS}
    assert all(old[fmt] != new[fmt] for fmt in FORMATS)

    outcomes = set()
    for fraction in (0.1, 0.5, 0.8, 0.9, 0.97, 1.0):
        out = tmp_path / f"out-{fraction}"
        # out/ as the old site's export left it (the build state knows syndicate wrote it)
        subprocess.run(export_command(old_site, out), cwd=old_site, check=True)
        process = subprocess.Popen(
            export_command(new_site, out), cwd=new_site, stderr=subprocess.PIPE, text=True
        )
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        # (read until every process holding the pipe is gone: the resource tracker too)
        _, err = process.communicate(timeout=60)
        # multiprocessing's resource tracker outlives the killed export: it printed a Python
        # warning about the pool's semaphores among the command's lines.
        assert "resource_tracker" not in err, err
        for fmt in FORMATS:
            got = snapshot(out / fmt)
            assert got in (old[fmt], new[fmt]), f"{fmt} is a mix after a kill at {fraction}"
            outcomes.add("new" if got == new[fmt] else "old")
        # the next export cleans up after the killed one and completes
        subprocess.run(export_command(new_site, out), cwd=new_site, check=True)
        assert {fmt: snapshot(out / fmt) for fmt in FORMATS} == new
        assert not list(out.glob(".syndicate-staging-*"))
    assert "old" in outcomes


@contextlib.contextmanager
def held_back() -> Iterator[None]:
    """`run` holds Ctrl-C and SIGTERM as the process ends (`syndicate.__main__._over`): in
    this one, which goes on, they are let through again after it."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


LATE = """
import atexit, os, signal, sys, time
from syndicate.__main__ import run

def late():  # as Python exits after the run: its modules, its heap freed
    os.kill(os.getpid(), getattr(signal, os.environ["STOP_WITH"]))
    time.sleep(0.5)

atexit.register(late)
sys.argv[0] = "syndicate"
run()
"""


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_signal_once_the_run_is_over_keeps_its_status(tmp_path: Path, signal_name: str) -> None:
    """Python's exit after a run takes a tenth of a second or more (a big archive's heap
    freed), with the signals' default actions back: SIGTERM then (`timeout`, a service
    stopping) killed an export that had published and said so, status -15 without a word,
    and Ctrl-C did the same with -2; a cron job or CI read a finished run as a failed one."""
    env = {**os.environ, "STOP_WITH": signal_name, "PYTHONPATH": str(REPO)}
    args = ["export", "-f", "model", "--now", "2026-01-01T00:00:00Z"]
    args += [
        "--out",
        str(tmp_path / "out"),
        "--config",
        str(REPO / "syndicate.yaml"),
        "--articles",
        str(REPO / "articles"),
    ]
    run = subprocess.run(
        [sys.executable, "-c", LATE, *args], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines()[-1].startswith("exported model: 1 story"), run.stderr
    assert (tmp_path / "out" / "model").is_dir()


def test_ctrl_c_while_syndicate_is_imported_ends_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first fraction of a second of a run is Python importing syndicate, before the
    command handles Ctrl-C: an interrupt then printed a traceback into cron mail."""
    import builtins

    from syndicate.__main__ import run

    real = builtins.__import__

    def interrupted(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "syndicate.cli":
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    with held_back(), pytest.raises(SystemExit) as stopped:
        run()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "interrupted before anything was done\n"


def test_sigterm_while_importing_is_an_interrupt_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM in the first 0.3 s (a cron timeout, a container stopped while syndicate was
    importing) ended the process at once, status -15, unsaid: Python's default held until
    the command's own handling started. It is Ctrl-C's from `run`'s first line."""
    import builtins
    import signal

    from syndicate.__main__ import run

    real, seen = builtins.__import__, []

    def interrupted(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "syndicate.cli":
            seen.append(signal.getsignal(signal.SIGTERM))
            signal.raise_signal(signal.SIGTERM)  # as `kill` does, while importing
        return real(name, *args, **kwargs)

    previous = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(builtins, "__import__", interrupted)
    try:
        with held_back(), pytest.raises(SystemExit) as stopped:
            run()
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == [signal.default_int_handler]
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "interrupted before anything was done\n"
