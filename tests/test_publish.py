"""Atomic publication into out/: whole-folder swaps, unchanged files untouched, a lock."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from syndicate.build import publish as output
from syndicate.build.publish import OutputError, PublishReport, Staging, locked
from syndicate.formats.contract import OutputFile


def publish(
    out: Path, files: Iterable[OutputFile], folders: Sequence[str], *, keep_others: bool
) -> PublishReport:
    """Stage `files` and commit them, as the build engine does."""
    with Staging(out) as staging:
        for file in files:
            staging.add(file)
        return staging.commit(folders, keep_others=keep_others)


def files(**content: str) -> list[OutputFile]:
    return [OutputFile(path.replace("__", "/"), text.encode()) for path, text in content.items()]


def test_publish_writes_and_removes_stale_files(tmp_path: Path) -> None:
    with locked(tmp_path):
        publish(tmp_path, files(feed__a="1", feed__b="2"), ["feed"], keep_others=False)
        report = publish(tmp_path, files(feed__a="1", feed__c="3"), ["feed"], keep_others=False)
    assert sorted(p.name for p in (tmp_path / "feed").iterdir()) == ["a", "c"]
    assert (report.written, report.unchanged, report.removed) == (1, 1, 1)
    assert not list(tmp_path.glob(".staging-*"))


def test_unchanged_files_keep_inode_and_mtime(tmp_path: Path) -> None:
    with locked(tmp_path):
        publish(tmp_path, files(feed__a="same", feed__b="old"), ["feed"], keep_others=False)
        before = (tmp_path / "feed/a").stat()
        os.utime(tmp_path / "feed/a", ns=(1, 1))
        publish(tmp_path, files(feed__a="same", feed__b="new"), ["feed"], keep_others=False)
    after = (tmp_path / "feed/a").stat()
    assert after.st_ino == before.st_ino and after.st_mtime_ns == 1
    assert (tmp_path / "feed/b").read_text() == "new"


def test_keep_others_keeps_files_this_run_did_not_produce(tmp_path: Path) -> None:
    with locked(tmp_path):
        publish(tmp_path, files(feed__en="en", feed__fr="fr"), ["feed"], keep_others=False)
        publish(tmp_path, files(feed__fr="fr2"), ["feed"], keep_others=True)
    assert (tmp_path / "feed/en").read_text() == "en"
    assert (tmp_path / "feed/fr").read_text() == "fr2"


def test_other_folders_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other/x").write_text("keep")
    with locked(tmp_path):
        publish(tmp_path, files(feed__a="1"), ["feed"], keep_others=False)
    assert (tmp_path / "other/x").read_text() == "keep"


def test_paths_outside_out_are_refused(tmp_path: Path) -> None:
    with locked(tmp_path), pytest.raises(OutputError, match="outside out/"):
        publish(tmp_path, files(**{"feed__..__..__x": "1"}), ["feed"], keep_others=False)


def test_a_second_run_fails_while_one_holds_the_lock(tmp_path: Path) -> None:
    with (
        locked(tmp_path),
        pytest.raises(OutputError, match="another syndicate export"),
        locked(tmp_path),
    ):
        pass


def test_leftover_staging_of_a_killed_run_is_cleaned(tmp_path: Path) -> None:
    (tmp_path / ".staging-dead/feed").mkdir(parents=True)
    with locked(tmp_path):
        pass
    assert not (tmp_path / ".staging-dead").exists()


def test_disk_full_is_a_clear_error_and_keeps_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with locked(tmp_path):
        publish(tmp_path, files(feed__a="old", feed__b="old"), ["feed"], keep_others=False)

    def disk_full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output, "_write_file", disk_full)
    with (
        pytest.raises(OutputError, match=r"No space left on device.*previous output"),
        locked(tmp_path),
    ):
        publish(tmp_path, files(feed__a="new", feed__b="new"), ["feed"], keep_others=False)
    assert (tmp_path / "feed/a").read_text() == "old" == (tmp_path / "feed/b").read_text()
    assert not list(tmp_path.glob(".staging-*"))


def test_a_run_that_changes_nothing_leaves_the_folders_in_place(tmp_path: Path) -> None:
    with locked(tmp_path):
        publish(tmp_path, files(feed__a="1", feed__b="2"), ["feed"], keep_others=False)
    folder_inode = (tmp_path / "feed").stat().st_ino
    with locked(tmp_path), output.Staging(tmp_path) as staging:
        staging.reuse("feed/a")
        staging.add(OutputFile("feed/b", b"2"))
        report = staging.commit(["feed"], keep_others=False)
    assert (report.written, report.unchanged, report.removed) == (0, 2, 0)
    assert (tmp_path / "feed").stat().st_ino == folder_inode  # not swapped
    with locked(tmp_path), output.Staging(tmp_path) as staging:
        staging.reuse("feed/a")  # b is gone from this run: the folder must be swapped
        report = staging.commit(["feed"], keep_others=False)
    assert report.removed == 1 and sorted(p.name for p in (tmp_path / "feed").iterdir()) == ["a"]
