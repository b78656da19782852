"""Parallel export: the same files, byte for byte, whatever the number of worker processes."""

from __future__ import annotations

from pathlib import Path

from tests.test_incremental import export, make_site, tree


def test_jobs_do_not_change_the_output(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    export(site, tmp_path / "one", "--jobs", "1")
    export(site, tmp_path / "two", "--jobs", "2")
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert first and first == second
