"""Render the English and Arabic pages in headless Chromium: the page draws, its images load,
and the Arabic page is laid out right to left."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_SLUG
from PIL import Image, ImageChops, ImageStat

WIDTH, HEIGHT = 1280, 1800
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def chromium() -> str:
    """The browser; CI must have it (Debian package `chromium`)."""
    found = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("chromium is not installed")
    return found


def stop_browser(browser: subprocess.Popen[bytes]) -> None:
    """Stops Chromium, started with `start_new_session=True`, and every process it started:
    stopping only the main one leaves helpers writing into the profile folder while the test
    removes it ("Directory not empty")."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(browser.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        browser.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(browser.pid, signal.SIGKILL)
    browser.wait(30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # helpers exit a moment after the leader
        try:
            os.killpg(browser.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def screenshot(chromium: str, page: Path, target: Path) -> Image.Image:
    with tempfile.TemporaryDirectory() as profile:
        browser = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={target}",
                f"--window-size={WIDTH},{HEIGHT}",
                page.as_uri(),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            output, _ = browser.communicate(timeout=180)
        finally:
            stop_browser(browser)
        assert browser.returncode == 0, f"chromium failed: {output.decode(errors='replace')}"
    return Image.open(target).convert("RGB")


def ink_centre(image: Image.Image, top: int, bottom: int) -> float:
    """Horizontal centre of the non-white pixels in a band, from 0 (left) to 1 (right)."""
    band = image.crop((0, top, image.width, bottom)).convert("L")
    ink = band.point(lambda v: 255 if v < 160 else 0)
    columns = list(ink.resize((band.width, 1), Image.Resampling.BOX).tobytes())
    total = sum(columns)
    assert total, "nothing drawn in this band"
    return sum(x * c for x, c in enumerate(columns)) / total / band.width


@pytest.mark.slow
def test_pages_render_in_chromium(export_sample: Any, chromium: str, tmp_path: Path) -> None:
    out = export_sample("html")
    shots = {
        lang: screenshot(
            chromium, out / "html" / f"{SAMPLE_SLUG}.{lang}.html", tmp_path / f"{lang}.png"
        )
        for lang in ("en", "ar")
    }
    for lang, image in shots.items():
        assert image.size == (WIDTH, HEIGHT), lang
        assert max(ImageStat.Stat(image).stddev) > 20, f"{lang}: the page looks blank"
        # The chart (navy bars) is drawn: the image URL resolved.
        navy = Image.new("RGB", image.size, (0x1F, 0x3A, 0x5F))
        distance = ImageChops.difference(image, navy).convert("L")
        assert sum(distance.histogram()[:24]) > 5000, f"{lang}: the chart did not load"
    # The headline band: English starts at the left of the column, Arabic at the right.
    assert ink_centre(shots["en"], 120, 420) < 0.5
    assert ink_centre(shots["ar"], 120, 420) > 0.5
