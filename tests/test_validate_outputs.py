"""`syndicate validate --outputs` on EPUBs: EPUBCheck runs once for all the books (one Java
process), shows its progress on a terminal, and when it cannot run says so as a warning."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Exporter


def validate(out: Path, path: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicate", "validate", "--outputs", str(out), *extra],
        cwd=REPO,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_java_epubcheck_is_skipped_with_a_warning(
    export_sample: Exporter, tmp_path: Path
) -> None:
    out = export_sample("epub")
    books = len(list((out / "epub").glob("*.epub")))
    empty = tmp_path / "bin"
    empty.mkdir()
    done = validate(out, str(empty))
    assert done.returncode == 0, done.stderr
    # The catalogs link to the pages, which an EPUB-only out/ does not have: said of out/.
    lines = done.stderr.splitlines()
    dead = [line for line in lines if line.endswith("[output.dead-link]")]
    assert dead and all("/html/" in line and "linked from opds/" in line for line in dead)
    kept = [line for line in lines if line not in dead]
    assert kept == [
        "warning: EPUBCheck skipped (Java is not installed: no `java` on PATH):"
        f" {books} EPUBs had only the structural check [epub.epubcheck]",
        "articles: 1 story, 6 language variants: OK",
        f"{out}: epub: not checked by EPUBCheck ({1 + len(dead)} warnings above)",
    ]
    assert not any(": OK" in line for line in kept[2:])
    assert validate(out, str(empty), "--strict").returncode == 1


@pytest.mark.slow
def test_epubcheck_starts_once_for_all_the_books(export_sample: Exporter, tmp_path: Path) -> None:
    """A `java` on PATH that logs each start, then runs the real Java; stderr is a terminal
    (a pseudo-terminal), so the progress bar is drawn."""
    out = export_sample("epub")
    books = len(list((out / "epub").glob("*.epub")))
    assert books >= 12  # the sample's six languages: a book and an edition each
    real = shutil.which("java")
    assert real is not None, "the tests need Java for EPUBCheck"
    log = tmp_path / "java-starts.log"
    wrapper = tmp_path / "bin" / "java"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    primary, secondary = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "validate", "--outputs", str(out)],
        cwd=REPO,
        env={**os.environ, "PATH": f"{wrapper.parent}:{os.environ['PATH']}", "COLUMNS": "100"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=secondary,
    )
    os.close(secondary)
    terminal = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # Linux: EIO once the child has closed the terminal
            break
        if not chunk:
            break
        terminal += chunk
    os.close(primary)
    assert process.wait() == 0, terminal.decode(errors="replace")
    starts = log.read_text(encoding="utf-8").splitlines()
    assert len(starts) == 1 and "EpubCheckBatch.java" in starts[0], starts
    shown = terminal.decode("utf-8", errors="replace")
    assert "EPUBCheck" in shown  # the progress bar
    assert "epub.epubcheck" not in shown, shown
    # The catalogs link to the pages an EPUB-only out/ lacks: said of out/, as warnings.
    dead = shown.count("[output.dead-link]")
    assert dead and shown.rstrip().endswith(f"{out}: epub: OK, with {dead} warnings (above)")
