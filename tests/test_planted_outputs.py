"""`syndicate validate --outputs` on files planted in out/ (by a broken sync, a disk error or an
attacker): every one is a diagnostic, never a hang, a traceback or gigabytes of memory."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_SLUG

from syndicate.cli import main


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("planted") / "out"
    args = ["export", "-q", "--out", str(out), "--now", "2026-01-01T00:00:00Z"]
    for fmt in ("epub", "ninjs", "atom", "jsonld"):
        args += ["-f", fmt]
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        assert main(args) == 0
    finally:
        os.chdir(cwd)
    return out


@pytest.fixture
def out(sample_out: Path, tmp_path: Path) -> Path:
    """A copy of the sample's out/ without books (EPUBCheck takes long on each)."""
    copy = tmp_path / "out"
    shutil.copytree(sample_out, copy, ignore=shutil.ignore_patterns("epub", "opds"))
    return copy


@pytest.fixture
def one_book(sample_out: Path, tmp_path: Path) -> Path:
    """A copy of the sample's out/ with one book, and no catalog."""
    copy = tmp_path / "out"
    shutil.copytree(sample_out, copy, ignore=shutil.ignore_patterns("opds"))
    for book in (copy / "epub").iterdir():
        if book != a_book(copy):
            book.unlink()
    return copy


def validate(out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        capsys.readouterr()
        status = main(["validate", "--outputs", str(out)])
    finally:
        os.chdir(cwd)
    return status, capsys.readouterr().err


def patch_member(
    book: Path, member: str, *, method: int | None = None, flags: int = 0, size: int | None = None
) -> None:
    """Rewrite one member's headers (local and central) as a hostile zip would have them."""
    data = bytearray(book.read_bytes())
    name = member.encode()
    for signature, flag_at, method_at, size_at in (
        (b"PK\x03\x04", 6, 8, 22),
        (b"PK\x01\x02", 8, 10, 24),
    ):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = 30 if signature == b"PK\x03\x04" else 46
            length = struct.unpack_from("<H", data, start + (26 if name_at == 30 else 28))[0]
            if bytes(data[start + name_at : start + name_at + length]) == name:
                old_flags = struct.unpack_from("<H", data, start + flag_at)[0]
                struct.pack_into("<H", data, start + flag_at, old_flags | flags)
                if method is not None:
                    struct.pack_into("<H", data, start + method_at, method)
                if size is not None:
                    struct.pack_into("<I", data, start + size_at, size)
            start += 4
    book.write_bytes(bytes(data))


def a_book(out: Path) -> Path:
    return out / "epub" / f"{SAMPLE_SLUG}.en.epub"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"method": 93}, "uses compression method 93; EPUB allows only stored or deflated"),
        ({"flags": 0x1}, "is encrypted: a reading system cannot open it"),
        ({"size": 3_000_000_000}, "declares 3,000,000,000 bytes uncompressed"),
    ],
)
def test_a_hostile_book_is_refused_before_it_is_read(
    one_book: Path, capsys: pytest.CaptureFixture[str], change: dict[str, int], message: str
) -> None:
    book = a_book(one_book)
    with zipfile.ZipFile(book) as archive:
        member = next(n for n in archive.namelist() if n.endswith(".xhtml"))
    patch_member(book, member, **change)
    status, err = validate(one_book, capsys)
    assert status == 1
    assert f"{book}: error: member {member} {message}" in err
    assert "Traceback" not in err


def test_deeply_nested_json_is_an_error(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    planted = out / "ninjs" / "deep.json"
    planted.write_text("[" * 200_000 + "]" * 200_000)
    status, err = validate(out, capsys)
    assert f"{planted}: error: not valid JSON: nested too deeply [output.json]" in err, err
    assert status == 1


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"uri": "x", "a": NaN}', "not valid JSON: NaN is not a JSON number"),
        ('{"n": ' + "9" * 5000 + "}", "not valid JSON: a number with more digits than any"),
        ('{"standard": {"version": null}}', "standard.version is missing; expected"),
    ],
    ids=["nan", "huge-number", "no-version"],
)
def test_json_problems_are_said_in_words(
    out: Path, capsys: pytest.CaptureFixture[str], text: str, said: str
) -> None:
    """Python's own words came through: `use sys.set_int_max_str_digits()`, `is None`; and
    NaN, which is not JSON, passed."""
    planted = out / "ninjs" / "planted.json"
    planted.write_text(text)
    status, err = validate(out, capsys)
    assert status == 1 and f"{planted}: error: {said}" in err, err
    assert "sys.set_int_max_str_digits" not in err and "None" not in err


def test_an_oversized_file_is_not_read(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    planted = out / "atom" / "huge.xml"
    with planted.open("wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: costs no disk
    status, err = validate(out, capsys)
    assert status == 1 and f"{planted}: error: 314,572,800 bytes" in err


def test_a_fifo_or_a_link_in_out_is_skipped_with_a_warning(out: Path, tmp_path: Path) -> None:
    """In a child process with a timeout: a FIFO that were opened would hang forever."""
    os.mkfifo(out / "atom" / "planted.xml")
    (out / "epub").mkdir()
    os.mkfifo(out / "epub" / "planted.epub")
    (out / "ninjs" / "elsewhere.json").symlink_to("/etc/hostname")
    run = subprocess.run(
        [sys.executable, "-m", "syndicate", "validate", "--outputs", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    for planted, kind in (
        ("atom/planted.xml", "a FIFO"),
        ("epub/planted.epub", "a FIFO"),
        ("ninjs/elsewhere.json", "a link"),
    ):
        assert f"{out / planted}: warning: {kind}, not a file: not checked" in run.stderr


def test_a_written_file_gone_or_replaced_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The build state says which files the last export wrote: one gone, or replaced by a
    folder, a link or a FIFO, is missing from the published site (it was an OK, or only a
    warning), and the next export restores it."""
    out = tmp_path / "out"
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        assert main(["export", "-q", "-f", "atom", "-f", "ninjs", "--out", str(out)]) == 0
    finally:
        os.chdir(cwd)
    (out / "atom/en.xml").unlink()
    (out / "atom/en.xml").mkdir()
    (out / "atom/fr.xml").unlink()
    os.mkfifo(out / "atom/fr.xml")
    (out / "atom/de.xml").unlink()
    (out / "atom/de.xml").symlink_to("/etc/hostname")
    (out / "atom/es.xml").unlink()
    status, err = validate(out, capsys)
    assert status == 1
    for path, now in (
        ("atom/en.xml", "is no longer a file"),
        ("atom/fr.xml", "is no longer a file"),
        ("atom/de.xml", "is no longer a file (a link)"),
        ("atom/es.xml", "is gone"),
    ):
        assert f"{out / path}: error: the last export wrote this file and it {now}" in err, err
    assert "[output.replaced]" in err and "out: atom, ninjs: not valid: 4 errors" in err


def test_files_of_a_format_no_longer_configured_are_a_warning(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A partner profile taken out of the configuration (or a plugin uninstalled) left its
    files in out/ for ever, with no word: no export updates or removes them any more."""
    config = site / "syndicate.yaml"
    plain = config.read_text(encoding="utf-8")
    config.write_text(plain + "profiles:\n  mine: {}\n  smartnews: {}\n", encoding="utf-8")
    out = site / "out"
    common = ["--config", str(config), "--out", str(out)]
    assert main(["export", "-q", "-f", "all", "--articles", str(site / "articles"), *common]) == 0
    assert (out / "partners" / "mine").is_dir() and (out / "partners" / "smartnews").is_dir()
    # A built-in profile is always installed: taken out of profiles:, only a run naming it
    # updates its files (`export --format smartnews`, as partners.md shows): they are
    # checked, and told of, not orphaned (no export would update them, that said).
    config.write_text(plain, encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--outputs", *common, "--articles", str(site / "articles")]) == 0
    err = capsys.readouterr().err
    assert (
        f"{out / 'partners' / 'mine'}: warning: 7 files an export wrote with a format that is"
        " not installed or configured now" in err
    )
    assert err.count("[output.orphaned]") == 1
    assert (
        f"{out / 'partners' / 'smartnews'}: warning: smartnews is not listed under profiles: in"
        " syndicate.yaml, so only export --format smartnews updates these files, not --format"
        " all (a kill still reaches them)" in err
    )
    assert err.count("[output.unlisted]") == 1
    assert "smartnews" in err.splitlines()[-1]  # checked with the site's formats
    assert "mine" not in err.splitlines()[-1]


def _orphan_mine(site: Path) -> tuple[list[str], dict[Path, bytes]]:
    """The sample site exported with a profile `mine` of its own, which is then taken out of
    the configuration: the common arguments, and the files of out/partners/mine."""
    config = site / "syndicate.yaml"
    plain = config.read_text(encoding="utf-8")
    config.write_text(plain + "profiles:\n  mine: {}\n", encoding="utf-8")
    out = site / "out"
    common = ["--config", str(config), "--out", str(out), "--articles", str(site / "articles")]
    assert main(["export", "-q", "-f", "all", *common]) == 0
    mine = {p: p.read_bytes() for p in (out / "partners" / "mine").rglob("*") if p.is_file()}
    config.write_text(plain, encoding="utf-8")
    return common, mine


def _cancel(site: Path) -> None:
    """The sample story canceled, as its version 2."""
    story = site / "articles" / SAMPLE_SLUG / "story.yaml"
    text = story.read_text(encoding="utf-8")
    text = text.replace("status: usable", "status: canceled").replace("version: 1", "version: 2")
    story.write_text(text, encoding="utf-8")


def test_a_kill_in_a_partial_run_leaves_a_format_no_longer_configured_alone(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story deleted, then `export -f atom`: the run widened to every format out/ holds,
    found files of one no longer configured (or a plugin uninstalled) still left out, and
    widened again, out of its handler: an `_Widen` traceback."""
    common, mine = _orphan_mine(site)
    out = site / "out"
    shutil.rmtree(site / "articles" / SAMPLE_SLUG)
    capsys.readouterr()
    # (the site's only story: taking it down is asked for, or the folder looks unmounted)
    # (published, but the folder no export updates still carries the story: exit status 3)
    assert main(["export", "-f", "atom", "--allow-deletions", *common]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and "[story.deleted]" in err, err
    assert f"error: the story {SAMPLE_SLUG} is deleted, but this folder" in err
    assert "so that reaches every file that carried it" in err
    assert not list(out.glob(f"html/{SAMPLE_SLUG}.*")), "the widened run took the pages out"
    assert {p: p.read_bytes() for p in mine} == mine, "no installed format writes these"


def test_a_kill_still_in_a_format_no_longer_configured_is_an_error(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story canceled, then `export -f atom --lang en`: the run widened to every format
    there is, but out/partners/mine (a profile taken out of profiles:) kept the story's
    headline and text, and the export said nothing of it."""
    common, mine = _orphan_mine(site)
    assert any(SAMPLE_SLUG.encode() in data for data in mine.values())
    _cancel(site)
    capsys.readouterr()
    assert main(["export", "-f", "atom", "--lang", "en", *common]) == 3
    err = capsys.readouterr().err
    folder = site / "out" / "partners" / "mine"
    assert "Traceback" not in err
    assert (
        f"{folder}: warning: 7 files an export wrote with a format that is not installed or"
        " configured now: no export updates or removes them, and partners may still fetch them;"
        " delete it, or install or configure mine again [output.orphaned]" in err
    ), err
    assert (
        f"{folder}: error: the story {SAMPLE_SLUG} is canceled, but this folder, which no export"
        " updates any more, still carries it" in err
    ), err
    assert "[output.orphaned-story]" in err
    assert "published, but a story taken down is still in partners/mine/" in err
    assert {p: p.read_bytes() for p in mine} == mine, "syndicate never deletes a format's folder"
    # The rest is published: the kill reached every format there is.
    assert "NATO" not in (site / "out" / "atom" / "en.xml").read_text(encoding="utf-8")
    assert any(b"NATO" in data for data in mine.values())


def test_a_format_no_longer_configured_is_told_at_every_export(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only `validate --outputs` said it; an export that changes nothing said nothing."""
    common, mine = _orphan_mine(site)
    for strict, status in (([], 0), ([], 0), (["--strict"], 3)):
        capsys.readouterr()
        assert main(["export", "-f", "all", *strict, *common]) == status
        err = capsys.readouterr().err
        assert err.count("[output.orphaned]") == 1, err
        assert "[output.orphaned-story]" not in err
    out = site / "out"  # (given as --out: named as given)
    assert f"published, but --strict: {out}/ still holds partners/mine/" in err
    assert {p: p.read_bytes() for p in mine} == mine


def test_a_folder_that_took_the_kill_before_it_was_orphaned_is_not_an_error(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kill notice carries the story's id and link, not its headline: a profile that had
    the kill before it was taken out of the configuration carries nothing to take down."""
    _cancel(site)
    common, mine = _orphan_mine(site)
    assert any(SAMPLE_SLUG.encode() in data for data in mine.values())  # the notice
    capsys.readouterr()
    for _ in range(2):
        assert main(["export", "-f", "all", *common]) == 0
        err = capsys.readouterr().err
        assert err.count("[output.orphaned]") == 1, err
        assert "[output.orphaned-story]" not in err, err


def test_a_story_deleted_is_looked_for_in_orphaned_folders_at_every_export(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deleted story is not read again: the state remembers what the folder carried when
    it was orphaned, so every export says so, until the folder is gone."""
    import contextlib
    import json
    import sqlite3

    from syndicate.build.engine import CACHE_ENV

    monkeypatch.delenv(CACHE_ENV, raising=False)  # the state beside syndicate.yaml

    def watched() -> list[str]:
        (state,) = site.rglob("state.sqlite")
        with contextlib.closing(sqlite3.connect(state)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'orphan_watch'").fetchone()
        return sorted(json.loads(row[0])) if row else []

    common, mine = _orphan_mine(site)
    shutil.rmtree(site / "articles" / SAMPLE_SLUG)
    folder = site / "out" / "partners" / "mine"
    # (a dry run says what the export would find: the error, status 2)
    assert main(["export", "-q", "-f", "all", "--allow-deletions", "--dry-run", *common]) == 2
    assert watched() == []  # a dry run writes nothing, the build state included
    capsys.readouterr()
    for _ in range(2):
        assert main(["export", "-f", "all", "--allow-deletions", *common]) == 3
        err = capsys.readouterr().err
        assert (
            f"{folder}: error: the story {SAMPLE_SLUG} is deleted, but this folder, which no"
            " export updates any more, still carries it" in err
        ), err
        assert err.strip().splitlines()[-1] == (
            "published, but a story taken down is still in partners/mine/, which no export"
            " updates: delete it, or configure its format again (exit status 3)"
        )
    assert {p: p.read_bytes() for p in mine} == mine
    assert watched() == ["partners/mine"]
    shutil.rmtree(folder)
    assert main(["export", "-f", "all", "--allow-deletions", *common]) == 0
    assert "[output.orphaned" not in capsys.readouterr().err
    assert watched() == []


def test_a_story_canceled_under_a_new_headline_is_still_found_in_an_orphaned_folder(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder is known to carry the story from when it was orphaned, by its id: a kill
    that also changes the headline is still told."""
    common, _ = _orphan_mine(site)
    assert main(["export", "-q", "-f", "all", *common]) == 0  # the folder's record is taken
    _cancel(site)
    en = site / "articles" / SAMPLE_SLUG / "en.md"
    body = en.read_text(encoding="utf-8")
    start = body.index("headline:")
    end = body.index("\n", start)
    en.write_text(body[:start] + 'headline: "CANCELED"' + body[end:], encoding="utf-8")
    capsys.readouterr()
    assert main(["export", "-f", "all", *common]) == 3
    err = capsys.readouterr().err
    assert f"the story {SAMPLE_SLUG} is canceled, but this folder" in err, err


def declaring(path: Path, method: int, uncompressed: int, compressed: int) -> Path:
    """A zip of nine members whose central directory declares each `uncompressed` bytes
    stored in `compressed` (what `validate --outputs` looks at before it reads a member)."""
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(9):
            archive.writestr(f"EPUB/images/photo-{n}.png", b"x" * 1024, compress_type=method)
    data = bytearray(path.read_bytes())
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        struct.pack_into("<II", data, start + 20, compressed, uncompressed)
        start += 4
    path.write_bytes(bytes(data))
    return path


def test_an_edition_of_stored_photos_over_512_mib_is_a_book_not_a_bomb(tmp_path: Path) -> None:
    """A day's edition carries its stories' photos (each story up to 64 MiB of them), stored
    as they are: nine stories of three 20 MB photos made a 548 MB edition, and `validate
    --outputs` called the book syndicate had just written not valid ("its members declare
    547,846,500 bytes uncompressed: over 536,870,912"), exit 1, and never ran EPUBCheck on
    it. Declaring as much as it stores, it is read at the cost of its size; deflated twenty
    times over that size, it is refused as a zip bomb."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.checking import MAX_BOOK_BYTES, open_zip

    each = 60 * 1024 * 1024
    assert 9 * each > MAX_BOOK_BYTES
    photos = declaring(tmp_path / "edition.epub", zipfile.ZIP_STORED, each, each)
    diags = Diagnostics()
    archive = open_zip(photos, diags)
    assert archive is not None and not list(diags), [d.format_text() for d in diags]
    archive.close()
    bomb = declaring(tmp_path / "bomb.epub", zipfile.ZIP_DEFLATED, each, 1024 * 1024)
    diags = Diagnostics()
    assert open_zip(bomb, diags) is None
    (problem,) = diags
    assert problem.code == "epub.zip" and "over 20 times what the zip stores" in problem.message


def test_a_bomb_whose_members_declare_their_compressed_size_as_large_is_refused(
    tmp_path: Path,
) -> None:
    """A member's compressed size is its own word: a planted book that lists one deflated
    member forty times, each declaring 60 MiB compressed as uncompressed, passed the ratio
    check (2.4 GB 'stored') and `validate --outputs` inflated 2.4 GB from a file of a few
    kilobytes. What deflated members declare is weighed against the file's size."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.checking import open_zip

    each = 60 * 1024 * 1024
    bomb = declaring(tmp_path / "bomb.epub", zipfile.ZIP_DEFLATED, each, each)
    assert bomb.stat().st_size < 64 * 1024
    diags = Diagnostics()
    assert open_zip(bomb, diags) is None
    (problem,) = diags
    assert problem.code == "epub.zip" and "over 20 times the file" in problem.message
