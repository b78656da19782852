"""out/ as users see it: published as one unit whatever stops a run (Ctrl-C, SIGTERM, SIGKILL at
any swap, a full disk while the build state is saved), the user's own files never touched, the
build state in one documented place outside out/."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXED_NOW, REPO
from sites import generated_site

from syndicate.build import engine
from syndicate.build.state import CACHE_NAME, STATE_FILE, BuildState, state_folder
from syndicate.cli import main
from syndicate.diagnostics import Diagnostics

FORMATS = ("atom", "html", "jsonfeed", "rss")
"""Four folders, so a run has four swaps to interrupt."""
HOOK = """
import os, signal, sys
from syndicate.build import publish
from syndicate.cli import main

at, sig, calls = int(os.environ["STOP_AT"]), getattr(signal, os.environ["STOP_WITH"]), []
swap = publish._swap_in

def stopped(new_dir, live):
    calls.append(live)
    if len(calls) == at:
        os.kill(os.getpid(), sig)
    swap(new_dir, live)

publish._swap_in = stopped
sys.exit(main(sys.argv[1:]))
"""
MOVE_HOOK = HOOK.replace("_swap_in", "_move_in")
"""The same, stopping at the Nth file moved in by a publication in place."""


@pytest.fixture(autouse=True)
def cache_in_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default place of the build state: `.syndicate/` beside syndicate.yaml."""
    monkeypatch.delenv(engine.CACHE_ENV)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return generated_site(tmp_path / "site", 3)


def args(site: Path, out: Path) -> list[str]:
    formats = [arg for name in FORMATS for arg in ("-f", name)]
    return [
        "export",
        "-q",
        *formats,
        "--now",
        FIXED_NOW,
        "--out",
        str(out),
        "--config",
        str(site / "syndicate.yaml"),
        "--articles",
        str(site / "articles"),
    ]


def export(site: Path, out: Path) -> int:
    return main(args(site, out))


def api_export(site: Path, out: Path, *, dry_run: bool = False) -> engine.ExportResult:
    """The export of `args`, through the engine's Python entry point."""
    return engine.export(
        formats=FORMATS,
        config=site / "syndicate.yaml",
        articles=site / "articles",
        out=out,
        now=engine.datetime.fromisoformat(FIXED_NOW),
        dry_run=dry_run,
    )


def interrupted(hook: str, at: int, signal_name: str, site: Path, out: Path) -> str:
    """Run the export of `args` with `hook` sending it `signal_name` at its `at`th step of
    publication: it exits as interrupted (130); the last line it printed."""
    env = {**os.environ, "STOP_AT": str(at), "STOP_WITH": signal_name, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", hook, *args(site, out)],
        env=env,
        cwd=site,  # (out/ is then named out/, as from the site's folder)
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 130
    return run.stderr.strip().splitlines()[-1]  # after the run's problems


def killed_and_completed(
    hook: str, at: int, site: Path, out: Path, new: dict[str, bytes]
) -> dict[str, bytes]:
    """Run the export of `args` with `hook` killing it (SIGKILL) at its `at`th step of
    publication; what validate, deliver and serve do first (`settle_output`) completes it,
    with a warning, and the state was saved: the next export writes nothing. What out/ held
    right after the kill."""
    env = {**os.environ, "STOP_AT": str(at), "STOP_WITH": "SIGKILL", "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", hook, *args(site, out)], env=env, check=False)
    assert run.returncode == -signal.SIGKILL
    killed = tree(out)
    diags = Diagnostics()
    engine.settle_output(out, site / CACHE_NAME, diags)
    assert tree(out) == new
    assert [d.code for d in diags] == ["output.recovered"]
    assert not list(out.glob(".syndicate-staging-*"))
    result = api_export(site, out)
    assert result.status == "exported" and result.written == 0  # the state was saved
    return killed


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def edit(site: Path) -> None:
    """A change that reaches every format's folder."""
    for md in sorted((site / "articles").glob("*/*.md")):
        md.write_text(md.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


def published_then_edited(
    site: Path, change: Callable[[Path], None]
) -> tuple[Path, dict[str, bytes]]:
    """`site` published once into out/, then changed; and what a clean export of the changed
    site gives (the new set)."""
    out = site / "out"
    assert export(site, out) == 0
    change(site)
    reference = site.parent / "reference"
    assert export(site, reference) == 0
    return out, tree(reference)


@pytest.fixture
def before_and_after(site: Path) -> tuple[Path, dict[str, bytes]]:
    """The site published once into out/, then every story edited (see `edit`)."""
    return published_then_edited(site, edit)


@pytest.mark.parametrize("at", range(1, len(FORMATS) + 1))
def test_a_run_killed_at_any_swap_is_completed_before_anything_reads_out(
    at: int, site: Path, before_and_after: tuple[Path, dict[str, bytes]]
) -> None:
    out, new = before_and_after
    old = tree(out)
    killed = killed_and_completed(HOOK, at, site, out, new)
    assert killed not in (old, new) or at == 1  # stopped between swaps: a mix, for now


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize(
    "at",
    [
        pytest.param(at, marks=[] if at in (1, len(FORMATS)) else [pytest.mark.slow])
        for at in range(1, len(FORMATS) + 1)
    ],
)
def test_an_interrupt_during_the_swaps_waits_and_says_what_out_holds(
    at: int, signal_name: str, site: Path, before_and_after: tuple[Path, dict[str, bytes]]
) -> None:
    out, new = before_and_after
    last = interrupted(HOOK, at, signal_name, site, out)
    assert last == "interrupted after publishing: out/ holds this run's output"
    assert tree(out) == new
    assert not list(out.glob(".syndicate-staging-*"))


def test_an_interrupt_before_publishing_leaves_out_unchanged(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = site / "out"
    assert export(site, out) == 0
    old = tree(out)
    edit(site)

    def ctrl_c(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine._Build, "_collections", ctrl_c)
    capsys.readouterr()
    monkeypatch.chdir(site)
    assert export(site, out) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "interrupted; out/ is unchanged"
    assert tree(out) == old and not list(out.glob(".syndicate-staging-*"))
    # `--out DIR` is named as given, from where syndicate was started: never "out/".
    monkeypatch.chdir(site.parent)
    assert export(site, out) == 130
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert said == f"interrupted; {site.name}/out/ is unchanged"


def test_a_full_disk_while_saving_the_state_publishes_nothing(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = site / "out"
    assert export(site, out) == 0
    old = tree(out)
    edit(site)

    def disk_full(*_: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(BuildState, "save", disk_full)
        capsys.readouterr()
        assert export(site, out) == 1
    err = capsys.readouterr().err
    assert "cannot save the build state in" in err and "database or disk is full" in err
    assert "the previous output is unchanged [output.write]" in err
    assert tree(out) == old and not list(out.glob(".syndicate-staging-*"))
    assert export(site, out) == 0  # and the next run, with room, publishes


def test_leftover_staging_of_a_killed_run_is_cleaned(site: Path) -> None:
    """What a killed run left (a folder as `mkdtemp` makes them, of this and of the older
    prefix) goes; a folder of the user's named alike stays (it was deleted with its files)."""
    import tempfile

    from syndicate.build.publish import STAGING_PREFIX

    out = site / "out"
    out.mkdir()
    left = [Path(tempfile.mkdtemp(prefix=p, dir=out)) for p in (STAGING_PREFIX, ".staging-")]
    for folder in left:
        (folder / "atom").mkdir()
    (out / ".staging-mysite/docs").mkdir(parents=True)
    (out / ".staging-mysite/docs/notes.txt").write_text("important")
    assert export(site, out) == 0
    assert not any(folder.exists() for folder in left)
    assert (out / ".staging-mysite/docs/notes.txt").read_text() == "important"


def test_a_file_placed_by_the_user_in_out_survives_every_export(site: Path) -> None:
    out = site / "out"
    assert export(site, out) == 0
    (out / "html/about.html").write_text("<p>About us</p>")
    (out / "html/extra").mkdir()
    (out / "notes.txt").write_text("mine")
    edit(site)
    assert export(site, out) == 0
    shutil.rmtree(site / "articles" / sorted(os.listdir(site / "articles"))[0])
    assert export(site, out) == 0  # a story removed: its files go, the user's stay
    assert (out / "html/about.html").read_text() == "<p>About us</p>"
    assert (out / "html/extra").is_dir() and (out / "notes.txt").read_text() == "mine"


def test_a_users_file_where_syndicate_writes_is_never_replaced(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = site / "out"
    (out / "html").mkdir(parents=True)
    (out / "html/index.html").write_text("my own home page")
    assert export(site, out) == 1
    err = capsys.readouterr().err
    assert f"{out / 'html/index.html'}: error: this file was not written by syndicate" in err
    assert "[output.foreign]" in err
    assert (out / "html/index.html").read_text() == "my own home page"
    assert sorted(p.name for p in out.iterdir()) == ["html"]  # nothing published


@pytest.mark.parametrize("first", [True, False], ids=["after-an-export", "first-export"])
@pytest.mark.parametrize("mine", ["file", "link"])
def test_a_users_file_where_a_format_folder_goes_is_never_put_away(
    site: Path, tmp_path: Path, first: bool, mine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file (or a link) of the user's where a format's whole folder goes: the swap that
    publishes the folder would have put it in the trash with the old folder, deleted by the
    next run. It is refused like a file where syndicate writes, with or without `--force`."""
    out = site / "out"
    if first:
        assert export(site, out) == 0
        shutil.rmtree(out / "html")
    else:
        out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if mine == "file":
        (out / "html").write_text("mine")
    else:
        (out / "html").symlink_to(elsewhere, target_is_directory=True)
    before = tree(out)
    capsys.readouterr()
    assert export(site, out) == 1
    assert main([*args(site, out), "--force"]) == 1
    err = capsys.readouterr().err
    assert f"{out / 'html'}: error: this is where syndicate's folder html/ goes" in err, err
    assert "[output.foreign]" in err
    assert tree(out) == before
    if mine == "file":
        assert (out / "html").read_text() == "mine"
    else:
        assert (out / "html").is_symlink() and not any(elsewhere.iterdir())
    assert not any(p.name.startswith("run-") for p in site.rglob("trash/*"))


def _new_story(site: Path, like: str) -> None:
    """A new story, `bench-000099`, copied from the story `like` of the bench site."""
    new = site / "articles" / "bench-000099"
    shutil.copytree(site / "articles" / like, new)
    meta = new / "story.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(like, "bench-000099"), "utf-8")


def _a_new_story(site: Path) -> None:
    """A new story, `bench-000099`, copied from the bench site's first story."""
    _new_story(
        site, sorted(p.name for p in (site / "articles").iterdir() if p.name.startswith("b"))[0]
    )


def _users_folder(out: Path, path: str, *, replacing: bool, holding: str = "notes.txt") -> None:
    """A folder of the user's at out/`path`, in place of syndicate's file there if `replacing`
    (which must be there), holding a file of theirs."""
    if replacing:
        (out / path).unlink()
    (out / path).mkdir()
    (out / path / holding).write_text("mine")


def _refused(site: Path, out: Path, jobs: str, capsys: pytest.CaptureFixture[str]) -> str:
    """What an export with `jobs` workers says as it fails (exit status 1), out/ untouched."""
    before = tree(out)
    capsys.readouterr()
    assert main([*args(site, out), "-j", jobs]) == 1
    err = capsys.readouterr().err
    assert tree(out) == before
    return err


IN_THE_WAY = (
    "error: this is where a file of this run goes,"
    " but a folder syndicate did not make is there: move it out of the way"
)


def test_a_users_file_where_a_new_storys_folder_goes_is_refused_by_name(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new story's media folder where the user keeps a file: the export failed with
    "cannot write to out: Is a directory", naming neither the file nor what to do."""
    out = site / "out"
    assert export(site, out) == 0
    media = sorted(p.name for p in (out / "html/media").iterdir() if p.name != "site")[0]
    _new_story(site, media)
    (out / "html/media/bench-000099").write_text("mine")
    before = tree(out)
    capsys.readouterr()
    assert export(site, out) == 1
    err = capsys.readouterr().err
    assert (
        f"{out / 'html/media/bench-000099'}: error: this is where syndicate's folder"
        " html/media/bench-000099/ goes, but it is not a folder"
    ) in err, err
    assert "Is a directory" not in err and tree(out) == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_users_folder_where_a_new_storys_page_goes_is_refused_by_name(
    site: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """A folder of the user's where a new story's page goes: the export said "cannot write
    to out: Is a directory" at out/ itself (`output.write`), naming neither the folder nor
    what to do, whether the driver or a worker staged the page."""
    out = site / "out"
    assert export(site, out) == 0
    _a_new_story(site)
    _users_folder(out, "html/bench-000099.en.html", replacing=False, holding="index.html")
    err = _refused(site, out, jobs, capsys)
    assert f"{out / 'html/bench-000099.en.html'}: {IN_THE_WAY}" in err, err
    assert "[output.foreign]" in err and "Is a directory" not in err


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("path", ["html/index.en.html", "atom/en.xml"])
def test_a_users_folder_where_a_collection_file_of_syndicates_was_is_refused_by_name(
    site: Path, capsys: pytest.CaptureFixture[str], jobs: str, path: str
) -> None:
    """A collection file of syndicate's (an index page, a feed) the user replaced with a
    folder of theirs, no story changed: the run made the file again (not intact), staged it
    with no folder of out/'s made in staging, and failed as it built the folder whole with
    "cannot write to out: File exists" (`output.write`), naming neither the folder nor what
    to do. It is refused by name as the same folder where a new page goes is."""
    out = site / "out"
    assert export(site, out) == 0
    _users_folder(out, path, replacing=True)
    err = _refused(site, out, jobs, capsys)
    assert f"{out / path}: {IN_THE_WAY}" in err, err
    assert "[output.foreign]" in err and "File exists" not in err
    shutil.rmtree(out / path)  # moved out of the way: the file is made again
    assert export(site, out) == 0 and (out / path).is_file()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_users_file_and_folder_in_the_way_is_named_at_once(
    site: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """Folders of the user's where files of this run go, and a file of theirs where one goes:
    the run stopped at the first folder it met and named it alone (not the files either), so
    the user moved things out of the way one export at a time. Each is named, once."""
    out = site / "out"
    assert export(site, out) == 0
    _a_new_story(site)
    folders = ["html/bench-000099.en.html", "atom/en.xml", "rss/en.xml"]
    for path in folders:
        _users_folder(out, path, replacing=path != folders[0])
    (out / "html/bench-000099.fr.html").write_text("mine")
    err = _refused(site, out, jobs, capsys)
    for path in folders:
        assert err.count(f"{out / path}: {IN_THE_WAY}") == 1, err
    mine = out / "html/bench-000099.fr.html"
    assert err.count(f"{mine}: error: this file was not written by syndicate") == 1, err
    assert err.count("[output.foreign]") == 4, err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_users_file_where_a_folder_of_the_run_goes_is_named_with_the_rest(
    site: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """A file of the user's where a folder of syndicate's goes inside a format's folder
    (`html/fr`, where html/fr/*.html go) was met only once the user's files were linked into
    staging, after the others in the way were said: the export named a folder of theirs,
    and only the next one, once it was moved, named the file. Both are named at once."""
    out = site / "out"
    assert export(site, out) == 0
    shutil.rmtree(out / "html/fr")
    (out / "html/fr").write_text("mine")
    _users_folder(out, "atom/en.xml", replacing=True)
    err = _refused(site, out, jobs, capsys)
    assert err.count(f"{out / 'atom/en.xml'}: error: this is where a file of this run goes") == 1
    said = f"{out / 'html/fr'}: error: this is where syndicate's folder html/fr/ goes"
    assert err.count(said) == 1, err
    assert err.count("[output.foreign]") == 2, err


def test_a_publication_that_fails_midway_says_so_and_the_next_export_completes_it(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder of out/ that cannot be written (`chattr +i`, another owner) met while the
    new folders go in: the run said "out/ is unchanged" with some of them in, and removed
    its staging folder, so the next run could not complete the publication either. It says
    out/ holds part of its files, naming the folder, keeps what the next run needs, and that
    run completes it."""
    from syndicate.build import publish

    out = site / "out"
    assert export(site, out) == 0
    edit(site)
    real, calls = publish._swap_in, []

    def refused(new_dir: Path, live: Path) -> None:
        calls.append(live)
        if len(calls) == 2:
            raise PermissionError(1, "Operation not permitted", str(live))
        real(new_dir, live)

    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publish, "_swap_in", refused)
        assert export(site, out) == 1
    err = capsys.readouterr().err
    assert f"cannot publish into {calls[1]}: Operation not permitted; out/ may hold part" in err
    assert any(p.name.startswith(".syndicate-staging-") for p in out.iterdir())  # kept
    assert export(site, out) == 0
    assert "its output is now complete [output.recovered]" in capsys.readouterr().err
    fresh = tmp_path / "fresh"
    assert export(site, fresh) == 0
    assert tree(out) == tree(fresh)


def test_an_edit_published_in_place_that_fails_names_the_file_of_out(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An edit's files go into out/ one rename each: one refused (`chattr +i out/html`) was
    said at the staged file it moved, hidden in `out/.syndicate-staging-*`, not at the file
    of out/ whose folder the user must mend."""
    from syndicate.build import engine, publish

    out = site / "out"
    assert export(site, out) == 0
    edit(site)
    real, calls = publish.os.replace, []

    def refused(new: str | Path, live: str | Path) -> None:
        if ".syndicate-staging-" in str(new) and not calls:
            calls.append(Path(live))
            raise PermissionError(1, "Operation not permitted", str(new), None, str(live))
        real(new, live)

    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        # (a site this small is published whole; an edit of a large one, in place)
        patch.setattr(engine, "IN_PLACE_SHARE", 1)
        patch.setattr(publish, "MOVES_SHARE", 1)
        patch.setattr(publish.os, "replace", refused)
        assert export(site, out) == 1
    err = capsys.readouterr().err
    assert calls and f"cannot publish into {calls[0]}: Operation not permitted" in err, err
    assert ".syndicate-staging-" not in err.split("cannot publish into", 1)[1].split(":")[0]
    assert export(site, out) == 0
    fresh = tmp_path / "fresh"
    assert export(site, fresh) == 0
    assert tree(out) == tree(fresh)


def test_many_files_in_the_way_are_named_up_to_a_cap_and_the_rest_counted(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lost build state and an edit: every file of out/ the run replaces was named, one
    error each, which for a large archive is thousands of lines with the way out (--force)
    lost among them. `FOREIGN_NAMED` are named (a folder in the way, which --force does not
    take back, among them), one more error counts the rest and says --force; nothing is
    published."""
    out = site / "out"
    assert export(site, out) == 0
    edit(site)
    shutil.rmtree(site / CACHE_NAME)
    # and a folder of the user's where a file goes: named
    _users_folder(out, "atom/en.xml", replacing=True)
    before = tree(out)
    capsys.readouterr()
    assert export(site, out) == 1
    err = capsys.readouterr().err
    folder = f"{out / 'atom/en.xml'}: error: this is where a file of this run goes"
    assert err.count(folder) == 1, err
    named = err.count("error: this file was not written by syndicate")
    assert named == engine.FOREIGN_NAMED - 1, err
    lines = [line for line in err.splitlines() if "[output.foreign]" in line]
    assert len(lines) == engine.FOREIGN_NAMED + 1, err
    (rest,) = (line for line in lines if ": error: and " in line)
    assert rest.startswith(f"{out}: error: and ") and "more files or folders in out/" in rest
    count = int(rest.split("error: and ", 1)[1].split(" ", 1)[0])
    assert count > 0 and "export once with --force" in rest, rest
    assert tree(out) == before
    shutil.rmtree(out / "atom/en.xml")
    assert main([*args(site, out), "--force"]) == 0
    assert len(tree(out)) >= engine.FOREIGN_NAMED + count


def test_a_lost_build_state_is_taken_back_with_force(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`.syndicate/` deleted (or a CI cache missed) after an export, then an edit: syndicate
    no longer knows the files of out/ are its own, refuses to replace them, and says how to
    take them back; `--force` does, and the user's own file stays."""
    out = site / "out"
    assert export(site, out) == 0
    (out / "html/about.html").write_text("<p>About us</p>")
    edit(site)
    shutil.rmtree(site / CACHE_NAME)
    capsys.readouterr()
    assert export(site, out) == 1
    err = capsys.readouterr().err
    assert "[output.foreign]" in err and "export once with --force" in err
    assert main([*args(site, out), "--force"]) == 0
    err = capsys.readouterr().err
    assert "[state.adopted]" in err and "taken as syndicate's old outputs" in err
    assert export(site, out) == 0  # and from then on, as usual
    assert (out / "html/about.html").read_text() == "<p>About us</p>"
    (out / "html/about.html").unlink()
    fresh = tmp_path / "fresh"
    assert export(site, fresh) == 0
    assert tree(out) == tree(fresh)


def test_one_file_taken_back_is_said_so(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It said "the 1 files ... they were taken"."""
    out = site / "out"
    only_jsonld = [*args(site, out)]
    only_jsonld[2 : 2 + 2 * len(FORMATS)] = ["-f", "jsonld"]
    assert main(only_jsonld) == 0
    shutil.rmtree(site / CACHE_NAME)
    text = sorted((site / "articles").iterdir())[0] / "en.md"
    text.write_text(text.read_text("utf-8").rstrip() + "\n\nOne more paragraph.\n", "utf-8")
    capsys.readouterr()
    assert main([*only_jsonld, "--force"]) == 0
    err = capsys.readouterr().err
    assert "had no record of the file this export replaced" in err
    assert "): it was taken as syndicate's old outputs" in err


def test_a_damaged_build_state_takes_back_the_files_of_out(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A damaged state was this out/'s own: the export after an edit publishes, instead of
    refusing every file it would replace as the user's (the warning said "everything is
    rebuilt" while nothing was published, run after run)."""
    out = site / "out"
    assert export(site, out) == 0
    edit(site)
    (state_folder(out, site / CACHE_NAME) / STATE_FILE).write_bytes(b"not a database" * 100)
    capsys.readouterr()
    assert export(site, out) == 0
    err = capsys.readouterr().err
    assert "[state.discarded]" in err and "[state.adopted]" in err


def test_the_build_state_lives_in_the_sites_cache_folder(site: Path, tmp_path: Path) -> None:
    out = site / "out"
    assert export(site, out) == 0
    assert sorted(p.name for p in site.iterdir()) == [
        ".syndicate",
        "articles",
        "out",
        "site",
        "syndicate.yaml",
    ]
    assert (site / ".syndicate/.gitignore").read_text().splitlines()[-1] == "*"
    assert (state_folder(out, site / CACHE_NAME) / STATE_FILE).is_file()
    assert not [p for p in out.rglob(".*")]  # out/ holds only what is published
    moved = tmp_path / "moved"
    shutil.move(site, moved)
    result = api_export(moved, moved / "out")
    assert result.status == "exported" and result.written == 0  # a moved site keeps its state


def test_a_state_kept_beside_out_by_an_earlier_version_is_moved(site: Path) -> None:
    out = site / "out"
    assert export(site, out) == 0
    current = state_folder(out, site / CACHE_NAME)
    legacy = site / ".out.syndicate"
    shutil.move(current, legacy)
    result = api_export(site, out)
    assert result.status == "exported" and result.written == 0
    assert not legacy.exists() and (current / STATE_FILE).is_file()


def test_a_state_a_newer_syndicate_wrote_is_refused_not_emptied(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Going back to an older syndicate after a newer one changed the state's format: the
    older one refuses it, naming what to do, instead of emptying it (its history is what
    the version checks know of partners) and rebuilding out/ the older way unsaid."""
    out = site / "out"
    assert export(site, out) == 0
    path = state_folder(out, site / CACHE_NAME) / STATE_FILE
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'format'")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(site)
    capsys.readouterr()
    assert export(site, out) == 1
    err = capsys.readouterr().err
    assert "was written by a newer syndicate (its format is 999; this one reads" in err
    assert "delete" in err and "--force" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == ("999",)
    assert db.execute("SELECT count(*) FROM history").fetchone()[0] > 0
    db.close()


def test_a_damaged_state_is_discarded_with_a_warning(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = site / "out"
    assert export(site, out) == 0
    (state_folder(out, site / CACHE_NAME) / STATE_FILE).write_bytes(b"not a database" * 100)
    capsys.readouterr()
    assert export(site, out) == 0
    err = capsys.readouterr().err
    assert "warning: the build state was damaged (it was not a database)" in err
    assert "[state.discarded]" in err


def test_a_state_another_program_holds_is_said_and_kept(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An sqlite3 session or a backup holding the build state locked: the state was taken
    for another program's database (or a damaged one) and deleted, and everything rebuilt.
    It is an output error that says who holds it, and the state is kept."""
    import sqlite3

    out = site / "out"
    assert export(site, out) == 0
    path = state_folder(out, site / CACHE_NAME) / STATE_FILE
    inode = path.stat().st_ino
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        capsys.readouterr()
        assert export(site, out) == 1
        err = capsys.readouterr().err
        assert "cannot open the build state" in err and "another program holds it" in err, err
    finally:
        holder.close()
    assert path.stat().st_ino == inode, "the state is kept"
    assert export(site, out) == 0


def test_a_state_of_another_shape_is_said_so_not_damaged(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A valid SQLite file of another program (or a foreign one) in the build state's place
    was "damaged (it was not a database)": it is a database, of another shape."""
    import sqlite3

    out = site / "out"
    assert export(site, out) == 0
    path = state_folder(out, site / CACHE_NAME) / STATE_FILE
    path.unlink()
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE meta (name TEXT, setting TEXT)")
    capsys.readouterr()
    assert export(site, out) == 0
    err = capsys.readouterr().err
    assert "(it was another program's database: no such column: value)" in err, err
    assert "not a database" not in err


# An edit published in place ---------------------------------------------------------------------

EDITED = "bench-000004"


@pytest.fixture
def many(tmp_path: Path) -> Path:
    """Twenty stories: an edit of one remakes few of its files, and is published in place."""
    return generated_site(tmp_path / "many", 20)


def edit_one(site: Path) -> None:
    for md in sorted((site / "articles" / EDITED).glob("*.md")):
        md.write_text(md.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


def inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.lstat().st_ino for p in sorted(out.rglob("*"))}


@pytest.fixture
def edited_one(many: Path) -> tuple[Path, dict[str, bytes]]:
    """The twenty stories published once into out/, then one edited."""
    return published_then_edited(many, edit_one)


def test_an_edit_is_published_in_place(
    many: Path, edited_one: tuple[Path, dict[str, bytes]]
) -> None:
    """An edit of one story in twenty moves its new files into out/: every folder and every
    file it did not change stay as they were (the same inodes), the user's files too, and
    out/ holds what a clean export of the edited site does."""
    out, new = edited_one
    (out / "html/about.html").write_text("<p>About us</p>")
    before, old = inodes(out), tree(out)
    assert export(many, out) == 0
    after = inodes(out)
    assert tree(out) == {**new, "html/about.html": b"<p>About us</p>"}
    changed = {path for path in new if path in old and old[path] != new[path]}
    assert 0 < len(changed) < len(old) // 4  # few files of many
    folders = [path for path in before if (out / path).is_dir()]
    assert folders and all(after[path] == before[path] for path in folders)
    kept = [path for path in old if path in new and old[path] == new[path]]
    assert all(after[path] == before[path] for path in kept)
    assert [path for path in changed if after[path] == before[path]] == []
    assert not list(out.glob(".syndicate-staging-*"))


MOVES = 14
"""The files an edit of one story of `many` moves into out/ (its pages, entries and feeds in
two languages): the fault-injection tests below stop the publication at each of them. A hook
asked to stop past the last move never fires, and its test fails on the exit status."""


def every_move(quick: tuple[int, ...]) -> list[object]:
    """Each move's number, those outside `quick` marked slow (the fast loop keeps a few)."""
    return [
        pytest.param(at, marks=[] if at in quick else [pytest.mark.slow])
        for at in range(1, MOVES + 1)
    ]


def test_the_edit_moves_the_files_the_fault_tests_stop_at(
    many: Path, edited_one: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """MOVES is what the edit moves: every move is interrupted by the tests below, no more."""
    from syndicate.build import publish

    out, new = edited_one
    moved: list[Path] = []
    move = publish._move_in

    def counted(new_file: Path, live: Path) -> None:
        moved.append(live)
        move(new_file, live)

    monkeypatch.setattr(publish, "_move_in", counted)
    assert export(many, out) == 0
    assert len(moved) == MOVES and tree(out) == new


@pytest.mark.parametrize("at", every_move(quick=(1, 3)))
def test_a_run_killed_while_it_moves_files_in_is_completed(
    at: int, many: Path, edited_one: tuple[Path, dict[str, bytes]]
) -> None:
    out, new = edited_one
    old = tree(out)
    killed = killed_and_completed(MOVE_HOOK, at, many, out, new)
    assert killed not in (old, new)  # stopped between two moves: a mix, for now


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("at", every_move(quick=(1,)))
def test_an_interrupt_while_files_move_in_waits(
    at: int, signal_name: str, many: Path, edited_one: tuple[Path, dict[str, bytes]]
) -> None:
    out, new = edited_one
    last = interrupted(MOVE_HOOK, at, signal_name, many, out)
    assert last == "interrupted after publishing: out/ holds this run's output"
    assert tree(out) == new


def test_a_dry_run_of_an_edit_says_what_publishing_it_in_place_changes(
    many: Path, edited_one: tuple[Path, dict[str, bytes]]
) -> None:
    """`--dry-run` of an edit publishes nothing and lists exactly the files the edit then
    writes in place; a story deleted after it lists the files that go."""
    out, new = edited_one
    old = tree(out)

    said = api_export(many, out, dry_run=True).changes
    assert tree(out) == old and not list(out.glob(".syndicate-staging-*"))
    assert said["new"] == () and said["removed"] == ()
    assert set(said["changed"]) == {path for path in new if old.get(path) != new[path]}
    assert api_export(many, out).written == len(said["changed"])
    assert tree(out) == new
    shutil.rmtree(many / "articles" / EDITED)
    said = api_export(many, out, dry_run=True).changes
    assert said["removed"] and all(EDITED in path for path in said["removed"])
    folder = (out / "html").stat().st_ino
    result = api_export(many, out)
    assert (out / "html").stat().st_ino == folder  # in place, not swapped
    assert result.removed == len(said["removed"])
    assert not any((out / path).exists() for path in said["removed"])


def test_a_file_where_the_cache_folder_goes_is_an_error_not_a_traceback(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / CACHE_NAME).write_text("mine")
    assert export(site, site / "out") == 1
    err = capsys.readouterr().err
    assert (
        f"the build state's folder {site / CACHE_NAME} is not a folder: move that file away" in err
    )
    assert "Traceback" not in err and (site / CACHE_NAME).read_text() == "mine"


def test_a_file_where_the_build_state_s_own_folder_goes_says_what_to_do(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file at `.syndicate/builds/out-<hash>` (a restore, a sync's conflict copy) was
    "cannot write to .../out-<hash>: File exists", naming no file to move and nothing to do."""
    folder = state_folder(site / "out", site / CACHE_NAME)
    folder.parent.mkdir(parents=True)
    folder.write_text("mine")
    assert export(site, site / "out") == 1
    err = capsys.readouterr().err
    assert (
        f"cannot write to {folder}: it is a file, not a folder: move it away, or set"
        " SYNDICATE_CACHE_DIR to a folder of its own, where the build state and the delivery"
        " ledgers are then kept [output.write]"
    ) in err, err
    assert "Traceback" not in err and folder.read_text() == "mine"


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (
            "EROFS",
            "its disk is mounted read-only; set SYNDICATE_CACHE_DIR to a folder on a writable disk",
        ),
        (
            "EACCES",
            "give the user syndicate runs as write access to it, or set SYNDICATE_CACHE_DIR to a"
            " folder it can write",
        ),
        ("ENOSPC", "its disk is full; free some space, or set SYNDICATE_CACHE_DIR"),
    ],
)
def test_a_build_state_folder_that_cannot_be_written_says_what_to_do(
    tmp_path: Path, code: str, advice: str
) -> None:
    """A read-only `.syndicate/` (a site on a read-only mount, its out/ elsewhere) was "cannot
    write to .../out-<hash>: Read-only file system", with no way out; `out/` itself is told
    what to do in the same case (`_output_error`)."""
    from syndicate.build.publish import unwritable_folder

    number = getattr(__import__("errno"), code)
    said = unwritable_folder(tmp_path / "builds" / "out-1", OSError(number, os.strerror(number)))
    assert said.startswith(f"cannot write to {tmp_path / 'builds' / 'out-1'}: ")
    assert advice in said, said


def test_a_folder_where_the_build_state_s_file_goes_says_what_to_do(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`state.sqlite` made a folder (a restore, a sync tool) was "cannot open the build state
    .../state.sqlite: unable to open database file", SQLite's words, with nothing to do."""
    assert export(site, site / "out") == 0
    path = state_folder(site / "out", site / CACHE_NAME) / STATE_FILE
    path.unlink()
    path.mkdir()
    capsys.readouterr()
    assert main([*args(site, site / "out"), "--force"]) == 1
    err = capsys.readouterr().err
    assert (
        f"cannot open the build state {path}: it is a folder, not a file: move it away"
        " (syndicate makes the file anew) [output.write]"
    ) in err, err
    path.rmdir()
    assert main([*args(site, site / "out"), "--force"]) == 0, "moved away: exported"


def test_a_build_state_folder_made_read_only_after_an_export_says_what_to_do(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The state folder made read-only once an export has made its lock file (which opens
    still): SQLite cannot make its journal there, and the export said "cannot write the
    build state in ...: unable to open database file; ...: free space (or mend the disk)",
    where a disk with room is read-only or another user's. It says what `exclusive` says of
    the folder when the lock cannot be made (`unwritable_folder`)."""
    from conftest import unwritable

    assert export(site, site / "out") == 0
    folder = state_folder(site / "out", site / CACHE_NAME)
    capsys.readouterr()
    with unwritable(folder):
        assert main([*args(site, site / "out"), "--force"]) == 1
    err = capsys.readouterr().err
    assert f"error: cannot write to {folder}: " in err and "[output.write]" in err, err
    assert "set SYNDICATE_CACHE_DIR to a folder it can write" in err, err
    assert "free space" not in err and "unable to open database file" not in err, err


def test_a_build_state_path_too_long_for_sqlite_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site in a deep CI workspace (its build state's path over SQLite's 512 bytes) was a
    traceback (`UnboundLocalError` after `unable to open database file`) in every export."""
    monkeypatch.delenv(engine.CACHE_ENV, raising=False)
    deep = tmp_path.joinpath(*["d" * 100] * 5)
    site = generated_site(deep / "site", 1)
    assert export(site, site / "out") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "[output.write]" in err
    assert "and SQLite opens none over 512: set SYNDICATE_CACHE_DIR to a shorter folder" in err
    assert not (site / "out").exists() or not any((site / "out").iterdir())
    monkeypatch.setenv(engine.CACHE_ENV, str(tmp_path / "cache"))
    assert export(site, site / "out") == 0


def test_a_users_private_folder_stays_private_when_its_format_folder_is_rebuilt(
    site: Path,
) -> None:
    """An edit of every story rebuilds html/ whole in staging, the user's folders made again
    there: they took the default permissions, so a folder made private became readable."""
    out = site / "out"
    assert export(site, out) == 0
    private = out / "html" / "private"
    (private / "inner").mkdir(parents=True)
    (private / "inner" / "notes.txt").write_text("mine")
    private.chmod(0o500)  # not even writable: its files are linked in before it is closed
    (out / "html").chmod(0o750)
    before = (out / "html").stat().st_ino
    edit(site)
    try:
        assert export(site, out) == 0
        assert (out / "html").stat().st_ino != before, "html/ was rebuilt whole"
        assert stat.S_IMODE(private.stat().st_mode) == 0o500
        assert stat.S_IMODE((out / "html").stat().st_mode) == 0o750
        assert (private / "inner" / "notes.txt").read_text() == "mine"
    finally:
        private.chmod(0o700)


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda out: out.symlink_to(out.parent / "gone"), "is a link to"),
        (lambda out: out.write_text("x"), "is a file, not a folder: move it away"),
    ],
    ids=["link-to-nothing", "file"],
)
def test_an_out_that_is_not_a_folder_is_said_as_it_is(
    site: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], object], said: str
) -> None:
    """A link to nothing was "cannot write to out: File exists"."""
    out = site / "out"
    make(out)
    assert export(site, out) == 1
    err = capsys.readouterr().err
    assert said in err and "[output.write]" in err
    if out.is_symlink():
        assert "which does not exist: make that folder, or remove the link" in err


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_an_interrupt_while_the_report_is_printed_says_what_the_run_did(
    signal_name: str,
    log_format: str,
    site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A run's report is printed once it is over, and thousands of problems to a slow pipe
    take long: SIGTERM there killed the process with no last line, and Ctrl-C said
    "interrupted before anything was done", glued to the line it cut, when out/ already held
    the run's output."""
    import json

    import syndicate.cli as cli

    out = site / "out"
    reported = cli.report

    def cut(*given: object, **named: object) -> None:
        sys.stderr.write('{"half": "a line' if log_format == "json" else "half a line")
        os.kill(os.getpid(), getattr(signal, signal_name))
        reported(*given, **named)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "report", cut)
    capsys.readouterr()
    status = main([*args(site, out)[:1], "--log-format", log_format, *args(site, out)[2:]])
    assert status == 130
    last = capsys.readouterr().err.splitlines()[-1]
    said = "interrupted while printing the report of a finished run: exported atom, html,"
    if log_format == "json":
        record = json.loads(last)
        assert record["summary"].startswith(said), record
        assert record["interrupted"] is True and record["status"] == 130
    else:
        assert last.startswith(said) and last.endswith(f"in {out}"), last
    assert (out / "atom" / "en.xml").is_file(), "published before the report"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_first_run_that_publishes_nothing_leaves_no_out_folder(site: Path) -> None:
    """A dry run, or an export refused for a broken story, on a site never exported: each
    left an empty out/ behind, though "nothing was written"."""
    out = site / "out"
    said = api_export(site, out, dry_run=True)
    assert said.status == "exported" and said.changes["new"], said.changes
    assert not out.exists()
    story = sorted((site / "articles").glob("*/story.yaml"))[0]
    story.write_text(story.read_text(encoding="utf-8") + "version: nine\n", encoding="utf-8")
    assert api_export(site, out).status == "input-errors"
    assert not out.exists()


# The cache folder, a folder of its own ----------------------------------------------------------


def files_of(site: Path) -> list[Path]:
    return sorted(p.relative_to(site) for p in site.rglob("*"))


@pytest.mark.parametrize(
    ("cache", "here", "said"),
    [
        ("{site}/articles/cache", ".", "articles/cache: is inside the articles folder (articles)"),
        # a cron line: `cd articles/x && SYNDICATE_CACHE_DIR=cache syndicate export`, told
        # as it can paste them there (`articles/bench-000001/cache` was the site folder's view)
        (
            "cache",
            "articles/bench-000001",
            "cache: is inside the articles folder ({site}/articles)",
        ),
        ("templates", ".", "templates: is the site's templates folder (templates)"),
        ("terms/cache", ".", "terms/cache: is inside the site's terms folder (terms)"),
        ("{site}", ".", ".: holds the articles folder (articles)"),
    ],
    ids=["in-articles", "relative-from-a-story", "templates", "in-terms", "the-site"],
)
def test_a_cache_folder_among_the_sites_sources_is_refused(
    site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cache: str,
    here: str,
    said: str,
) -> None:
    """SYNDICATE_CACHE_DIR naming a folder in articles/ was taken: the build state written
    there was read as a story folder by every later export (`story.meta-missing`, exit 2).
    It is refused as `--out` is there, before anything is written, naming the variable."""
    (site / "templates").mkdir()
    (site / "terms").mkdir()
    before = files_of(site)
    monkeypatch.setenv(engine.CACHE_ENV, cache.format(site=site))
    monkeypatch.chdir(site / here)
    assert main(["export", "-q", "-f", "atom", "--now", FIXED_NOW]) == 2
    err = capsys.readouterr().err
    said = said.format(site=site)
    assert f"error: {engine.CACHE_ENV}={said}: " in err and "[cache.folder]" in err
    assert f"set {engine.CACHE_ENV} to a folder outside the site's sources and out/" in err
    assert files_of(site) == before  # nothing written: no out/, no build state
    monkeypatch.delenv(engine.CACHE_ENV)
    assert main(["export", "-q", "-f", "atom", "--now", FIXED_NOW]) == 0  # as before


@pytest.mark.parametrize("name", [".cache", "_cache", "@eaDir"])
def test_a_cache_in_a_hidden_folder_the_articles_reader_skips_is_taken(
    site: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The articles' reader skips hidden folders: a cache in one (`articles/.cache`, as
    `.syndicate/` is when a site's articles are its own folder) is read as no story, and was
    refused with the folders that would be (the review of the refusal above)."""
    monkeypatch.chdir(site)
    monkeypatch.setenv(engine.CACHE_ENV, str(site / "articles" / name))
    args = ["export", "-q", "-f", "atom", "--now", FIXED_NOW]
    assert main(args) == 0 and main(args) == 0
    assert (site / "articles" / name).is_dir()  # (also `_` and system folders: review)


@pytest.mark.parametrize(
    "command",
    [["validate"], ["validate", "--outputs", "out"], ["deliver"], ["serve"], ["serve", "--watch"]],
    ids=["validate", "validate-outputs", "deliver", "serve", "serve-watch"],
)
def test_every_command_keeping_state_in_the_cache_refuses_it_among_the_sources(
    site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    """validate reads the build state (and with --outputs completes a publication), deliver
    keeps its ledger with it, serve settles out/ and previews into the cache: each refuses a
    cache folder in articles/ as the export does. (The server's port is taken: were the
    cache accepted, `serve` would stop there rather than serve.)"""
    monkeypatch.chdir(site)
    assert main(["export", "-q", "-f", "atom", "--now", FIXED_NOW]) == 0
    before = files_of(site)
    monkeypatch.setenv(engine.CACHE_ENV, "articles/cache")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = ["--port", str(taken.getsockname()[1])] if command[0] == "serve" else []
        assert main([*command, *port]) == 2
    err = capsys.readouterr().err
    assert (
        f"error: {engine.CACHE_ENV}=articles/cache: is inside the articles folder (articles)" in err
    )
    assert "[cache.folder]" in err and "serve.port" not in err
    assert files_of(site) == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_out_is_the_same_tree_of_modes_whatever_the_umask(site: Path, jobs: str) -> None:
    """Under cron's umask 077 the folders of out/ were 0700 and its files 0644: after
    `rsync -a out/ web:` the web server could not enter them. Folders are 0755 whatever the
    umask (the worker processes' too), as files are 0644."""
    out = site / "out"
    before = os.umask(0o077)
    try:
        assert main([*args(site, out), "--jobs", jobs]) == 0
    finally:
        os.umask(before)
    found = {p: stat.S_IMODE(p.lstat().st_mode) for p in [out, *out.rglob("*")]}
    assert {p: 0o755 if p.is_dir() else 0o644 for p in found} == found
    assert len([p for p in found if p.is_dir()]) > len(FORMATS)  # nested folders too


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("held", ["state", "folder"])
def test_an_export_refused_by_the_lock_exits_75_not_a_failure_s_1(
    site: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    held: str,
    dry_run: bool,
) -> None:
    """Another export writing out/ (its build state's lock, or out/'s own, taken by a run
    with another SYNDICATE_CACHE_DIR) and a disk that failed both exited 1: a cron job could
    not tell "try later" from "page someone". The busy lock is 75 (EX_TEMPFAIL), the dry run's
    too, nothing written (a failure to write stays 1: the tests above)."""
    import fcntl

    out = tmp_path / "out"
    assert export(site, out) == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    (lock,) = (site / CACHE_NAME / "builds").glob("*/.syndicate.lock")
    argv = [*args(site, out), *(["--dry-run"] if dry_run else [])]
    if held == "folder":  # the cron job's build state is elsewhere; the editor's is the site's
        monkeypatch.setenv(engine.CACHE_ENV, str(tmp_path / "cron-cache"))
    capsys.readouterr()
    flags = os.O_RDONLY | os.O_DIRECTORY
    handle = os.open(out if held == "folder" else lock, flags if held == "folder" else os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another process's, as flock sees
        assert main(argv) == 75
    finally:
        os.close(handle)
    err = capsys.readouterr().err
    assert f"another syndicate export is writing {out}" in err and "[output.write]" in err
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert main(argv) == 0, "the lock held by no process is no lock"


def test_a_path_typed_from_another_folder_is_told_as_it_can_be_pasted_there(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A command runs in its site folder: `--out`, `--articles` and SYNDICATE_CACHE_DIR typed
    from another folder came back in messages relative to the site's (`--out articles/o: is
    inside the articles folder (articles)`), which pasted where the command was typed name
    nothing there. They are told as the user can paste them: relative to that folder when in
    it, else absolute."""
    work = tmp_path / "work"
    (work / "o").mkdir(parents=True)
    monkeypatch.chdir(work)
    base = ["--site", str(site), "export", "-q", "-f", "atom", "--now", FIXED_NOW]
    assert main([*base, "--out", "../site/articles/o"]) == 2
    err = capsys.readouterr().err
    said = f"--out {site}/articles/o: is inside the articles folder ({site}/articles);"
    assert said in err, err
    assert main([*base, "--out", "o", "--articles", "../site/articles/missing"]) == 2
    assert f"no articles folder at {site}/articles/missing; pass" in capsys.readouterr().err
    monkeypatch.setenv(engine.CACHE_ENV, "../site/articles/cache")
    assert main([*base, "--out", "o"]) == 2
    err = capsys.readouterr().err
    said = f"{engine.CACHE_ENV}={site}/articles/cache: is inside the articles folder ({site}/"
    assert said in err, err
    monkeypatch.setenv(engine.CACHE_ENV, "cache")  # in the folder typed from: as typed
    monkeypatch.chdir(site / "articles")
    assert main([*base[2:], "--out", "../articles/o"]) == 2
    err = capsys.readouterr().err
    assert f"{engine.CACHE_ENV}=cache: is inside the articles folder (.)" in err, err


def test_the_busy_lock_names_out_as_it_can_be_pasted_where_the_command_was_typed(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`syndicate --site site export` from the site's parent, refused by the lock, said
    "another syndicate export is writing out": the site folder's view, naming no folder where
    the command was typed. It names `site/out` there, and stays `out` from the site folder."""
    import fcntl

    base = ["--site", str(site), "export", "-q", "-f", "atom", "--now", FIXED_NOW]
    assert main(base) == 0
    (lock,) = (site / CACHE_NAME / "builds").glob("*/.syndicate.lock")
    monkeypatch.chdir(site.parent)
    capsys.readouterr()
    handle = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(base) == 75
        err = capsys.readouterr().err
        said = f"another syndicate export is writing {site.relative_to(site.parent)}/out (lock"
        assert said in err, err
        monkeypatch.chdir(site)
        assert main(base) == 75
        assert "another syndicate export is writing out (lock" in capsys.readouterr().err
    finally:
        os.close(handle)


def test_out_is_named_one_way_in_a_summary_and_in_a_message_from_any_folder(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Paths in messages had two rules that disagreed on a path of the site given relative
    to it: from a subfolder of the site, an export's summary (`cli.shown`) named out/
    `../out` where the engine's messages (`said_path`: the busy lock) named it in full; from
    the site's parent (`--site site`), the summary named it in full where the lock said
    `site/out`. One rule now (`path_from`). From a subfolder, `../out` is the right one: the
    problems printed above the summary name their files so (`../out/html/x.html: warning`),
    as compilers do, and it pastes there; the full path made one run name one folder two
    ways. From the parent, `site/out` is: a path inside the folder the command was typed in
    is told relative to it (the docs' rule for a message's path), the shortest to paste."""
    import fcntl

    run = ["export", "-f", "atom", "--now", FIXED_NOW]
    monkeypatch.chdir(site / "articles")
    assert main(run) == 0
    err = capsys.readouterr().err
    assert err.endswith(" in ../out\n") and f"{site}" not in err, err
    (lock,) = (site / CACHE_NAME / "builds").glob("*/.syndicate.lock")
    handle = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(run) == 75
        assert "another syndicate export is writing ../out (lock" in capsys.readouterr().err
    finally:
        os.close(handle)
    monkeypatch.chdir(site.parent)
    assert main(["--site", site.name, *run]) == 0
    assert capsys.readouterr().err.endswith(f" in {site.name}/out\n")


def test_out_is_named_one_way_through_a_link_to_the_site(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--site link`, a link to the site: the summary named out/ `link/out`, as the user gave
    the site, but the engine's messages (the busy lock) named it from the working folder,
    the path the link leads to (`real/site/out`, or in full from beside it): one folder two
    ways in one run. Both name it under the site as the command line has it now."""
    import fcntl

    link = tmp_path / "link"
    link.symlink_to(site)
    run = ["--site", "link", "export", "-f", "atom", "--now", FIXED_NOW]
    monkeypatch.chdir(tmp_path)
    assert main(run) == 0
    assert capsys.readouterr().err.endswith(" in link/out\n")
    (lock,) = (site / CACHE_NAME / "builds").glob("*/.syndicate.lock")
    handle = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(run) == 75
        assert "another syndicate export is writing link/out (lock" in capsys.readouterr().err
        beside = tmp_path / "beside"
        beside.mkdir()
        monkeypatch.chdir(beside)
        assert main(["--site", "../link", *run[2:]]) == 75
        said = f"another syndicate export is writing {link}/out (lock"
        assert said in capsys.readouterr().err
    finally:
        os.close(handle)
