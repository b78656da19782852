"""A run that would change nothing is told from the last full run's fingerprint, before the
build state is loaded (`syndicate.build.unchanged`): it publishes nothing and says what a run
that loads the state says. Whatever such a run would notice takes it the usual way.

A run of syndicate's own formats looks before it loads them (`engine._look_before_loading`),
one with a format of its own once they are loaded: the tests taking the `way` fixture run
both ways."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import FIXED_NOW, REPO, SAMPLE_SLUG, plain_cover
from sites import generated_site

from syndicate.build import engine
from syndicate.build.engine import CACHE_ENV
from syndicate.build.publish import TRASH
from syndicate.build.state import BuildState
from syndicate.build.unchanged import span
from syndicate.cli import main
from syndicate.formats.epub.writer import EpubWriter
from syndicate.formats.registry import BUILTIN, Registry
from syndicate.model import StorySummary
from syndicate.readers import safefile

STORIES = 5


def _plain_epub() -> EpubWriter:
    return EpubWriter(covers=plain_cover)


WAYS: dict[str, Callable[[], Registry]] = {
    # A writer of the test's own: the formats are loaded before the look.
    "formats loaded": lambda: Registry({**BUILTIN, "epub": _plain_epub}),
    # The same writer declared syndicate's own, as the built-in formats are.
    "before loading": lambda: Registry({**BUILTIN, "epub": _plain_epub}, own=("epub",)),
}


class _Way:
    """The registry each run of a test takes (a new one each run: nothing loaded yet)."""

    registry = WAYS["formats loaded"]


@pytest.fixture(params=sorted(WAYS))
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(_Way, "registry", WAYS[request.param])
    return str(request.param)


@pytest.fixture(autouse=True)
def cache_in_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """The build state in the site's own `.syndicate/`, carried by a copy of the site."""
    monkeypatch.delenv(CACHE_ENV, raising=False)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site with a stray file in its articles folder (a warning on every run) and its
    first, full export."""
    root = generated_site(tmp_path_factory.mktemp("baseline") / "site", STORIES)
    (root / "articles" / "notes.txt").write_text("call back at 5\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(CACHE_ENV, raising=False)
        assert run(root) == 0
    return root


@pytest.fixture
def site(baseline: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(baseline, copy, copy_function=shutil.copy2)
    assert run(copy) == 0  # the copy's own paths (the state is kept by out/'s place)
    return copy


def run(
    site: Path,
    *extra: str,
    now: str = FIXED_NOW,
    out: Path | None = None,
    formats: tuple[str, ...] = ("all",),
) -> int:
    return main(_args(site, *extra, now=now, out=out, formats=formats), registry=_Way.registry())


def _args(
    site: Path,
    *extra: str,
    now: str = FIXED_NOW,
    out: Path | None = None,
    formats: tuple[str, ...] = ("all",),
) -> list[str]:
    args = ["export", "--now", now, "--out", str(out or site / "out"), *extra]
    args += [arg for name in formats for arg in ("-f", name)]
    return [*args, "--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the build states a run loads (the usual way)."""
    loaded: list[int] = []
    real = BuildState.__init__

    def counting(self: BuildState, *args: object, **kwargs: object) -> None:
        loaded.append(1)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(BuildState, "__init__", counting)
    return loaded


def tree(out: Path) -> dict[str, tuple[bytes, int, int]]:
    """Each file's bytes, inode and modification time."""
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".syndicate.lock"
    }


def assert_as_full(site: Path, tmp_path: Path, now: str = FIXED_NOW) -> None:
    full = tmp_path / "full"
    assert run(site, "--force", "-j", "1", now=now, out=full) == 0
    assert {p: v[0] for p, v in tree(site / "out").items()} == {
        p: v[0] for p, v in tree(full).items()
    }


def test_a_run_that_changes_nothing_loads_no_state_and_says_what_the_usual_way_says(
    site: Path,
    loads: list[int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    way: str,
) -> None:
    before = tree(site / "out")
    capsys.readouterr()
    assert run(site) == 0
    short = capsys.readouterr()
    assert loads == []
    assert tree(site / "out") == before
    monkeypatch.setattr(engine, "last_fingerprint", lambda folder: None)
    assert run(site) == 0
    usual = capsys.readouterr()
    assert loads == [1]
    assert tree(site / "out") == before
    assert (short.out, short.err) == (usual.out, usual.err)
    assert "[articles.stray-file]" in short.err
    assert "5 stories" in short.err and "(0 written, 153 unchanged, 0 removed)" in short.err


def test_texts_without_signatures_are_read_and_then_signed(
    site: Path, loads: list[int], monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """A text changed a moment before the last run had no signature: the run reads it,
    finds the same bytes, and keeps its signature in the fingerprint and in the story's
    record, so that no later run reads it, whichever way it takes."""
    reads: list[str] = []
    real = safefile.read_seen

    def counting(path: Path, *args: object, **kwargs: object) -> object:
        reads.append(path.name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("syndicate.readers.storyfiles.read_seen", counting)
    md = site / "articles" / "bench-000001" / "en.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    assert run(site) == 0  # the edit, read the usual way
    assert loads == [1]
    monkeypatch.setattr(safefile, "RACY_NS", 0)  # the edited text is old enough now
    reads.clear()
    assert run(site) == 0
    assert loads == [1] and "en.md" in reads
    reads.clear()
    assert run(site) == 0
    assert loads == [1] and reads == []
    monkeypatch.setattr(engine, "last_fingerprint", lambda folder: None)  # the usual way
    assert run(site) == 0
    assert loads == [1, 1] and reads == []


def test_a_run_that_takes_the_usual_way_lists_each_folder_once(
    site: Path, loads: list[int], monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """The folders the look for a run that changes nothing listed before it found the
    edit are not listed again by the usual way; the output is the same."""
    from syndicate.build.inputs import StoryInput

    listed: list[str] = []
    real = StoryInput.listing

    def counting(self: StoryInput) -> object:
        listed.append(self.name)
        return real(self)

    monkeypatch.setattr(safefile, "RACY_NS", 0)
    assert run(site) == 0  # every text old enough: signed
    monkeypatch.setattr(StoryInput, "listing", counting)
    assert run(site) == 0
    assert loads == [] and len(listed) == STORIES
    listed.clear()
    md = site / "articles" / "bench-000003" / "en.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    assert run(site) == 0
    assert loads == [1]
    assert sorted(listed) == sorted(set(listed))


@pytest.fixture
def formats_loaded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formats a run loads (imports and makes the writer of)."""
    loaded: list[str] = []
    real = Registry._load

    def counting(name: str, target: object) -> object:
        loaded.append(name)
        return real(name, target)  # type: ignore[arg-type]

    monkeypatch.setattr(Registry, "_load", staticmethod(counting))
    return loaded


def test_a_run_of_syndicate_s_own_formats_that_changes_nothing_loads_none(
    site: Path, formats_loaded: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Loading the formats' modules is a tenth of a run that changes nothing: with only
    syndicate's own formats (whose code is in the configuration's key) it looks before, and
    says the same; a format of the site's own is loaded first."""
    every = WAYS["before loading"]().defaults
    capsys.readouterr()
    assert main(_args(site), registry=WAYS["before loading"]()) == 0
    before = capsys.readouterr()
    assert formats_loaded == []
    assert main(_args(site), registry=WAYS["formats loaded"]()) == 0
    after = capsys.readouterr()
    assert sorted(formats_loaded) == sorted(every)
    assert (before.out, before.err) == (after.out, after.err)
    formats_loaded.clear()
    _edit(site)
    assert main(_args(site), registry=WAYS["before loading"]()) == 0
    assert sorted(formats_loaded) == sorted(every)


HEAVY = (
    "syndicate.model.story",
    "syndicate.model.body",
    "syndicate.model.summary",
    "syndicate.model.codec",
    "syndicate.readers.articles",
    "syndicate.readers.markdown",
    "syndicate.build.workers",
    "syndicate.build.executors",
    "syndicate.build.sources",
    "syndicate.build.dask_adapter",
    "jsonschema_rs",
    "lxml.etree",
    "PIL.Image",
    "multiprocessing",
    "socket",
    "ctypes",
)
"""What a run that changes nothing never needs: the story model and its reader, the workers
and their executors. Building their classes was a sixth of such a run's time. Nor what only
the workers (multiprocessing), a Dask scheduler's check (socket) and publishing (ctypes, for
`renameat2`) use: about 4 ms of such a run (docs/performance.md, "The thirty-fifth round")."""


def test_a_run_that_changes_nothing_imports_neither_the_model_nor_the_workers(
    site: Path, tmp_path: Path
) -> None:
    """Each run in a process of its own, as from cron: the first builds out/, the second finds
    nothing changed and imports none of `HEAVY`."""
    script = (
        "import sys\n"
        "from syndicate.cli import main\n"
        "status = main(sys.argv[1:])\n"
        f"print('loaded:', [m for m in {HEAVY!r} if m in sys.modules])\n"
        "sys.exit(status)\n"
    )
    args = _args(site, "-q", out=tmp_path / "fresh")
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert "syndicate.build.workers" in runs[0].stdout  # the first run built out/
    assert runs[1].stdout.splitlines()[-1] == "loaded: []"


def test_a_run_that_changes_nothing_resolves_no_story_s_path(
    site: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """Story folders and images that are no links are found from the articles folder's real
    path, one `lstat` a part (resolving each looked up every part from the root: a tenth of
    the run)."""
    resolved: list[Path] = []
    real = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        resolved.append(self)
        return real(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    assert run(site) == 0
    assert resolved  # (the configuration, its files, the articles folder)
    assert [p for p in resolved if "bench-" in str(p)] == []  # no story folder, no image


@pytest.mark.parametrize("change", ["edit", "bad option", "nothing"])
def test_what_earlier_runs_left_in_the_trash_is_gone_when_the_run_returns(
    change: str, site: Path, way: str
) -> None:
    """The look starts emptying the trash: a run that goes on takes it over and waits for
    it at its end, as one that stops at its options does; never a deletion left running.
    (A run stopped at its options before any look leaves the trash as it was.)"""
    (state,) = (site / ".syndicate" / "builds").glob("*/state.sqlite")
    left = state.parent / TRASH / "run-x" / "staging" / "html"
    left.mkdir(parents=True)
    (left / "old.html").write_text("<p>old</p>", encoding="utf-8")
    if change == "edit":
        _edit(site)
    elif change == "bad option":
        config = site / "syndicate.yaml"
        config.write_text(config.read_text(encoding="utf-8") + "feeds:\n  limit: many\n")
    assert run(site) == (2 if change == "bad option" else 0)
    kept = change == "bad option" and way == "formats loaded"
    assert (left / "old.html").exists() == kept
    assert (state.parent / TRASH / "run-x").exists() == kept


def _edit(site: Path) -> None:
    md = site / "articles" / "bench-000001" / "en.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")


def _image(site: Path) -> None:
    png = site / "articles" / "bench-000000" / "images" / "figure.png"
    png.write_bytes(png.read_bytes() + b"\0")


def _stray(site: Path) -> None:
    (site / "articles" / "todo.txt").write_text("check the quote\n", encoding="utf-8")


def _add(site: Path) -> None:
    new = site / "articles" / "bench-000099"
    shutil.copytree(site / "articles" / "bench-000001", new)
    meta = new / "story.yaml"
    text = meta.read_text(encoding="utf-8").replace("bench-000001", "bench-000099")
    meta.write_text(text, encoding="utf-8")


def _delete(site: Path) -> None:
    shutil.rmtree(site / "articles" / "bench-000001")


def _configure(site: Path) -> None:
    config = site / "syndicate.yaml"
    text = config.read_text(encoding="utf-8").replace("name: YCPress", "name: YC Press")
    config.write_text(text, encoding="utf-8")


def _touch_output(site: Path) -> None:
    (site / "out" / "model" / "bench-000002.json").write_bytes(b"{}")


def _delete_output(site: Path) -> None:
    (site / "out" / "html" / "bench-000002.fr.html").unlink()


def _pending(site: Path) -> None:
    """A publication left pending (`BuildState.pending`): the usual way completes it."""
    import sqlite3

    (state,) = (site / ".syndicate" / "builds").glob("*/state.sqlite")
    with sqlite3.connect(state) as db:
        db.execute("INSERT INTO meta VALUES ('pending', '{}')")


NOTICED: dict[str, Callable[[Path], None]] = {
    "edit": _edit,
    "image": _image,
    "stray file": _stray,
    "new story": _add,
    "deleted story": _delete,
    "configuration": _configure,
    "touched output": _touch_output,
    "deleted output": _delete_output,
    "pending publication": _pending,
}


@pytest.mark.parametrize("change", sorted(NOTICED))
def test_what_the_usual_way_notices_takes_it(
    change: str, site: Path, tmp_path: Path, loads: list[int], way: str
) -> None:
    NOTICED[change](site)
    assert run(site) == 0
    assert loads == [1]
    if change != "pending publication":  # (a journal planted by hand publishes nothing)
        assert_as_full(site, tmp_path)


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (["--lang", "en"], 0),
        (["--strict"], 2),  # the stray file's warning is an error then
        (["--force"], 0),
        (["--story", "bench-000001"], 0),
        (["--dry-run"], 0),
        (["--keep-going"], 0),
    ],
    ids=lambda r: " ".join(r) if isinstance(r, list) else str(r),
)
def test_another_request_takes_the_usual_way(
    request_: list[str], status: int, site: Path, loads: list[int], way: str
) -> None:
    assert run(site, *request_) == status
    assert loads == [1]


def test_some_formats_take_the_usual_way(site: Path, loads: list[int], way: str) -> None:
    assert run(site, formats=("atom", "html")) == 0
    assert loads == [1]


def test_a_now_across_a_story_s_time_window_takes_the_usual_way(
    site: Path, tmp_path: Path, loads: list[int], way: str
) -> None:
    """The stories were published in January 2020; the news sitemaps list two days of them.
    Any later `now` finds the same; one inside those days does not."""
    assert run(site, now="2027-06-01T00:00:00Z") == 0
    assert loads == []
    early = "2020-01-02T00:00:00Z"
    assert run(site, now=early) == 0
    assert loads == [1]
    assert_as_full(site, tmp_path, now=early)


def test_an_embargo_ending_takes_the_usual_way(
    site: Path, tmp_path: Path, loads: list[int], way: str
) -> None:
    meta = site / "articles" / "bench-000002" / "story.yaml"
    text = meta.read_text(encoding="utf-8") + "embargo_until: 2026-06-01T00:00:00Z\n"
    meta.write_text(text, encoding="utf-8")
    assert run(site) == 0
    assert run(site, now="2026-05-01T00:00:00Z") == 0  # still embargoed: nothing changes
    assert not (site / "out" / "html" / "bench-000002.en.html").exists()
    loads.clear()
    assert run(site, now="2026-05-02T00:00:00Z") == 0
    assert loads == []
    later = "2026-07-01T00:00:00Z"
    assert run(site, now=later) == 0
    assert loads == [1]
    assert (site / "out" / "html" / "bench-000002.en.html").exists()
    assert_as_full(site, tmp_path, now=later)


def _summary(published: datetime, embargo: datetime | None = None) -> StorySummary:
    from syndicate.model import SourceRef

    return StorySummary(
        id="s",
        slug="s",
        source=SourceRef("s/story.yaml", 1),
        original_lang="en",
        section="world",
        timezone="UTC",
        status="usable",
        version=1,
        published=published,
        updated=published,
        embargo_until=embargo,
        subjects=(),
        variants=(),
    )


def test_out_folder_tells_what_stat_ing_each_joined_path_tells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`OutFolder` looks files up from one descriptor of out/ (or, where the system takes no
    `dir_fd`, by their joined paths): the same answers either way, a missing out/ included."""
    import os

    from syndicate.build import state

    out = tmp_path / "out"
    (out / "html" / "media").mkdir(parents=True)
    (out / "html" / "a.html").write_text("a", encoding="utf-8")
    (out / "html" / "media" / "b.png").write_bytes(b"bb")
    (out / "linked.html").symlink_to("html/a.html")
    (out / "html" / "dir.html").mkdir()

    def recorded(path: str) -> tuple[int, int]:
        stat = os.stat(out / path)
        return stat.st_size, stat.st_mtime_ns

    cases = [(p, recorded(p)) for p in ("html/a.html", "html/media/b.png", "linked.html")]
    cases += [("html/a.html", (2, 0)), ("html/gone.html", (1, 0)), ("html/a.html", None)]
    cases += [("html/dir.html", recorded("html/dir.html"))]
    expected = [True, True, True, False, False, False, True]
    for dir_fd in (True, False):
        monkeypatch.setattr(state, "_DIR_FD", dir_fd)
        folder = state.OutFolder(out)
        assert [folder.intact(path, known) for path, known in cases] == expected
        folder.close()
        folder.close()  # (twice is harmless)
        missing = state.OutFolder(tmp_path / "nowhere")
        assert not missing.intact("html/a.html", recorded("html/a.html"))
        missing.close()


def test_the_span_is_bounded_by_the_nearest_moments_around_now() -> None:
    day = timedelta(days=1)
    now = datetime(2026, 1, 10, tzinfo=UTC)
    old = _summary(now - 5 * day)
    embargoed = _summary(now - 3 * day, embargo=now + 4 * day)
    assert span([old], [], now) == (now - 5 * day, None)
    assert span([old], [2 * day], now) == (now - 3 * day, None)
    # the embargoed story's window runs from the end of its embargo, when it reaches the public
    assert span([old, embargoed], [2 * day], now) == (now - 3 * day, now + 4 * day)
    assert span([old, embargoed], [2 * day], now + 5 * day) == (now + 4 * day, now + 6 * day)
    assert span([_summary(now)], [], now) is None  # a moment at now itself: no span


def test_a_story_held_until_the_calendar_ends_bounds_no_span(tmp_path: Path) -> None:
    """A story embargoed (or published) late in year 9999, which the reader takes, ended every
    export in an OverflowError: its window's end is past the calendar, a moment that never
    comes. End to end too: the sample held so exports with exit 0, and so does a second run."""
    day = timedelta(days=1)
    now = datetime(2026, 1, 10, tzinfo=UTC)
    last = datetime(9999, 12, 31, tzinfo=UTC)
    held = _summary(now - 3 * day, embargo=last)
    assert span([held], [365 * day], now) == (now - 3 * day, last)
    assert span([_summary(last)], [365 * day], now) == (None, last)

    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    meta = site / "articles" / SAMPLE_SLUG / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text + "embargo_until: 9999-12-31T00:00:00Z\n", encoding="utf-8")
    args = ["export", "-q", "-f", "all", "--config", str(site / "syndicate.yaml")]
    args += ["--articles", str(site / "articles"), "--out", str(site / "out")]
    assert main(args) == 0
    assert main(args) == 0


def test_a_translation_s_own_release_ends_a_no_op_s_span(tmp_path: Path) -> None:
    """A translation whose own `published` is ahead of the clock, in a version whose
    `updated` is later still (a `story.future-update` warning): the no-op's span ran to the
    update and took in the release, so the run after it kept the news sitemap without the
    translation's page, where a full export lists it. (A translation dated ahead is now a
    `story.language-ahead` error: the run before its release holds the story, exit 3, and
    the run after it must still list it as a full export does.)"""
    import shutil

    from conftest import SAMPLE_SLUG
    from sites import Site

    site = Site(tmp_path / "site")
    folder = site.articles / SAMPLE_SLUG
    french = (folder / "fr.md").read_text(encoding="utf-8")
    (folder / "fr.md").unlink()
    yaml = (folder / "story.yaml").read_text(encoding="utf-8")
    (folder / "story.yaml").write_text(
        "\n".join(line for line in yaml.split("\n") if not line.lstrip().startswith("fr: ")),
        encoding="utf-8",
    )

    def export(out: Path, now: str, *extra: str, status: int = 0) -> None:
        args = ["export", "-q", "--now", now, "--out", str(out), "-f", "all"]
        assert site.cli(*args, "--articles", str(site.articles), *extra) == status

    export(site.out, "2026-12-01T09:00:00Z")
    (folder / "fr.md").write_text(
        french.replace("headline:", "published: 2026-12-01T10:00:00Z\nheadline:", 1),
        encoding="utf-8",
    )
    yaml = (folder / "story.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("version: 1", "version: 2")
    (folder / "story.yaml").write_text(
        "\n".join(
            "updated: 2026-12-01T11:00:00Z" if line.startswith("updated:") else line
            for line in yaml.split("\n")
        ),
        encoding="utf-8",
    )
    export(site.out, "2026-12-01T09:00:00Z", "--keep-going", status=3)
    export(site.out, "2026-12-01T10:30:00Z")  # nothing edited: the clock passed the release
    fresh = tmp_path / "fresh"
    export(fresh, "2026-12-01T10:30:00Z", "--force")
    news = "sitemaps/news-fr.xml"
    assert (site.out / news).read_bytes() == (fresh / news).read_bytes()
    assert f"{SAMPLE_SLUG}.fr.html" in (site.out / news).read_text(encoding="utf-8")
    shutil.rmtree(fresh)
