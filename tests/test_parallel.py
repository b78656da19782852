"""Parallel export: the same files, byte for byte, whatever the number of worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_incremental import export, make_site, tree


def test_jobs_do_not_change_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path / "site")
    export(site, tmp_path / "one", "--jobs", "1")
    export(site, tmp_path / "two", "--jobs", "2", "--timings")
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert first and first == second
    timings = capsys.readouterr().err.splitlines()
    epub = next(line.split() for line in timings if line.startswith("epub "))
    books = len([path for path in second if path.startswith(("epub/", "opds/"))])
    assert epub[2:] == ["s", str(books), "files"]
