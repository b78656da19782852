"""The performance benchmark of issue 8: `python tests/bench/run.py [--stories N] [--json PATH]`.
Every figure comes from one run on one deterministic corpus; a table is printed, `--json` also
writes the figures. Not a test: pytest does not collect it."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.bench.corpus import LANGS, generate  # noqa: E402

if TYPE_CHECKING:
    from syndicate.model import SiteConfig, Story

NOW = "2026-01-01T00:00:00Z"
EDITION_STORIES = 200
CONFIG = """publisher:
  name: YCPress
  url: https://ycpress.example/
  logo: site/logo.png
  icon: site/icon.png
base_url: https://ycpress.example/syndicate/
timezone: Europe/Brussels
languages: [{languages}]
{extra}"""


def make_site(root: Path, stories: int, langs: Sequence[str] = LANGS, extra: str = "") -> Path:
    (root / "site").mkdir(parents=True)
    for name in ("logo.png", "icon.png"):
        shutil.copy(REPO / "articles/_site" / name, root / "site" / name)
    config = CONFIG.format(languages=", ".join(langs), extra=extra)
    (root / "syndicate.yaml").write_text(config, encoding="utf-8")
    generate(root / "articles", stories, tuple(langs))
    return root


def timed(command: Sequence[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def export(site: Path, out: str, *extra: str) -> float:
    command = [sys.executable, "-m", "syndicate", "export", "-q", "-f", "all", "--now", NOW]
    return timed([*command, "--out", out, *extra], site)


def peak_rss_mb() -> float:
    """The largest resident set of any process this one has waited for (workers included)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def best_of(times: int, measure: Callable[[], float]) -> float:
    return min(measure() for _ in range(times))


def startup_ratio(work: Path) -> float:
    syndicate = [sys.executable, "-m", "syndicate", "--version"]
    ours = best_of(7, lambda: timed(syndicate, work))
    return ours / best_of(7, lambda: timed([sys.executable, "-c", "pass"], work))


def edition_times(work: Path) -> tuple[float, float | None]:
    """Our time for one 200-story English edition, and pandoc's from the same Markdown."""
    extra = f"epub:\n  edition: latest\n  edition_size: {EDITION_STORIES}\n"
    site = make_site(work / "edition", EDITION_STORIES, ("en",), extra)
    ours = best_of(3, lambda: _our_edition(site))
    if shutil.which("pandoc") is None:
        return ours, None
    book = site / "book.md"
    book.write_text(_pandoc_source(site / "articles"), encoding="utf-8")
    pandoc = ["pandoc", "book.md", "-o", "book.epub", "--metadata", "title=Edition"]
    return ours, best_of(3, lambda: timed(pandoc, site))


@contextmanager
def loaded_site(site: Path) -> Iterator[tuple[SiteConfig, list[Story]]]:
    """The site's configuration and stories, read from inside the site folder (as the CLI
    would), for timing one writer step alone."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.readers.articles import read_articles
    from syndicate.readers.config import load_config

    diags = Diagnostics()
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None, list(diags)
    cwd = Path.cwd()
    os.chdir(site)
    try:
        yield config, read_articles(Path("articles"), config, diags)
    finally:
        os.chdir(cwd)


class _InMemory:
    """The build engine's recall for a writer step timed alone: the stories and the fragments
    their `story_files` made, held in memory."""

    def __init__(self, stories: Sequence[Story]) -> None:
        self.stories = {story.slug: story for story in stories}
        self.fragments: dict[tuple[str, str, str], bytes] = {}

    def story_files(self, writer: Any, ctx: Any) -> list[Any]:
        """Run the writer's story step on every story, keeping the fragments."""
        from syndicate.formats.contract import Fragment

        files = []
        for story in self.stories.values():
            for item in writer.story_files(story, ctx):
                if isinstance(item, Fragment):
                    self.fragments[(writer.name, story.slug, item.name)] = item.data
                else:
                    files.append(item)
        return files

    def fragment(self, writer: str, story: Any, name: str) -> bytes:
        return self.fragments[(writer, story.slug, name)]

    def story(self, story: Any) -> Story:
        return self.stories[story.slug]


def _context(writer: Any, config: SiteConfig, languages: Sequence[str], recall: Any) -> Any:
    """The context the engine would give `writer` for this site's options."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.contract import Context
    from syndicate.formats.options import resolve_options

    diags = Diagnostics()
    options = resolve_options([writer], config, diags, every_section=False)
    assert options is not None, list(diags)
    now = datetime.fromisoformat(NOW)
    section = options[writer.section()]
    return Context(config, now, tuple(languages), section, diags, writer.name, recall)


def _our_edition(site: Path) -> float:
    """The epub writer's collection step alone: the edition, its cover and the catalog."""
    from syndicate.formats.epub.writer import EpubWriter
    from syndicate.model import StorySummary

    with loaded_site(site) as (config, stories):
        writer = EpubWriter()
        recall = _InMemory(stories)
        ctx = _context(writer, config, ("en",), recall)
        summaries = [StorySummary.of(s) for s in stories]
        start = time.perf_counter()
        files = list(writer.collection_files(summaries, ctx))
        elapsed = time.perf_counter() - start
    assert any(f.path == "epub/edition-en.epub" for f in files), list(ctx.diagnostics)
    return elapsed


def _pandoc_source(articles: Path) -> str:
    chapters = []
    for folder in sorted(articles.iterdir()):
        text = (folder / "en.md").read_text(encoding="utf-8")
        front, _, body = text.removeprefix("---\n").partition("---\n")
        headline = front.split('headline: "', 1)[1].split('"', 1)[0]
        chapters.append(f"# {headline}\n\n{body.replace('images/', f'{folder}/images/')}")
    return "\n\n".join(chapters)


def atom_vs_feedgen(site: Path) -> float:
    """Our Atom writer's time (Markdown rendering included) over feedgen's alone, building the
    same documents from pre-extracted fields."""
    from syndicate.formats.feeds.atom import AtomWriter
    from syndicate.formats.feeds.documents import make_entry, plan_documents
    from syndicate.formats.feeds.feedgen_adapter import feedgen_document
    from syndicate.model import StorySummary

    with loaded_site(site) as (config, stories):
        writer = AtomWriter()
        recall = _InMemory(stories)
        ctx = _context(writer, config, config.languages, recall)
        summaries = [StorySummary.of(s) for s in stories]

        def ours_once() -> None:
            recall.story_files(writer, ctx)
            list(writer.collection_files(summaries, ctx))

        ours = best_of(3, lambda: _seconds(ours_once))
        visible = [s for s in summaries if s.is_visible(ctx.now)]
        documents = [
            (d.head, [make_entry(recall.story(s), d.lang, ctx) for s in d.stories])
            for d in plan_documents(visible, ctx, "atom", writer.media_type)
        ]
    alone = best_of(
        3,
        lambda: _seconds(
            lambda: [
                feedgen_document(head, entries, writer.media_type).atom_str()
                for head, entries in documents
            ]
        ),
    )
    return ours / alone


def _seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def edit_one_story(site: Path) -> None:
    first = sorted((site / "articles").iterdir())[len(os.listdir(site / "articles")) // 2]
    md = first / "en.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nAn added paragraph.\n", encoding="utf-8")


def measure(stories: int, work: Path) -> dict[str, float | None]:
    small = make_site(work / "small", max(1, stories // 8))
    export(small, "out", "--jobs", "2")
    rss_small = peak_rss_mb()  # the children's maximum so far: the smaller corpus runs first
    site = make_site(work / "site", stories)
    full = export(site, "out", "--jobs", "2")
    rss = peak_rss_mb()
    noop = export(site, "out", "--jobs", "2")
    edit_one_story(site)
    incremental = export(site, "out", "--jobs", "2")
    one_job = export(site, "out-j1", "--jobs", "1", "--force")
    two_jobs = export(site, "out-j2", "--jobs", "2", "--force")
    ours, pandoc = edition_times(work)
    return {
        "stories": stories,
        "variants": stories * len(LANGS),
        "full_s": full,
        "variants_per_s": stories * len(LANGS) / full,
        "incremental_s": incremental,
        "incremental_ratio": incremental / full,
        "noop_s": noop,
        "noop_ratio": noop / full,
        "jobs1_s": one_job,
        "jobs2_s": two_jobs,
        "parallel_speedup": one_job / two_jobs,
        "edition_s": ours,
        "pandoc_edition_s": pandoc,
        "epub_vs_pandoc": pandoc / ours if pandoc else None,
        "atom_vs_feedgen": atom_vs_feedgen(site),
        "peak_rss_mb": rss,
        "peak_rss_mb_small": rss_small,
        "memory_growth": rss / rss_small,
        "startup_ratio": startup_ratio(work),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="syndicate-bench-"))
    try:
        figures = measure(args.stories, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for key, value in figures.items():
        shown = "skipped: pandoc is not installed" if value is None else f"{value:.3f}"
        print(f"{key:<20} {shown}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
