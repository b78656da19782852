"""Shared fixtures: the sample articles, the ../shared folder, exports into temporary folders,
and golden-file comparison (`pytest --update-goldens` rewrites goldens; review the diff)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from syndicate.cli import main
from syndicate.config import SiteConfig, load_config
from syndicate.diagnostics import Diagnostics
from syndicate.model import Story
from syndicate.readers.articles import read_articles

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE_SLUG = "2021-02-18-nato-iraq-deployment"
FIXED_NOW = "2026-01-01T00:00:00Z"
"""The `--now` of every golden export: after the sample story's publication."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/golden/ from the current output",
    )


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


Exporter = Callable[..., Path]


@pytest.fixture
def export_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Exporter:
    """Run `syndicate export --format F ... --now FIXED_NOW` on the sample articles into a fresh
    out folder, from the repository root; returns the out folder."""
    monkeypatch.chdir(REPO)
    counter = iter(range(1000))

    def run(*formats: str, extra: tuple[str, ...] = (), now: str = FIXED_NOW) -> Path:
        out = tmp_path / f"out{next(counter)}"
        args = ["export", "--quiet", "--out", str(out), "--now", now, *extra]
        for fmt in formats:
            args += ["--format", fmt]
        status = main(args)
        assert status == 0, f"export {formats} exited {status}"
        return out

    return run


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
    assert got == want
    for rel in got:
        assert (actual / rel).read_bytes() == (golden / rel).read_bytes(), f"{rel} differs"


@pytest.fixture
def golden(update_goldens: bool) -> Callable[[Path, str], None]:
    """`golden(out / "atom", "atom")` compares a folder with tests/golden/atom/."""

    def check(actual: Path, name: str) -> None:
        assert_golden(actual, GOLDEN / name, update_goldens)

    return check
