"""What EPUB covers cost: `python tests/bench/covers.py [--stories N]` exports the sample site and
a generated corpus (`--format all`, in this process, one job) with the cover renderer timed, and
prints the CPU milliseconds per cover and the covers' share of the whole export's CPU."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from syndicate.build import export  # noqa: E402
from syndicate.formats.epub.cover import Cover, CoverText, draw_cover  # noqa: E402
from syndicate.formats.epub.writer import EpubWriter  # noqa: E402
from syndicate.formats.registry import BUILTIN, Registry  # noqa: E402
from tests.bench.run import NOW, make_site  # noqa: E402


@dataclass
class CoverClock:
    """The CPU seconds spent in each call of the cover renderer."""

    calls: list[float] = field(default_factory=list)

    def __call__(self, text: CoverText, font_dirs: Sequence[str]) -> Cover:
        start = time.process_time()
        cover = draw_cover(text, font_dirs)
        self.calls.append(time.process_time() - start)
        return cover


@contextmanager
def inside(folder: Path) -> Iterator[None]:
    """Relative paths in syndicate.yaml are read from the site's folder, as the CLI would."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)


def measure(site: Path, label: str) -> float:
    """One full export of `site` with the covers timed; one line of figures; the covers' share
    of the export's CPU."""
    clock = CoverClock()
    registry = Registry({**BUILTIN, "epub": lambda: EpubWriter(covers=clock)})
    with inside(site), tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()
        result = export(
            formats=["all"],
            out=Path(tmp) / "out",
            now=datetime.fromisoformat(NOW),
            jobs=1,
            force=True,
            registry=registry,
        )
        total = time.process_time() - start
    assert result.status == "exported", [d.format_text() for d in result.diagnostics]
    covers = sum(clock.calls)
    print(
        f"{label:<28} covers {len(clock.calls):>5}  {1000 * covers / len(clock.calls):7.1f} ms"
        f" CPU per cover  export {total:7.2f} s CPU  cover share {covers / total:6.1%}"
    )
    return covers / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=50, help="stories in the generated corpus")
    args = parser.parse_args()
    measure(REPO, "sample")
    with tempfile.TemporaryDirectory() as work:
        site = make_site(Path(work) / "site", args.stories)
        measure(site, f"corpus, {args.stories} stories x 4 langs")


if __name__ == "__main__":
    main()
