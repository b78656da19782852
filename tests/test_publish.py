"""Atomic publication into out/: whole-folder swaps, unchanged files untouched, the user's
files never touched, interrupted publications completed, a lock."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath

import pytest

from syndicate.build import publish as output
from syndicate.build.publish import OutputError, PublishReport, Staging, locked
from syndicate.formats.contract import OutputFile

OWNED: dict[Path, set[str]] = {}
"""The files syndicate wrote into each out/, as the build state keeps them."""


def publish(
    out: Path,
    files: Iterable[OutputFile],
    folders: Sequence[str],
    *,
    keep_others: bool,
    twins: output.Twins | None = None,
    in_place: bool = False,
) -> PublishReport:
    """Stage `files` and publish them, as the build engine does (`twins`: as one story's;
    `in_place`: as an edit, `Staging.prefer_in_place`)."""
    owned = OWNED.setdefault(out, set())
    with Staging(out, owned) as staging:
        if in_place:
            staging.prefer_in_place()
        for file in files:
            staging.add(file, twins)
        plan = staging.prepare(folders, keep_others=keep_others)
        staging.apply(plan)
    owned.difference_update({p for p in owned if p.split("/")[0] in folders})
    owned.update(plan.owned)
    return plan.report


def files(**content: str) -> list[OutputFile]:
    return [OutputFile(path.replace("__", "/"), text.encode()) for path, text in content.items()]


def test_publish_writes_and_removes_stale_files(tmp_path: Path) -> None:
    with locked(tmp_path):
        publish(tmp_path, files(feed__a="1", feed__b="2"), ["feed"], keep_others=False)
        report = publish(tmp_path, files(feed__a="1", feed__c="3"), ["feed"], keep_others=False)
    assert sorted(p.name for p in (tmp_path / "feed").iterdir()) == ["a", "c"]
    assert (report.written, report.unchanged, report.removed) == (1, 1, 1)
    assert not list(tmp_path.glob(".syndicate-staging-*"))


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


def test_two_runs_with_two_build_states_share_out_s_lock(tmp_path: Path) -> None:
    """A cron job with SYNDICATE_CACHE_DIR and an editor's run without it keep their build
    states, and so their locks, apart: both ran at once, and the second removed the first's
    staging folder as a killed run's (out/ left part new, part old). out/ itself is locked."""
    out = tmp_path / "out"
    with (
        locked(out, tmp_path / "cron-cache" / "lock"),
        pytest.raises(OutputError, match="another syndicate export is writing"),
        locked(out, tmp_path / "editor-cache" / "lock"),
    ):
        pass
    with locked(out, tmp_path / "editor-cache" / "lock"):  # released with the first
        assert not list(out.iterdir()), "no lock file in out/"


def test_disk_full_is_a_clear_error_and_keeps_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with locked(tmp_path):
        publish(tmp_path, files(feed__a="old", feed__b="old"), ["feed"], keep_others=False)

    def disk_full(data: bytes, path: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output, "_write_file", disk_full)
    with (
        pytest.raises(OutputError, match=r"No space left on device.*previous output"),
        locked(tmp_path),
    ):
        publish(tmp_path, files(feed__a="new", feed__b="new"), ["feed"], keep_others=False)
    assert (tmp_path / "feed/a").read_text() == "old" == (tmp_path / "feed/b").read_text()
    assert not list(tmp_path.glob(".syndicate-staging-*"))


def test_a_run_that_changes_nothing_leaves_the_folders_in_place(tmp_path: Path) -> None:
    with locked(tmp_path):
        publish(tmp_path, files(feed__a="1", feed__b="2"), ["feed"], keep_others=False)
    folder_inode = (tmp_path / "feed").stat().st_ino
    with locked(tmp_path), output.Staging(tmp_path, OWNED[tmp_path]) as staging:
        staging.reuse("feed/a")
        staging.add(OutputFile("feed/b", b"2"))
        report = staging.commit(["feed"], keep_others=False)
    assert (report.written, report.unchanged, report.removed) == (0, 2, 0)
    assert (tmp_path / "feed").stat().st_ino == folder_inode  # not swapped
    with locked(tmp_path), output.Staging(tmp_path, OWNED[tmp_path]) as staging:
        staging.reuse("feed/a")  # b is gone from this run: the folder must be swapped
        report = staging.commit(["feed"], keep_others=False)
    assert report.removed == 1 and sorted(p.name for p in (tmp_path / "feed").iterdir()) == ["a"]


def test_the_users_files_survive_every_publication(tmp_path: Path) -> None:
    (tmp_path / "feed/mine/empty").mkdir(parents=True)
    (tmp_path / "feed/about.html").write_text("my page")
    (tmp_path / "feed/link").symlink_to("about.html")
    before = (tmp_path / "feed/about.html").stat()
    with locked(tmp_path):
        publish(tmp_path, files(feed__a="1", feed__b="2"), ["feed"], keep_others=False)
        publish(tmp_path, files(feed__a="3"), ["feed"], keep_others=False)
    assert sorted(p.name for p in (tmp_path / "feed").iterdir()) == [
        "a",
        "about.html",
        "link",
        "mine",
    ]
    assert (tmp_path / "feed/about.html").stat().st_ino == before.st_ino
    assert (tmp_path / "feed/link").readlink() == Path("about.html")
    assert (tmp_path / "feed/mine/empty").is_dir()


def test_a_run_never_overwrites_a_users_file(tmp_path: Path) -> None:
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed/a").write_text("mine")
    (tmp_path / "feed/same").write_text("1")
    with locked(tmp_path), pytest.raises(output.ForeignFiles) as caught:
        publish(tmp_path, files(feed__a="theirs", feed__same="1"), ["feed"], keep_others=False)
    assert caught.value.paths == (PurePosixPath("feed/a"),)  # identical bytes are adopted
    assert (tmp_path / "feed/a").read_text() == "mine"


def test_a_users_folder_where_a_worker_staged_a_file_is_said_as_a_folder(tmp_path: Path) -> None:
    """A page a worker staged where out/ has a folder of the user's was "this file was not
    written by syndicate"; staged by the driver, "a folder syndicate did not make is there":
    which one a run said depended on who made the page."""
    out = tmp_path / "out"
    (out / "html/page.html").mkdir(parents=True)
    (out / "html/page.html/index.html").write_text("mine")
    units = tmp_path / "unit"
    units.mkdir()
    existed, same = output.stage_file(str(units), str(out), "html/page.html", b"<p/>", name="0")
    assert (existed, same) == (True, False)
    staged = output.Staged(str(units), "html/page.html", existed, same, "0")
    with locked(out), Staging(out) as staging:
        staging.take(staged)  # noted, and said with everything else in the way, by `prepare`
        with pytest.raises(output.ForeignFiles) as caught:
            staging.prepare(["html"], keep_others=False)
    assert caught.value.folders == (PurePosixPath("html/page.html"),) and not caught.value.paths
    assert (out / "html/page.html/index.html").read_text() == "mine"


def interrupted_plan(out: Path) -> str:
    """A publication of two folders stopped by a crash after its first swap: its journal."""
    with locked(out):
        publish(out, files(a__x="old", b__x="old"), ["a", "b"], keep_others=False)
    staging = Staging(out, OWNED[out])
    for file in files(a__x="new", b__x="new"):
        staging.add(file)
    plan = staging.prepare(["a", "b"], keep_others=False)
    first = plan.swaps[0]
    output._swap_in(out / plan.staging / first.folder, out / first.folder)
    return plan.journal()  # the staging folder stays, as after a crash


def test_an_interrupted_publication_is_completed(tmp_path: Path) -> None:
    journal = interrupted_plan(tmp_path)
    assert (tmp_path / "a/x").read_text() == "new" and (tmp_path / "b/x").read_text() == "old"
    assert output.recover(tmp_path, journal) is None
    assert (tmp_path / "a/x").read_text() == "new" == (tmp_path / "b/x").read_text()
    assert output.recover(tmp_path, journal) is None  # twice is harmless
    assert (tmp_path / "a/x").read_text() == "new" == (tmp_path / "b/x").read_text()


def test_a_publication_without_its_staging_cannot_be_completed(tmp_path: Path) -> None:
    journal = interrupted_plan(tmp_path)
    output.remove_leftovers(tmp_path)
    assert output.recover(tmp_path, journal) == "its staged files are gone"


def test_an_interrupt_waits_until_every_folder_is_swapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with locked(tmp_path):
        publish(tmp_path, files(a__x="old", b__x="old"), ["a", "b"], keep_others=False)
    swap = output._swap_in

    def ctrl_c_during_swap(new_dir: Path, live: Path) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        swap(new_dir, live)

    monkeypatch.setattr(output, "_swap_in", ctrl_c_during_swap)
    with locked(tmp_path), pytest.raises(KeyboardInterrupt):
        publish(tmp_path, files(a__x="new", b__x="new"), ["a", "b"], keep_others=False)
    assert (tmp_path / "a/x").read_text() == "new" == (tmp_path / "b/x").read_text()


class _Folders:
    """The two things a sink asks of a writer: its name and its folders."""

    def __init__(self, name: str, *folders: str) -> None:
        self.name, self.folders = name, folders

    def owned_folders(self) -> tuple[str, ...]:
        return self.folders


def test_a_path_written_twice_is_refused_and_names_the_formats(tmp_path: Path) -> None:
    from syndicate.build.sink import Sink
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.contract import OutputFile

    out = tmp_path / "out"
    out.mkdir()
    diags = Diagnostics()
    first, second = _Folders("headlines", "shared"), _Folders("digest", "shared", "digest")
    with Staging(out) as staging:
        sink = Sink(staging, diags, [first, second])  # type: ignore[list-item]
        assert sink.add(first, OutputFile("shared/a.txt", b"a"))  # type: ignore[arg-type]
        assert not sink.add(second, OutputFile("shared/a.txt", b"b"))  # type: ignore[arg-type]
        assert not sink.add(first, OutputFile("shared/a.txt", b"c"))  # type: ignore[arg-type]
        assert sink.add(second, OutputFile("digest/b.txt", b"b"))  # type: ignore[arg-type]
        assert sink.files == 2 and sink.counts == {"headlines": 1, "digest": 1}
        assert (staging.dir / "shared/a.txt").read_bytes() == b"a"  # the first one stays
    messages = [(d.code, d.message) for d in diags]
    assert messages == [
        ("writer.conflict", "'shared/a.txt' is written twice, by headlines and digest"),
        ("writer.conflict", "'shared/a.txt' is written twice, by headlines and headlines"),
    ]
    assert sink._shared == ("shared/",)  # only paths there have their writer kept
    assert list(sink._owner) == ["shared/a.txt"]


def test_a_file_where_a_folder_goes_or_a_name_too_long_names_the_writer_and_path(
    tmp_path: Path,
) -> None:
    """Staging failed at them with "cannot write to out: Not a directory" or "File name too
    long", naming neither the writer nor the file."""
    from syndicate.build.sink import Sink
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.contract import OutputFile

    out = tmp_path / "out"
    out.mkdir()
    diags = Diagnostics()
    first, second = _Folders("headlines", "shared", "headlines"), _Folders("digest", "shared")
    long = "é" * 128 + ".txt"  # 260 bytes
    with Staging(out) as staging:
        sink = Sink(staging, diags, [first, second])  # type: ignore[list-item]
        for writer, path, taken in [
            (first, "headlines/a", True),
            (first, "headlines/a/b.txt", False),  # under a file
            (first, "headlines/c/d/e.txt", True),
            (first, "headlines/c/d", False),  # where a folder goes
            (first, "headlines/c", False),
            (first, "headlines/c/f.txt", True),
            (first, "shared/x/y.txt", True),
            (second, "shared/x", False),  # another format's folder
            (first, f"headlines/{long}", False),
            (first, f"headlines/{'a' * 255}", True),
        ]:
            added = sink.add(writer, OutputFile(path, b"x"))  # type: ignore[arg-type]
            assert added is taken, path
    messages = [(d.code, d.message) for d in diags]
    assert messages[:4] == [
        (
            "writer.conflict",
            "headlines wrote 'headlines/a' and 'headlines/a/b.txt': 'headlines/a' cannot be a"
            " file and the folder of another; give one of them another name",
        ),
        (
            "writer.conflict",
            "headlines wrote 'headlines/c/d' and 'headlines/c/d/e.txt': 'headlines/c/d' cannot"
            " be a file and the folder of another; give one of them another name",
        ),
        (
            "writer.conflict",
            "headlines wrote 'headlines/c' and 'headlines/c/d/e.txt': 'headlines/c' cannot"
            " be a file and the folder of another; give one of them another name",
        ),
        (
            "writer.conflict",
            "headlines and digest wrote 'shared/x' and 'shared/x/y.txt': 'shared/x' cannot be"
            " a file and the folder of another; give one of them another name",
        ),
    ]
    code, message = messages[4]
    assert code == "writer.path" and message.startswith(f"headlines wrote 'headlines/{long}'")
    assert "is 260 bytes, and a file system takes 255 at most; give the file a shorter name" in (
        message
    )
    assert len(messages) == 5


def test_a_large_file_staged_again_is_one_file_on_disk(tmp_path: Path) -> None:
    """A story's photo goes into several formats' folders: written once, the other names
    links to it. A small file is written each time, and a later run that changes one name
    gives it a file of its own: a link is never written through. Only a story's own files
    are looked for (`twins`): a collection's, which can be tens of megabytes, are not kept."""
    photo, other = os.urandom(output.Twins.SMALLEST), os.urandom(output.Twins.SMALLEST)
    small = b"x" * 100
    first = [
        OutputFile("html/media/photo.jpg", photo),
        OutputFile("ninjs/media/photo.jpg", photo),
        OutputFile("html/a.txt", small),
        OutputFile("ninjs/a.txt", small),
    ]
    with locked(tmp_path):
        publish(tmp_path, first, ["html", "ninjs"], keep_others=False, twins=output.Twins())
    html, ninjs = tmp_path / "html/media/photo.jpg", tmp_path / "ninjs/media/photo.jpg"
    assert html.samefile(ninjs) and html.read_bytes() == photo
    assert not (tmp_path / "html/a.txt").samefile(tmp_path / "ninjs/a.txt")
    assert html.stat().st_mode & 0o777 == 0o644
    with locked(tmp_path):
        publish(tmp_path, [OutputFile("feed/big.xml", photo)], ["feed"], keep_others=False)
    assert not (tmp_path / "feed/big.xml").samefile(html)  # not a story's: written

    second = [OutputFile("html/media/photo.jpg", photo), OutputFile("ninjs/media/photo.jpg", other)]
    with locked(tmp_path):
        report = publish(
            tmp_path, second, ["html", "ninjs"], keep_others=False, twins=output.Twins()
        )
    assert (report.written, report.unchanged) == (1, 1)
    assert html.read_bytes() == photo and ninjs.read_bytes() == other
    assert not html.samefile(ninjs)


def test_a_twin_is_found_only_with_the_same_bytes() -> None:
    twins = output.Twins()
    size = output.Twins.SMALLEST
    one, two = b"a" * size, b"a" * (size - 1) + b"b"
    twins.add(one, "one")
    assert twins.find(one) == "one" and twins.find(two) is None
    assert twins.find(b"a" * (size + 1)) is None
    for index in range(output.Twins.KEPT):  # the oldest goes
        twins.add(bytes([index]) * (size + 1 + index), f"n{index}")
    assert twins.find(one) is None and twins.find(b"\x05" * (size + 6)) == "n5"


def test_many_files_are_flushed_ahead_then_synced_again_before_any_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`flush_ahead` starts one `sync` in the background once many files are staged (the
    engine calls it before the collections); `prepare` waits for it and syncs again, so the
    files staged after it are on disk too before a folder is swapped. A few files are flushed
    one by one instead, with no background sync."""
    calls: list[str] = []
    monkeypatch.setattr(output.os, "sync", lambda: calls.append("sync"))
    out = tmp_path / "out"
    out.mkdir()
    many = [OutputFile(f"feed/{n}", b"x") for n in range(output.FSYNC_FILES + 1)]
    with locked(out), Staging(out) as staging:
        for file in many:
            staging.add(file)
        staging.flush_ahead()
        staging.flush_ahead()  # once a run
        staging.add(OutputFile("feed/late", b"y"))
        plan = staging.prepare(["feed"], keep_others=False)
        assert staging._flushing is not None and not staging._flushing.is_alive()
        assert calls == ["sync", "sync"]
        staging.apply(plan)
    assert (out / "feed" / "late").read_bytes() == b"y"
    calls.clear()
    with locked(out), Staging(out, {f.path for f in many} | {"feed/late"}) as staging:
        staging.add(OutputFile("feed/late", b"z"))
        staging.flush_ahead()
        assert staging._flushing is None
        staging.apply(staging.prepare(["feed"], keep_others=True))
    assert calls == []


def published_tree(root: Path) -> dict[str, tuple[str, int | None]]:
    """Each entry under `root`: a folder, a link (where to) or a file (its inode)."""
    found: dict[str, tuple[str, int | None]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = (f"link to {os.readlink(path)}", None)
        elif path.is_dir():
            found[rel] = ("folder", None)
        else:
            found[rel] = ("file", path.stat().st_ino)
    return found


def links_made_by_prepare(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The published files the run itself links into staging (not a helper), as it does."""
    linked: list[str] = []
    link = Staging._link_published

    def counted(self: Staging, rel: str) -> None:
        linked.append(os.fspath(rel))
        link(self, rel)

    monkeypatch.setattr(Staging, "_link_published", counted)
    return linked


def ahead_site(root: Path) -> tuple[Path, set[str]]:
    """An out/ with a published tree: nested folders of syndicate's files, a user's empty
    folder and a user's link to a folder (linked as it is, never made a folder)."""
    out = root / "out"
    owned = {f"feed/media/s{n}/photo.jpg" for n in range(40)} | {"feed/index.xml"}
    for path in owned:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(path.encode())
    (out / "feed/mine/empty").mkdir(parents=True)
    (out / "feed/latest").symlink_to("media/s1")
    return out, owned


def test_folders_made_ahead_publish_what_prepare_alone_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ahead` makes the staged folders' tree in a helper process once the run expects to
    write (`expect_writes`, or its first file written), and `flush_ahead` has a second one
    link the published files kept so far, while the run goes on; the publication is the one
    `prepare` makes alone: the kept files linked, the user's empty folder and link to a
    folder as they were. `prepare` links only what the helpers did not (a helper's links
    found again, as after a helper failed midway, are checked and kept)."""
    linked = links_made_by_prepare(monkeypatch)
    outs = {}
    for name, early in (("alone", None), ("expected", True), ("first-file", False)):
        out, owned = ahead_site(tmp_path / name)
        kept = sorted(owned - {"feed/index.xml"})
        with locked(out), Staging(out, owned) as staging:
            if early is not None:
                staging.ahead(["feed"])
            if early:
                staging.expect_writes()
            staging.add(OutputFile("feed/index.xml", b"new"))
            for path in kept:
                staging.reuse(path)
            staging.flush_ahead()
            helper = staging._ahead
            if early is not None:
                assert helper is not None and helper.process is not None
                assert helper.linking is not None and helper.sent == tuple(kept)
            if early:  # done before `prepare`, which then finds every link already made
                assert helper is not None and helper.finish() == frozenset(kept)
                assert (staging.dir / "feed/mine/empty").is_dir()
                assert not (staging.dir / "feed/latest").exists()  # a link, linked later
                photo = staging.dir / "feed/media/s39/photo.jpg"
                assert photo.stat().st_ino == (out / "feed/media/s39/photo.jpg").stat().st_ino
            before = published_tree(out)
            linked.clear()
            staging.apply(staging.prepare(["feed"], keep_others=False))
        after = published_tree(out)
        helped = name == "first-file"  # the helper's links counted as done
        assert linked == (["feed/latest"] if helped else [*kept, "feed/latest"])
        assert after["feed/latest"] == ("link to media/s1", None)
        assert after["feed/mine/empty"] == ("folder", None)
        assert after["feed/media/s7/photo.jpg"] == before["feed/media/s7/photo.jpg"]  # linked
        assert (out / "feed/index.xml").read_bytes() == b"new"
        outs[name] = {path: kind for path, (kind, _) in after.items()}
    assert outs["expected"] == outs["alone"] == outs["first-file"]


@pytest.mark.parametrize("keep_others", [False, True])
def test_files_linked_ahead_that_the_run_does_not_keep_are_not_published(
    keep_others: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`link_ahead` gives the helper the files of the stories a run keeps before it makes
    the others; `prepare` links only the rest, and a file the run then did not keep after
    all is not published (kept with `keep_others`, as any file of syndicate's the run did
    not produce)."""
    linked = links_made_by_prepare(monkeypatch)
    out, owned = ahead_site(tmp_path)
    photos = sorted(owned - {"feed/index.xml"})
    reused, dropped = photos[:30], photos[30:]
    before = published_tree(out)
    with locked(out), Staging(out, owned) as staging:
        staging.ahead(["feed"])
        staging.expect_writes()
        staging.link_ahead(photos)
        staging.add(OutputFile("feed/index.xml", b"new"))
        for path in reused:
            staging.reuse(path)
        staging.flush_ahead()  # linking already: not started again
        helper = staging._ahead
        assert helper is not None and helper.sent == tuple(photos)
        plan = staging.prepare(["feed"], keep_others=keep_others)
        staging.apply(plan)
    after = published_tree(out)
    assert not [path for path in linked if path in photos]  # all linked by the helper
    assert all(after[path] == before[path] for path in reused)  # the same files
    for path in dropped:
        assert (after.get(path) == before[path]) is keep_others
    assert plan.report.removed == (0 if keep_others else len(dropped))
    assert (out / "feed/index.xml").read_bytes() == b"new"
    assert after["feed/latest"] == ("link to media/s1", None)


@pytest.mark.parametrize("program", ["/nonexistent/python", "/bin/false"])
def test_a_helper_that_cannot_run_or_fails_leaves_prepare_to_do_it(
    program: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output.sys, "executable", program)
    out, owned = ahead_site(tmp_path)
    with locked(out), Staging(out, owned) as staging:
        staging.ahead(["feed"])
        staging.add(OutputFile("feed/index.xml", b"new"))
        for path in sorted(owned - {"feed/index.xml"}):
            staging.reuse(path)
        staging.apply(staging.prepare(["feed"], keep_others=False))
    assert (out / "feed/media/s39/photo.jpg").read_bytes() == b"feed/media/s39/photo.jpg"
    assert (out / "feed/mine/empty").is_dir() and (out / "feed/latest").is_symlink()


def test_a_failed_run_stops_the_helper_before_its_staging_goes(tmp_path: Path) -> None:
    """A run that fails (or is interrupted) while the helper still makes folders stops it
    first: no folder is made after the staging folder is removed, and out/ is unchanged."""
    out, owned = ahead_site(tmp_path)
    for n in range(300):
        (out / f"feed/many/{n}").mkdir(parents=True)
    before = published_tree(out)
    with pytest.raises(RuntimeError), locked(out), Staging(out, owned) as staging:
        staging.ahead(["feed"])
        staging.expect_writes()
        helper = staging._ahead
        assert helper is not None
        raise RuntimeError("a writer failed")
    assert helper.process is None  # killed and waited for
    assert not staging.dir.exists()
    after = published_tree(out)
    del after[output.LOCK_NAME]
    assert after == before


def test_a_done_run_leaves_its_staging_in_the_trash_for_the_next_to_remove(
    tmp_path: Path,
) -> None:
    """A run's staging folder, holding the folders its publication replaced, goes to the
    trash in one rename when the run is done (out/ keeps no leftovers); the next run removes
    it in a helper process (`empty_ahead`) and `wait`s for it at its end."""
    out, owned = ahead_site(tmp_path)
    trash = output.Trash(tmp_path / "state" / output.TRASH)
    trash.empty_ahead()  # nothing there yet
    assert trash.process is None
    with locked(out), Staging(out, owned, trash) as staging:
        staging.add(OutputFile("feed/index.xml", b"new"))
        for path in sorted(owned - {"feed/index.xml"}):
            staging.reuse(path)
        staging.apply(staging.prepare(["feed"], keep_others=False))
    assert not list(out.glob(".syndicate-staging-*"))
    (left,) = trash.folder.iterdir()
    replaced = left / "staging" / "feed"
    assert (replaced / "index.xml").read_bytes() == b"feed/index.xml"  # the old one
    assert (replaced / "media/s3/photo.jpg").is_file()
    after = output.Trash(trash.folder)
    after.empty_ahead()
    assert after.process is not None
    after.wait()
    assert list(trash.folder.iterdir()) == [] and after.process is None


def test_a_staging_the_trash_cannot_take_is_deleted(tmp_path: Path) -> None:
    out, owned = ahead_site(tmp_path)
    (tmp_path / "state").write_text("a file where the trash would be")
    trash = output.Trash(tmp_path / "state" / output.TRASH)
    with locked(out), Staging(out, owned, trash) as staging:
        staging.add(OutputFile("feed/index.xml", b"new"))
        staging.apply(staging.prepare(["feed"], keep_others=True))
    assert not staging.dir.exists() and not list(out.glob(".syndicate-staging-*"))
    assert (out / "feed/index.xml").read_bytes() == b"new"


def test_a_staging_on_another_file_system_leaves_no_folder_in_the_trash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """out/ on another file system than the build state: the rename into the trash fails
    (EXDEV), the staging is deleted, and no empty `run-*` folder is left for each run."""
    out, owned = ahead_site(tmp_path)
    trash = output.Trash(tmp_path / "state" / output.TRASH)
    rename = os.rename

    def across(source: str | Path, target: str | Path) -> None:
        if str(trash.folder) in str(target):
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(source))
        rename(source, target)

    monkeypatch.setattr(output.os, "rename", across)
    with locked(out), Staging(out, owned, trash) as staging:
        staging.add(OutputFile("feed/index.xml", b"new"))
        staging.apply(staging.prepare(["feed"], keep_others=True))
    assert not staging.dir.exists() and (out / "feed/index.xml").read_bytes() == b"new"
    assert list(trash.folder.iterdir()) == []


def test_a_staging_folder_that_published_nothing_is_deleted_not_trashed(tmp_path: Path) -> None:
    """A run that failed, or found nothing to publish, leaves no work to the next one."""
    out, owned = ahead_site(tmp_path)
    trash = output.Trash(tmp_path / "state" / output.TRASH)
    with locked(out), Staging(out, owned, trash) as staging:
        for path in sorted(owned):
            staging.reuse(path)
        plan = staging.prepare(["feed"], keep_others=False)
        assert plan.swaps == ()
        staging.apply(plan)
    with pytest.raises(RuntimeError), locked(out), Staging(out, owned, trash) as failed:
        failed.add(OutputFile("feed/index.xml", b"new"))
        raise RuntimeError("a writer failed")
    assert not staging.dir.exists() and not failed.dir.exists()
    assert not trash.folder.exists() or list(trash.folder.iterdir()) == []


# Publishing in place (an edit) ----------------------------------------------------------------


def in_place_site(out: Path) -> dict[str, str]:
    """An out/ of 41 files of syndicate's in nested folders, and the user's own: a page, an
    empty folder and a link to a folder. Syndicate's files, by path."""
    published = {f"feed/s{n}/page.html": f"page {n}" for n in range(40)}
    published["feed/index.xml"] = "index"
    with locked(out):
        made = [OutputFile(path, text.encode()) for path, text in published.items()]
        publish(out, made, ["feed"], keep_others=False)
    (out / "feed/about.html").write_text("my page")
    (out / "feed/mine/empty").mkdir(parents=True)
    (out / "feed/latest").symlink_to("s1")
    return published


def copy_of(out: Path, to: Path) -> Path:
    shutil.copytree(out, to, symlinks=True)
    OWNED[to] = set(OWNED[out])
    return to


def test_an_edit_published_in_place_moves_only_the_new_files(tmp_path: Path) -> None:
    """In place, each new file is moved in (one rename; pages and feeds after the images
    they may show) and syndicate's file that goes is deleted; the folder, every file kept
    and the user's files stay what they were (the same folders and inodes), and out/ ends
    as a whole-folder swap leaves it."""
    published = in_place_site(tmp_path / "out")
    changed = {**published, "feed/index.xml": "new index", "feed/s40/page.html": "page 40"}
    changed["feed/s40/photo.jpg"] = "a photo"
    del changed["feed/s3/page.html"]
    outs = {}
    for in_place in (True, False):
        out = copy_of(tmp_path / "out", tmp_path / f"in-place-{in_place}")
        before, folder = published_tree(out), (out / "feed").stat().st_ino
        with locked(out), Staging(out, OWNED[out]) as staging:
            if in_place:
                staging.prefer_in_place()
            for path, text in changed.items():
                staging.add(OutputFile(path, text.encode()))
            plan = staging.prepare(["feed"], keep_others=False)
            staging.apply(plan)
        after = published_tree(out)
        assert plan.report == PublishReport(3, 39, 1)
        assert plan.removed == (PurePosixPath("feed/s3/page.html"),)
        assert {path: (out / path).read_text() for path in changed} == changed
        assert not (out / "feed/s3/page.html").exists()
        assert (out / "feed/about.html").read_text() == "my page"
        assert after["feed/latest"] == ("link to s1", None)
        assert after["feed/mine/empty"] == ("folder", None)
        assert after["feed/s7/page.html"] == before["feed/s7/page.html"]
        assert after["feed/about.html"] == before["feed/about.html"]
        assert not list(out.glob(".syndicate-staging-*"))
        outs[in_place] = {path: kind for path, (kind, _) in after.items()}
        assert ((out / "feed").stat().st_ino == folder) is in_place  # not swapped
        if in_place:
            assert plan.swaps == () and plan.deletes == ("feed/s3/page.html",)
            assert [path for path, _ in plan.moves] == [
                "feed/s40/photo.jpg",
                "feed/index.xml",
                "feed/s40/page.html",
            ]
        else:
            assert plan.moves == () and plan.deletes == () and len(plan.swaps) == 1
    assert outs[True] == outs[False]


def edited(out: Path, changes: dict[str, str | None], *, keep_others: bool = False) -> output.Plan:
    """Publish `changes` (a path's new text, or None: gone) over the files of
    `in_place_site`, preferring to publish in place; the plan, applied."""
    published = {f"feed/s{n}/page.html": f"page {n}" for n in range(40)}
    published["feed/index.xml"] = "index"
    with locked(out), Staging(out, OWNED[out]) as staging:
        staging.prefer_in_place()
        for path, text in {**published, **changes}.items():
            if text is not None:
                staging.add(OutputFile(path, text.encode()))
        plan = staging.prepare(["feed"], keep_others=keep_others)
        staging.apply(plan)
    OWNED[out] = {p for p in OWNED[out] if not p.startswith("feed/")} | set(plan.owned)
    return plan


def test_a_path_that_changes_shape_is_published_by_a_swap(tmp_path: Path) -> None:
    """A new file where syndicate's file was a page (a file become a folder) cannot be moved
    in place: the folder is swapped in whole, and out/ ends as it should."""
    out = tmp_path / "out"
    in_place_site(out)
    plan = edited(out, {"feed/s5/page.html": None, "feed/s5/page.html/part.html": "a part"})
    assert plan.moves == () and len(plan.swaps) == 1
    assert (out / "feed/s5/page.html/part.html").read_text() == "a part"
    assert (out / "feed/about.html").read_text() == "my page"


def test_a_publication_in_place_never_writes_through_a_users_link(tmp_path: Path) -> None:
    """A new file under the user's link to a folder (`feed/latest` -> `s1`) would land in
    that folder: it is not moved there; the swap refuses it, and out/ is unchanged."""
    out = tmp_path / "out"
    in_place_site(out)
    before = published_tree(out)
    with pytest.raises(OutputError):
        edited(out, {"feed/latest/new.html": "new"})
    assert published_tree(out) == before
    assert not (out / "feed/s1/new.html").exists()


def test_a_run_that_changes_many_files_swaps_the_folder(tmp_path: Path) -> None:
    """In place only when the run writes and removes few of syndicate's files (at most a
    quarter, plus those one sync is worth): past that, the folder is built whole and
    swapped in at once."""
    out = tmp_path / "out"
    in_place_site(out)
    few = {f"feed/s{n}/page.html": "new" for n in range(output.FSYNC_FILES // 2)}
    assert edited(out, few).moves
    many = {f"feed/s{n}/page.html": "newer" for n in range(40)}
    many |= {f"feed/t{n}/page.html": "more" for n in range(output.FSYNC_FILES)}
    plan = edited(out, many)
    assert plan.moves == () and len(plan.swaps) == 1
    assert (out / "feed/t0/page.html").read_text() == "more"


def test_keep_others_in_place_keeps_what_the_run_did_not_produce(tmp_path: Path) -> None:
    out = tmp_path / "out"
    in_place_site(out)
    plan = edited(out, {"feed/s3/page.html": None, "feed/index.xml": "new"}, keep_others=True)
    assert plan.moves and plan.deletes == () and plan.removed == ()
    assert plan.report.removed == 0 and "feed/s3/page.html" in plan.owned
    assert (out / "feed/s3/page.html").read_text() == "page 3"
    assert (out / "feed/index.xml").read_text() == "new"


def interrupted_in_place(out: Path) -> tuple[str, dict[str, str]]:
    """A publication in place stopped by a crash after its first move: its journal, and
    the files it publishes."""
    in_place_site(out)
    changes = {"feed/index.xml": "new", "feed/s40/page.html": "page 40", "feed/s3/page.html": None}
    staging = Staging(out, OWNED[out])
    staging.prefer_in_place()
    published = {f"feed/s{n}/page.html": f"page {n}" for n in range(40)}
    for path, text in {**published, "feed/index.xml": "index", **changes}.items():
        if text is not None:
            staging.add(OutputFile(path, text.encode()))
    plan = staging.prepare(["feed"], keep_others=False)
    first, _ = plan.moves[0]
    output._move_in(out / plan.staging / first, out / first)
    return plan.journal(), {p: t for p, t in changes.items() if t is not None}


def test_an_interrupted_publication_in_place_is_completed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    journal, new = interrupted_in_place(out)
    assert (out / "feed/index.xml").read_text() == "new"
    assert not (out / "feed/s40/page.html").exists() and (out / "feed/s3/page.html").exists()
    assert output.recover(out, journal) is None
    assert {path: (out / path).read_text() for path in new} == new
    assert not (out / "feed/s3/page.html").exists()
    assert output.recover(out, journal) is None  # twice is harmless
    assert {path: (out / path).read_text() for path in new} == new


def test_a_publication_in_place_without_its_staging_cannot_be_completed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    journal, _ = interrupted_in_place(out)
    output.remove_leftovers(out)
    assert output.recover(out, journal) == "its staged files are gone"


def test_an_interrupt_waits_until_every_file_is_moved_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    in_place_site(out)
    move = output._move_in

    def ctrl_c_during_move(new: Path, live: Path) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        move(new, live)

    monkeypatch.setattr(output, "_move_in", ctrl_c_during_move)
    with pytest.raises(KeyboardInterrupt):
        edited(out, {"feed/index.xml": "new", "feed/s40/page.html": "page 40"})
    assert (out / "feed/index.xml").read_text() == "new"
    assert (out / "feed/s40/page.html").read_text() == "page 40"


def test_a_format_folder_that_cannot_be_written_publishes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """out/epub owned by another user (or read-only): the swaps failed at it after out/atom
    was already the new one, the feeds pointing at pages and books of the old run until an
    export could complete it. Every folder the publication changes is looked at first: an
    output error, nothing published, the build state unchanged, and the run after the folder
    is mended publishes it all."""
    from conftest import SAMPLE_SLUG, unwritable
    from sites import Site

    site = Site(tmp_path / "site")
    site.export("atom", "epub")
    before = site.files("atom", "epub")
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    args = ["export", "-q", "--jobs", "1", "--now", "2026-01-01T00:00:00Z"]
    args += ["--out", str(site.out), "--articles", str(site.articles), "-f", "atom", "-f", "epub"]
    capsys.readouterr()
    with unwritable(site.out / "epub"):
        assert site.cli(*args, "--dry-run") == 0, "a dry run says what would change, as before"
        assert site.cli(*args) == 1
        assert site.files("atom", "epub") == before
    said = capsys.readouterr().err
    assert "cannot publish into" in said and "out/epub" in said, said
    assert "nothing was published" in said and "[output.write]" in said, said
    assert site.cli(*args) == 0
    assert b"NATO will surge again" in (site.out / "atom" / "en.xml").read_bytes()


@pytest.fixture
def umask_077() -> Iterator[None]:
    """This process's umask 077, as cron's or a CI runner's may be; put back after."""
    before = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(before)


def modes(out: Path) -> dict[str, str]:
    """The mode of out/ and of every folder and file in it, by path ("." for out/), but the
    lock `locked` keeps there when no build state does (never published)."""
    found = {".": oct(stat.S_IMODE(out.lstat().st_mode))}
    for path in sorted(out.rglob("*")):
        if path.name == output.LOCK_NAME:
            continue
        found[path.relative_to(out).as_posix()] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def published_modes(out: Path) -> dict[str, str]:
    """What `modes` should be: every folder 0755, every file 0644."""
    return {path: "0o755" if (out / path).is_dir() else "0o644" for path in modes(out)}


@pytest.mark.usefixtures("umask_077")
def test_folders_are_0755_as_files_are_0644_whatever_the_umask(tmp_path: Path) -> None:
    """Files were made 0644 whatever the umask, their folders as the umask said: under
    cron's 077, out/ and every folder in it were 0700, which a web server given the tree
    by `rsync -a out/ web:` cannot enter. Every way a folder is made is taken: out/ itself,
    folders swapped in whole (a nested one's parent too), those the helpers make ahead, a
    new folder an edit published in place makes in out/."""
    out = tmp_path / "out"
    first = {f"feed/s{n}/page.html": f"page {n}" for n in range(40)}
    with locked(out):
        publish(
            out,
            files(**{k.replace("/", "__"): v for k, v in first.items()}),
            ["feed"],
            keep_others=False,
        )
        publish(out, files(partners__msn__en="msn"), ["partners/msn"], keep_others=False)
    assert modes(out) == published_modes(out)
    assert (out / "feed/s1").is_dir() and (out / "partners/msn").is_dir()
    # a new story's folder, published in place
    folder = (out / "feed").stat().st_ino
    with locked(out):
        publish(
            out,
            [
                *files(**{k.replace("/", "__"): v for k, v in first.items()}),
                OutputFile("feed/s40/page.html", b"page 40"),
            ],
            ["feed"],
            keep_others=False,
            in_place=True,
        )
    assert (out / "feed/s40").is_dir() and (out / "feed").stat().st_ino == folder
    assert modes(out) == published_modes(out)
    # every file again, in folders the helpers make ahead, swapped in whole
    with locked(out), Staging(out, OWNED[out]) as staging:
        staging.ahead(["feed"])
        staging.expect_writes()
        for n in range(42):
            staging.add(OutputFile(f"feed/s{n}/page.html", f"new page {n}".encode()))
        plan = staging.prepare(["feed"], keep_others=False)
        assert plan.swaps
        staging.apply(plan)
    assert (out / "feed/s41").is_dir()
    assert modes(out) == published_modes(out)


@pytest.mark.parametrize("umask", [0o022, 0o077], ids=["umask-022", "umask-077"])
def test_a_folder_made_private_stays_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    """Folders are made 0755, but one of out/ a user made private (or opened to a group)
    keeps its access when its format's folder is rebuilt whole."""
    out = tmp_path / "out"
    before = os.umask(umask)
    try:
        with locked(out):
            publish(
                out, files(feed__private__a="1", feed__open__b="2"), ["feed"], keep_others=False
            )
            (out / "feed/private").chmod(0o700)
            (out / "feed/open").chmod(0o775)
            publish(
                out, files(feed__private__a="3", feed__open__b="4"), ["feed"], keep_others=False
            )
    finally:
        os.umask(before)
    assert (out / "feed/private/a").read_text() == "3"
    assert stat.S_IMODE((out / "feed/private").stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "feed/open").stat().st_mode) == 0o775
    assert stat.S_IMODE((out / "feed").stat().st_mode) == 0o755


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2 is Linux's")
def test_the_exchange_is_found_without_asking_ldconfig(
    library_lookups: list[str], tmp_path: Path
) -> None:
    """`renameat2` (the folders' atomic exchange) is taken from the libc the interpreter has
    loaded: `ctypes.util.find_library("c")`, which runs `ldconfig -p` in a process of its own,
    was asked by every export into an existing out/."""
    from syndicate.build import publish

    asked = library_lookups
    publish._renameat2.cache_clear()
    try:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        (tmp_path / "a" / "x").write_text("a")
        assert publish._exchange(tmp_path / "a", tmp_path / "b")
        assert (tmp_path / "b" / "x").read_text() == "a" and not (tmp_path / "a" / "x").exists()
        assert asked == []
    finally:
        publish._renameat2.cache_clear()
