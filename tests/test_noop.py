"""What a no-op export skips, and that each shortcut still notices what it must: the site
configuration's schema check remembered for the exact text found valid (an edited
configuration, other code or other installed packages check it again, with the same
messages), and the plugin scan skipped only when no installed distribution can declare a
writer."""

from __future__ import annotations

import importlib.metadata
import io
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from PIL import Image

from syndicate.diagnostics import Diagnostics
from syndicate.formats import registry as registry_module
from syndicate.readers import config as config_module
from syndicate.readers import safefile
from syndicate.readers.config import SchemaVerdict, load_config


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "articles" / "_site", root / "articles" / "_site")
    text = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (root / "syndicate.yaml").write_text(text, encoding="utf-8")
    (root / ".syndicate").mkdir()
    return root


def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the schema checks load_config runs."""
    calls: list[int] = []
    real = config_module.check

    def check(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(config_module, "check", check)
    return calls


def load(site: Path, code: str = "code") -> tuple[object, list[str]]:
    diags = Diagnostics()
    verdict = SchemaVerdict(site / ".syndicate", code)
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", diags, verdict=verdict)
    return config, [d.format_text() for d in diags]


def test_a_valid_configuration_is_checked_once(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counted(monkeypatch)
    first, first_messages = load(site)
    again, messages = load(site)
    assert first is not None and again == first and messages == first_messages
    assert len(calls) == 1
    assert (site / ".syndicate" / SchemaVerdict.FILE).is_file()


def test_a_verdict_saved_once_is_not_written_again(site: Path) -> None:
    """The engine saves the verdict again once it has made the cache folder (a site's first
    export): when load_config saved it already, that second save writes nothing."""
    diags = Diagnostics()
    verdict = SchemaVerdict(site / ".syndicate", "code")
    assert load_config(site / "syndicate.yaml", "syndicate.yaml", diags, verdict=verdict)
    path = site / ".syndicate" / SchemaVerdict.FILE
    before = path.stat().st_ino
    verdict.save()
    assert path.stat().st_ino == before


def test_an_edited_configuration_is_checked_again_and_its_error_shown_at_its_line(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counted(monkeypatch)
    assert load(site)[0] is not None
    path = site / "syndicate.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, "colour: blue", ""]), encoding="utf-8")
    plain = Diagnostics()
    assert load_config(path, "syndicate.yaml", plain) is None
    expected = [d.format_text() for d in plain]
    assert expected[0].startswith(f"syndicate.yaml:{len(lines) + 1}: error: colour: ")
    for _ in range(2):  # a configuration with problems is checked (and reported) every time
        config, messages = load(site)
        assert config is None and messages == expected
    assert len(calls) == 4
    # Put back as it was: still the text remembered as valid (problems are never remembered).
    path.write_text("\n".join([*lines, ""]), encoding="utf-8")
    assert load(site)[0] is not None
    assert len(calls) == 4
    path.write_text("\n".join([*lines, "# fixed", ""]), encoding="utf-8")  # new text: checked
    assert load(site)[0] is not None and load(site)[0] is not None
    assert len(calls) == 5


def test_warnings_of_the_other_checks_are_given_on_every_run(site: Path) -> None:
    path = site / "syndicate.yaml"
    text = path.read_text(encoding="utf-8")
    assert "languages: [" in text
    path.write_text(text.replace("languages: [", "languages: [sw, ", 1), encoding="utf-8")
    runs = [load(site) for _ in range(3)]
    assert all(config is not None for config, _ in runs)
    assert all(messages == runs[0][1] for _, messages in runs)
    assert any("no terms for 'sw'" in m for m in runs[0][1])


@pytest.mark.parametrize("change", ["code", "installed", "damaged", "no-cache"])
def test_the_check_runs_again_when_what_it_depends_on_changed(
    change: str, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counted(monkeypatch)
    assert load(site)[0] is not None
    code = "code"
    if change == "code":
        code = "other code"
    elif change == "installed":
        monkeypatch.setattr(config_module, "_installed", lambda: ["jsonschema-99.dist-info"])
    elif change == "damaged":
        (site / ".syndicate" / SchemaVerdict.FILE).write_bytes(b"\xff\x00")
    else:
        shutil.rmtree(site / ".syndicate")
    assert load(site, code)[0] is not None
    assert len(calls) == 2
    assert (site / ".syndicate" / SchemaVerdict.FILE).is_file() == (change != "no-cache")


def test_the_installed_list_is_the_same_however_the_process_was_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m` puts the working folder first on `sys.path`, a script its own folder, a
    pool's worker neither: folders without a distribution add nothing to what the checks'
    keys hold, so a check passed in one process is known in the others."""
    code = tmp_path / "scripts"
    code.mkdir()
    (code / "tool.py").write_text("print()\n")
    monkeypatch.chdir(code)  # "" on sys.path: the working folder
    installed = [entry for entry in sys.path if entry not in ("", ".", os.getcwd())]
    monkeypatch.setattr(sys, "path", installed)
    before = config_module._installed()
    monkeypatch.setattr(sys, "path", [str(code), "", *installed])
    assert config_module._installed() == before
    (code / "extra-1.0.dist-info").mkdir()
    again = [str(code), "extra-1.0.dist-info"]
    assert config_module._installed() == [*again, *again, *before]


def test_an_export_remembers_the_check_and_notices_an_edit(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from syndicate.build.engine import CACHE_ENV
    from syndicate.cli import main

    monkeypatch.delenv(CACHE_ENV, raising=False)
    shutil.copytree(REPO / "articles", site / "articles", dirs_exist_ok=True)
    args = ["export", "-q", "-f", "sitemap", "--now", "2026-01-01T00:00:00Z"]
    args += ["--config", str(site / "syndicate.yaml"), "--out", str(tmp_path / "out")]
    args += ["--articles", str(site / "articles")]
    calls = counted(monkeypatch)
    shutil.rmtree(site / ".syndicate")  # a site's first export: it makes the cache folder
    assert main(args) == 0 and main(args) == 0
    assert len(calls) == 1
    path = site / "syndicate.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, "colour: blue", ""]), encoding="utf-8")
    capsys.readouterr()
    assert main(args) != 0
    err = capsys.readouterr().err
    assert f"syndicate.yaml:{len(lines) + 1}: error: colour: expected fields" in err


def test_no_plugin_scan_only_when_no_distribution_can_declare_a_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = registry_module.ENTRY_POINT_GROUP
    declared = importlib.metadata.entry_points(group=group)
    before = registry_module.may_declare(group)
    assert before or not declared  # False only when importlib.metadata would find none
    assert registry_module.may_declare("console_scripts")  # syndicate's own command
    info = tmp_path / "partner_writer-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: partner-writer\nVersion: 1.0\n")
    monkeypatch.setattr(sys, "path", [*sys.path, str(tmp_path)])
    assert registry_module.may_declare(group) == before  # no entry points: nothing new
    (info / "entry_points.txt").write_text(f"[{group}]\npartner = partner_writer:Writer\n")
    assert registry_module.may_declare(group)
    names = [ep.name for ep in registry_module.entry_points(group=group)]
    assert "partner" in names
    monkeypatch.setattr(sys, "path", [*sys.path, str(tmp_path / "plugins.zip")])
    (tmp_path / "plugins.zip").write_bytes(b"")
    (info / "entry_points.txt").unlink()
    assert registry_module.may_declare(group)  # a zip on the path: importlib.metadata decides


@pytest.mark.parametrize("bad", ["[1, ", "{}", 5, 1.5, None, b"\xff\xfe", "[[1, 2]]", '["a"]'])
@pytest.mark.parametrize(
    "column",
    [
        "units.paths",
        "units.diagnostics",
        "units.parts",
        "stories.summary",
        "stories.seen",
        "stories.checked",
    ],
)
def test_damaged_records_read_as_json_loads_read_them(
    column: str, bad: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state's records are decoded with msgspec: whatever a damaged row holds, the state
    reads it as it did with json.loads (discarded with a note, or the same values)."""
    import json
    import sqlite3

    from syndicate.build import state as state_module
    from syndicate.build.state import STATE_FILE, BuildState

    folder = tmp_path / "state"
    BuildState(tmp_path / "out", folder).close()
    table, field = column.split(".")
    db = sqlite3.connect(folder / STATE_FILE)
    try:
        with db:
            if table == "units":
                db.execute("INSERT INTO units VALUES ('k', '[]', '[]', '[]', '[]')")
            else:
                db.execute(
                    "INSERT INTO stories VALUES ('k', 's', '{}', '[]', '[]', '[]', '', '[]')"
                )
            db.execute(f"UPDATE {table} SET {field} = ?", (bad,))
    except sqlite3.IntegrityError:
        assert bad is None  # a NOT NULL column: the damage cannot happen
        return
    finally:
        db.close()

    def read() -> tuple[list[str], object, object]:
        state = BuildState(tmp_path / "out", folder)
        try:
            return state.notes, state._units.get("k"), state.story("k")
        finally:
            state.close()

    fast = read()
    monkeypatch.setattr(state_module, "_decode", json.loads)
    assert fast == read()


def test_the_logo_and_icon_are_decoded_again_only_when_their_bytes_change(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[int] = []
    real = config_module.inspect_image

    def inspect(data: bytes) -> object:
        decoded.append(len(data))
        return real(data)

    monkeypatch.setattr(config_module, "inspect_image", inspect)
    assert load(site)[0] is not None
    first = len(decoded)
    assert first >= 1
    assert load(site)[0] is not None
    assert len(decoded) == first  # nothing decoded again
    config, _ = load(site)
    logo = Path(config.publisher.logo)  # type: ignore[attr-defined]
    good = logo.read_bytes()
    logo.write_bytes(good[: len(good) // 2])  # a cut image: an error, on every run
    plain = Diagnostics()
    assert load_config(site / "syndicate.yaml", "syndicate.yaml", plain) is None
    expected = [d.format_text() for d in plain]
    assert any("publisher logo" in m for m in expected)
    for _ in range(2):
        config, messages = load(site)
        assert config is None and messages == expected
    # Put back: the failed runs saved nothing, the file still holds the last good run's checks.
    logo.write_bytes(good)
    decoded.clear()
    assert load(site)[0] is not None
    assert decoded == []
    keys = (site / ".syndicate" / SchemaVerdict.FILE).read_text().split()
    assert len(keys) == 1 + first  # the configuration's text and each image, nothing more


STORY = "2021-02-18-nato-iraq-deployment"
PICTURE = f"{STORY}/images/nato-iraq-mission.png"


def image_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The images the story reader opens or hashes, by name (the texts are not counted)."""
    from syndicate.readers import storyfiles

    opened: list[str] = []
    for name in ("read_seen", "digest_seen"):
        real = getattr(storyfiles, name)

        def spy(path: Path, *args: object, _real: Any = real, **kwargs: object) -> object:
            if not path.name.endswith((".md", ".yaml")):
                opened.append(path.name)
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(storyfiles, name, spy)
    return opened


def solid_png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), colour).save(out, "PNG")
    return out.getvalue()


def export_site(site: Path, out: Path) -> None:
    from syndicate.cli import main

    args = ["export", "-q", "-f", "html", "--now", "2026-01-01T00:00:00Z", "--executor", "serial"]
    args += ["--config", str(site / "syndicate.yaml"), "--out", str(out)]
    assert main([*args, "--articles", str(site / "articles")]) == 0


def test_an_image_whose_signature_is_unchanged_is_not_read_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Device, inode, size and both times as recorded: the recorded SHA-256 is taken as it is
    (a no-op of a large archive reads no picture); a rewrite of the same size with its old
    modification time back still moves the change time, and the image is read again."""
    from syndicate.build.engine import CACHE_ENV

    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setattr(safefile, "RACY_NS", 0)  # no file here is old enough otherwise
    shutil.copytree(REPO / "articles", site / "articles", dirs_exist_ok=True)
    picture = site / "articles" / PICTURE
    picture.write_bytes(solid_png((10, 20, 30)))
    out = tmp_path / "out"
    opened = image_reads(monkeypatch)
    export_site(site, out)
    assert opened == ["nato-iraq-mission.png"]  # read once, by the reader
    opened.clear()
    export_site(site, out)
    assert opened == []
    # The same size, the same modification time, other pixels.
    before = picture.stat()
    other = solid_png((30, 20, 10))
    assert len(other) == before.st_size
    picture.write_bytes(other)
    os.utime(picture, ns=(before.st_atime_ns, before.st_mtime_ns))
    export_site(site, out)
    assert "nato-iraq-mission.png" in opened
    published = out / "html" / "media" / STORY / "nato-iraq-mission.png"
    assert published.read_bytes() == other


def test_a_file_changed_within_the_racy_window_has_no_signature(tmp_path: Path) -> None:
    """A write in the same tick of the file system's clock would leave the same times: a file
    changed less than RACY_NS ago is read on every run until it is older."""
    path = tmp_path / "fresh.png"
    path.write_bytes(solid_png((1, 2, 3)))
    assert safefile.signature(path.stat()) is None
    old = time.time_ns() - 2 * safefile.RACY_NS
    os.utime(path, ns=(old, old))  # the change time stays now
    assert safefile.signature(path.stat()) is None
    status = path.stat()
    later = os.stat_result(
        (*status[:7], status.st_atime, status.st_mtime, status.st_ctime - 10),
        {"st_mtime_ns": old, "st_ctime_ns": old, "st_atime_ns": old},
    )
    assert safefile.signature(later) == ":".join(
        str(n) for n in (status.st_dev, status.st_ino, status.st_size, old, old)
    )


def test_the_racy_window_is_the_file_systems_tick(tmp_path: Path) -> None:
    """A file system that keeps only whole seconds (FAT, HFS+) may give a write up to a
    second or two later the same times: a signature is trusted `RACY_NS` after the change.
    One that keeps finer times (its change time has a fraction of a second) ticks at least
    every 10 ms: the signature is trusted a tenth of a second after the change."""
    path = tmp_path / "story.md"
    path.write_text("A story.\n", encoding="utf-8")
    status = path.stat()

    def changed(ago_ns: int, whole_seconds: bool) -> os.stat_result:
        at = time.time_ns() - ago_ns
        if whole_seconds:
            at -= at % 1_000_000_000  # up to a second earlier, in whole seconds
        elif at % 1_000_000_000 == 0:
            at -= 1  # a fraction of a second
        seconds = at / 1e9
        return os.stat_result(
            (*status[:7], seconds, seconds, seconds),
            {"st_mtime_ns": at, "st_ctime_ns": at, "st_atime_ns": at},
        )

    fine = safefile.RACY_NS // safefile.FINE_SHARE
    assert fine == 100_000_000
    assert safefile.signature(changed(fine // 2, whole_seconds=False)) is None
    assert safefile.signature(changed(2 * fine, whole_seconds=False)) is not None
    # 0.2 to 1.2 s ago, in whole seconds: inside RACY_NS
    assert safefile.signature(changed(2 * fine, whole_seconds=True)) is None
    assert safefile.signature(changed(safefile.RACY_NS, whole_seconds=True)) is not None


def text_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The story texts (`story.yaml`, the language files) the story reader reads, by name."""
    from syndicate.readers import storyfiles

    read: list[str] = []
    real = storyfiles.read_seen

    def spy(path: Path, *args: object, **kwargs: object) -> object:
        if path.name.endswith((".md", ".yaml")):
            read.append(path.name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(storyfiles, "read_seen", spy)
    return read


def test_a_story_whose_texts_have_their_signatures_is_not_read_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder's listing and each text file's device, inode, size and both times as the
    last run saw them: the texts are not read (a no-op of a large archive reads no story);
    a text rewritten with the same size and its old modification time back still moves the
    change time, and the story is read again and published with its change."""
    from syndicate.build.engine import CACHE_ENV

    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setattr(safefile, "RACY_NS", 0)  # no file here is old enough otherwise
    shutil.copytree(REPO / "articles", site / "articles", dirs_exist_ok=True)
    en = site / "articles" / STORY / "en.md"
    out = tmp_path / "out"
    read = text_reads(monkeypatch)
    export_site(site, out)
    assert "en.md" in read and "story.yaml" in read
    read.clear()
    export_site(site, out)
    assert read == []
    # The same size, the same modification time, another word.
    before = en.stat()
    text = en.read_text(encoding="utf-8")
    assert "NATO" in text
    en.write_text(text.replace("NATO", "OTAN", 1), encoding="utf-8")
    os.utime(en, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert en.stat().st_size == before.st_size
    export_site(site, out)
    assert "en.md" in read
    page = (out / "html" / f"{STORY}.en.html").read_text(encoding="utf-8")
    assert "OTAN" in page


def test_a_story_folder_with_a_new_file_is_read_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing is part of what the signatures tell: an entry added to the folder (here a
    folder of notes the reader does not use) makes the run read the story, whose output stays
    the same; the next run reads nothing again."""
    from syndicate.build.engine import CACHE_ENV

    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setattr(safefile, "RACY_NS", 0)
    shutil.copytree(REPO / "articles", site / "articles", dirs_exist_ok=True)
    out = tmp_path / "out"
    read = text_reads(monkeypatch)
    export_site(site, out)
    page = (out / "html" / f"{STORY}.en.html").read_bytes()
    read.clear()
    (site / "articles" / STORY / "notes").mkdir()
    (site / "articles" / STORY / "notes" / "call.txt").write_text("at 5\n", encoding="utf-8")
    export_site(site, out)
    assert "en.md" in read
    assert (out / "html" / f"{STORY}.en.html").read_bytes() == page
    read.clear()
    export_site(site, out)
    assert read == []


def test_texts_changed_a_moment_ago_are_read_on_every_run(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text changed less than `RACY_NS` ago has no signature: its story is read again on
    each run until the file is older (a write in the same tick of the file system's clock
    would leave the same times)."""
    from syndicate.build.engine import CACHE_ENV

    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setattr(safefile, "RACY_NS", 3_600 * 10**9)
    shutil.copytree(REPO / "articles", site / "articles", dirs_exist_ok=True)
    out = tmp_path / "out"
    read = text_reads(monkeypatch)
    export_site(site, out)
    read.clear()
    export_site(site, out)
    assert "en.md" in read
