"""Shared fixtures: the sample articles, the ../shared folder, exports into temporary folders,
and golden-file comparison (`pytest --update-goldens` rewrites goldens; review the diff)."""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from syndicate.build import export
from syndicate.build.engine import CACHE_ENV
from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import AnyWriter
from syndicate.formats.epub.cover import HEIGHT, THUMBNAIL_WIDTH, WIDTH, Cover, CoverText
from syndicate.formats.epub.writer import EpubWriter
from syndicate.formats.registry import BUILTIN, Registry
from syndicate.model import Byline, Person, SiteConfig, Story
from syndicate.readers.articles import read_articles
from syndicate.readers.config import load_config

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE_SLUG = "2021-02-18-nato-iraq-deployment"
FIXED_NOW = "2026-01-01T00:00:00Z"
"""The `--now` of every golden export: after the sample story's publication."""
SAMPLE_IMAGE = f"{SAMPLE_SLUG}/nato-iraq-mission.png"
"""The sample story's picture, as `media/` holds it."""
SAMPLE_V = "?v=be9dd0fa012a"
"""What every URL of the sample's picture ends in: the first 12 hex digits of its bytes'
SHA-256 (`Image.digest`), so that a photo replaced in place gets a new URL."""
LOGO_V = "?v=cb96f201beb2"
"""What every URL of the sample's logo (`articles/_site/logo.png`) ends in, and of the copies
drawn from it (the Atom feeds' `atom/logo.png`): its digest, as a story image's."""
ICON_V = "?v=522e1e09f979"
"""The same for the sample's icon, and for the RSS feeds' `rss/logo.png` drawn from it (the
logo is too flat at RSS's width)."""


@functools.cache
def plain_cover(text: CoverText, font_dirs: Sequence[str]) -> Cover:
    """A blank cover of the real sizes, for the many exports whose tests do not look at covers
    (drawing and encoding real ones is most of an EPUB export's time)."""

    def png(width: int, height: int) -> bytes:
        buffer = io.BytesIO()
        Image.new("L", (width, height), 250).save(buffer, format="PNG")
        return buffer.getvalue()

    return Cover(png(WIDTH, HEIGHT), png(THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * HEIGHT // WIDTH))


PLAIN_COVERS = Registry({**BUILTIN, "epub": lambda: EpubWriter(covers=plain_cover)})
"""The built-in formats, the EPUB books with blank covers."""


def export_stories(
    stories: Sequence[Story],
    config: SiteConfig,
    *writers: AnyWriter | str,
    now: datetime | str = FIXED_NOW,
    languages: Sequence[str] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[dict[str, bytes], Diagnostics]:
    """The build engine on stories already in memory (as the Python API takes them), into a
    temporary out/: the files it published (none when it reported an error) and its
    diagnostics. `options` are sections of syndicate.yaml, e.g. `{"feeds": {"limit": 2}}`.
    A format exported alone links to pages and books it does not make: those warnings
    (`export.dead-link`, see test_partial_runs.py) are about the harness, and left out."""
    table: dict[str, Any] = dict(BUILTIN)
    names = []
    for writer in writers:
        if isinstance(writer, str):
            names.append(writer)
        else:
            table[writer.name] = lambda made=writer: made
            names.append(writer.name)
    if options:
        config = dataclasses.replace(config, sections={**config.sections, **options})
    when = datetime.fromisoformat(now) if isinstance(now, str) else now
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        result = export(
            formats=names,
            stories=stories,
            config=config,
            out=out,
            now=when,
            languages=languages,
            registry=Registry(table),
        )
        files = {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }
    kept = Diagnostics()
    kept.extend(d for d in result.diagnostics if d.code != "export.dead-link")
    return files, kept


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/golden/ from the current output",
    )


@pytest.fixture(scope="session", autouse=True)
def build_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Exports keep their build state in one temporary cache folder, never in the
    repository's `.syndicate/` (tests of the default place unset SYNDICATE_CACHE_DIR)."""
    cache = tmp_path_factory.mktemp("syndicate-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(cache))
        yield cache


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """`path` (a file or a folder) read-only for this process, whoever runs the tests: its
    write permissions taken away, and, as root (whom they do not stop; CI runs as root),
    the file made immutable (`chattr +i`, which binds root too)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", path], capture_output=True).returncode:
        if os.environ.get("CI"):
            pytest.fail(f"chattr +i {path}: needed in CI to make a file read-only for root")
        pytest.skip("running as root, and chattr +i does not work here")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", path], check=True)


def calibre_tool(name: str) -> str:
    """The path of one of calibre's commands (`ebook-meta`, `ebook-convert`, `calibredb`):
    required in CI, where `.ci/setup test` installs Debian's calibre; elsewhere a test
    without it skips."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} (calibre) is required in CI: .ci/setup test installs it")
        pytest.skip("calibre is not installed (apt-get install calibre)")
    return found


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (schemas, validators). Tests may skip without it only outside CI."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is required in CI")
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def site_config() -> SiteConfig:
    diags = Diagnostics()
    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None, [d.format_text() for d in diags]
    return config


@pytest.fixture(scope="session")
def sample_stories(site_config: SiteConfig) -> list[Story]:
    diags = Diagnostics()
    stories = read_articles(REPO / "articles", site_config, diags)
    assert not diags.errors, [d.format_text() for d in diags]
    return stories


@pytest.fixture(scope="session")
def sample_story(sample_stories: list[Story]) -> Story:
    return next(s for s in sample_stories if s.slug == SAMPLE_SLUG)


@pytest.fixture(scope="session")
def sample_books(
    tmp_path_factory: pytest.TempPathFactory, site_config: SiteConfig, sample_story: Story
) -> dict[str, Path]:
    """The books the external readers check (calibre, EPUBCheck), written once a session:
    every book of the sample (`export --format epub`), by stem (`<slug>.<lang>`,
    `edition-<lang>`), and an Arabic edition of several stories in several sections
    (`test_epub_editions.several_stories`) as `many/edition-ar`. Read them, never change them:
    they are shared."""
    from test_epub import export_epub
    from test_epub_editions import edition_files, several_stories

    out = export_epub(tmp_path_factory.mktemp("books") / "out")
    paths = {path.stem: path for path in sorted((out / "epub").glob("*.epub"))}
    many = edition_files(several_stories(sample_story), site_config, langs=("ar",))
    assert list(many) == ["edition-ar.epub"], list(many)
    for name, data in many.items():
        path = out / "many" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        paths[f"many/{path.stem}"] = path
    return paths


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the sample site (syndicate.yaml and articles/) in a temporary folder."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "articles", root / "articles")
    shutil.copy(REPO / "syndicate.yaml", root / "syndicate.yaml")
    return root


Exporter = Callable[..., Path]


@pytest.fixture
def export_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Exporter:
    """Run `syndicate export --format F ... --now FIXED_NOW` on the sample articles into a fresh
    out folder, from the repository root; returns the out folder. `extra` may name another
    configuration (`--config FILE`): the articles are still the sample's."""
    monkeypatch.chdir(REPO)
    counter = iter(range(1000))

    def run(*formats: str, extra: tuple[str, ...] = (), now: str = FIXED_NOW) -> Path:
        out = tmp_path / f"out{next(counter)}"
        args = ["export", "--quiet", "--out", str(out), "--now", now, *extra]
        args += ["--articles", str(REPO / "articles")]
        for fmt in formats:
            args += ["--format", fmt]
        status = main(args, registry=PLAIN_COVERS)
        assert status == 0, f"export {formats} exited {status}"
        return out

    return run


@pytest.fixture
def library_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names `ctypes.util.find_library` is asked for during the test (on Linux it runs
    `ldconfig -p` in a process of its own: the fast paths must not ask it)."""
    import ctypes.util

    asked: list[str] = []
    find = ctypes.util.find_library

    def finding(name: str) -> str | None:
        asked.append(name)
        return find(name)

    monkeypatch.setattr(ctypes.util, "find_library", finding)
    return asked


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def assert_golden(actual: Path, golden: Path, update: bool) -> None:
    """Compare every file under `actual` with the tree `golden`, byte for byte."""
    if update:
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(actual, golden)
        return
    assert golden.is_dir(), f"no goldens at {golden}; run pytest --update-goldens and review"
    got = sorted(p.relative_to(actual) for p in actual.rglob("*") if p.is_file())
    want = sorted(p.relative_to(golden) for p in golden.rglob("*") if p.is_file())
    assert got == want, f"files differ from the goldens in {golden}:\n" + "\n".join(
        difflib.unified_diff([str(p) for p in want], [str(p) for p in got], "golden", "actual")
    )
    for rel in got:
        expected, data = (golden / rel).read_bytes(), (actual / rel).read_bytes()
        assert data == expected, (
            f"{rel} differs from its golden:\n{explain_difference(expected, data, rel)}"
        )


def explain_difference(expected: bytes, actual: bytes, name: Path | str) -> str:
    """A unified diff of two texts, or for bytes that are not text their sizes and the first
    differing offset."""
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        offset = next(
            (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
            min(len(expected), len(actual)),
        )
        sizes = f"{len(expected)} bytes expected, {len(actual)} got"
        return f"binary: {sizes}; first difference at byte {offset}"
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        f"golden/{name}",
        f"actual/{name}",
    )
    return "".join(diff)


@pytest.fixture
def golden(update_goldens: bool) -> Callable[[Path, str], None]:
    """`golden(out / "atom", "atom")` compares a folder with tests/golden/atom/."""

    def check(actual: Path, name: str) -> None:
        assert_golden(actual, GOLDEN / name, update_goldens)

    return check


MIXED_BYLINE = Byline(
    (
        Person("Marie Curie", "correspondent"),
        Person("Paul Valery", "photographer", "https://ycpress.example/pv"),
        Person("Ana Lima", "translator"),
        Person("Jo Park", "Photo editor"),
    )
)
"""An author, a photographer, a translator and a photo editor: the byline the formats' role
tests share (each format credits them its own way)."""


def with_byline(story: Story, byline: Byline) -> Story:
    """The story with one byline in every language."""
    variants = tuple(dataclasses.replace(v, byline=byline) for v in story.variants)
    return dataclasses.replace(story, variants=variants)
