"""The performance benchmark: `python tests/bench/run.py [--stories N] [--json PATH] [--scale]`.
Every figure comes from one run on one deterministic, realistic corpus (`corpus.py`); a table is
printed, `--json` also writes the figures. What each key measures: docs/performance.md. Not a
test: pytest does not collect it."""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
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

from tests.bench.corpus import LANGS, SITE_CONFIG, generate  # noqa: E402
from tests.bench.hugo import write_site  # noqa: E402

if TYPE_CHECKING:
    from syndicate.model import SiteConfig, Story

NOW = "2026-01-01T00:00:00Z"
EDITION_STORIES = 200
CONFIG = (
    SITE_CONFIG
    + """feeds:
  limit: 20
  archive_size: 20
{extra}"""
)
BENCH = Path(__file__).resolve().parent
REPEATS = 5
"""The no-op and the edit take a fraction of a second: each is the median of this many runs
(one run of the same no-op took 0.30 s and 0.45 s in two bench runs on this VM)."""
WITHOUT_EPUB = ("atom", "html", "jsonfeed", "jsonld", "model", "newsml", "ninjs", "rss", "sitemap")


def make_site(root: Path, stories: int, langs: Sequence[str] = LANGS, extra: str = "") -> Path:
    (root / "site").mkdir(parents=True)
    for name in ("logo.png", "icon.png"):
        shutil.copy(REPO / "articles/_site" / name, root / "site" / name)
    config = CONFIG.format(languages=", ".join(langs), extra=extra)
    (root / "syndicate.yaml").write_text(config, encoding="utf-8")
    generate(root / "articles", stories, tuple(langs), realistic=True)
    return root


ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
"""Every measured process's environment. `compile_bytecode` adds the bench's own bytecode cache
before anything is timed: processes run as installed, their modules compiled beforehand."""
SCRIPTS: dict[str, str] = {}
"""The floor scripts' environment: `ENV` with the bench's folder on the path (`compile_bytecode`
sets it), as each runs as a module (`script`), its bytecode compiled as syndicate's is."""


def compile_bytecode(work: Path) -> str:
    """Compile every module a measured process may import (`bytecode.py` lists them) into
    `work/pycache` and point every measured process there (`PYTHONPYCACHEPREFIX`), as `pip
    install` compiles a wheel's modules: then no measured run compiles syndicate's modules or
    its dependencies', whatever the environment says (`PYTHONDONTWRITEBYTECODE` set, a source
    tree or virtual environment without bytecode or not writable), and the bench writes nothing
    into either. Returns how, for the JSON."""
    ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    path = [str(BENCH), *filter(None, [ENV.get("PYTHONPATH")])]
    SCRIPTS.update(ENV, PYTHONPATH=os.pathsep.join(path))
    start = time.perf_counter()
    listed = subprocess.run(
        [sys.executable, str(BENCH / "bytecode.py")],
        cwd=work,
        env=ENV,
        check=True,
        stdout=subprocess.PIPE,  # its traceback, if any, shown
        text=True,
    ).stdout
    # Some dependencies ship files that are not Python 3 (templates, old examples): -qq.
    compile_all = [sys.executable, "-m", "compileall", "-qq", "-i", "-"]
    subprocess.run(compile_all, cwd=work, env=ENV, input=listed, text=True, check=False)
    return (
        f"{len(listed.splitlines())} modules (syndicate, its dependencies, the standard library,"
        f" the floor scripts) compiled into the bench's PYTHONPYCACHEPREFIX in"
        f" {time.perf_counter() - start:.1f} s before timing; every process then ran with it"
    )


def timed(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env or ENV)
    return time.perf_counter() - start


def script(name: str) -> list[str]:
    """A floor script run as a module: a script named on the command line is compiled on every
    run, a module's bytecode is read from the cache."""
    return [sys.executable, "-m", name]


def export(site: Path, out: str, *extra: str, formats: Sequence[str] = ("all",)) -> float:
    command = [sys.executable, "-m", "syndicate", "export", "-q", "--now", NOW]
    command += [arg for name in formats for arg in ("-f", name)]
    return timed([*command, "--out", out, *extra], site)


def children_cpu() -> float:
    """CPU seconds of every process this one has waited for (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_of(run: Callable[[], object]) -> float:
    """The CPU seconds of the processes `run` starts and waits for."""
    before = children_cpu()
    run()
    return children_cpu() - before


def tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def cache_size(site: Path) -> int:
    """The build state's size: `.syndicate/` beside syndicate.yaml (`.out.syndicate/` beside
    out/ in earlier versions)."""
    return sum(tree_size(site / name) for name in (".syndicate", ".out.syndicate"))


def same_files(one: Path, two: Path) -> bool:
    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".syndicate.lock"
        }

    return files(one) == files(two)


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
    """Whole process to whole process: syndicate exporting one 200-story English edition (and
    no story books), and pandoc building an EPUB from the same Markdown."""
    extra = f"epub:\n  edition: latest\n  edition_size: {EDITION_STORIES}\n  story_books: false\n"
    site = make_site(work / "edition", EDITION_STORIES, ("en",), extra)
    ours = best_of(3, lambda: export(site, "out", "--force", "-j", "1", formats=("epub",)))
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
        self.kept: dict[tuple[str, str, str], bytes] = {}

    def story_files(self, writer: Any, ctx: Any) -> list[Any]:
        """Run the writer's story step on every story, keeping the fragments."""
        from syndicate.formats.contract import Fragment

        files = []
        for story in self.stories.values():
            for item in writer.story_files(story, ctx):
                if isinstance(item, Fragment):
                    self.kept[(writer.name, story.slug, item.name)] = item.data
                else:
                    files.append(item)
        return files

    def fragment(self, writer: str, story: Any, name: str) -> bytes:
        return self.kept[(writer, story.slug, name)]

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
    from syndicate.model import StorySummary
    from tests.feedgen_reference import feedgen_document

    with loaded_site(site) as (config, stories):
        writer = AtomWriter()
        recall = _InMemory(stories)
        ctx = _context(writer, config, config.languages, recall)
        summaries = [StorySummary.of(s) for s in stories]

        def ours_once() -> None:
            recall.story_files(writer, ctx)
            for planned in writer.collection_files(summaries, ctx):
                planned.data  # noqa: B018 -- a Planned file makes its bytes when asked

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


def edit_one_story(site: Path, n: int = 1) -> None:
    """Add a paragraph (the `n`th) to the English text of the story in the middle."""
    first = sorted((site / "articles").iterdir())[len(os.listdir(site / "articles")) // 2]
    md = first / "en.md"
    added = f"\nAn added paragraph ({n}).\n"
    md.write_text(md.read_text(encoding="utf-8") + added, encoding="utf-8")


def incremental_time(site: Path) -> float:
    """The median wall time of `REPEATS` re-exports, each after one more paragraph added to
    the same story (`edit_one_story`)."""
    times = []
    for n in range(1, REPEATS + 1):
        edit_one_story(site, n)
        times.append(export(site, "out", "--jobs", "2"))
    return statistics.median(times)


def cover_share(site: Path) -> float:
    """The CPU share of drawing covers in a full export (in this process, one job)."""
    from tests.bench.covers import measure as measure_covers

    return measure_covers(site, "")


def floor_cpu(site: Path) -> tuple[float, float]:
    """CPU of a full export without EPUB and of the floor script (read, parse, render, write
    the same bytes), both whole processes: `floor_ratio` is the first over the second."""
    ours = cpu_of(lambda: export(site, "out-floor", "-j", "1", "--force", formats=WITHOUT_EPUB))
    floor = [*script("floor"), "articles", "out-floor", "floor-out"]
    return ours, cpu_of(lambda: timed(floor, site, SCRIPTS))


def noop_cpu(site: Path) -> tuple[float, float, float]:
    """Wall seconds and CPU of a no-op re-export, and the CPU of hashing every input and
    stat-ing every output, both whole processes (`noop_floor_ratio` is the second over the
    third): each the median of `REPEATS` runs, the two alternated."""
    walls: list[float] = []
    ours: list[float] = []
    floors: list[float] = []
    floor = [*script("noop_floor"), ".", "out"]
    for _ in range(REPEATS):
        ours.append(cpu_of(lambda: walls.append(export(site, "out", "--jobs", "2"))))
        floors.append(cpu_of(lambda: timed(floor, site, SCRIPTS)))
    return statistics.median(walls), statistics.median(ours), statistics.median(floors)


def hugo_cpu(site: Path, work: Path) -> tuple[float | None, float | None]:
    """CPU of `syndicate export --format html --format rss` and of Hugo building the same
    stories as pages with per-language and per-section RSS (`hugo_ratio` is the first over
    the second); None, None without `hugo`."""
    if shutil.which("hugo") is None:
        return None, None
    ours = cpu_of(lambda: export(site, "out-hugo", "-j", "1", "--force", formats=("html", "rss")))
    hugo = write_site(site / "articles", work / "hugo", LANGS, datetime.fromisoformat(NOW), 20)
    return ours, cpu_of(lambda: timed(["hugo", "--quiet", "-d", "public"], hugo))


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return None if ours is None or not theirs else ours / theirs


def dask_vs_pool(site: Path, pool: float) -> tuple[float | None, bool | None]:
    """A full export on a local Dask cluster of 2 workers over the process pool's time; and
    whether both wrote the same bytes. None without Dask."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return None, None
    dask = export(site, "out-dask", "--executor", "dask", "-j", "2", "--force")
    return dask / pool, same_files(site / "out-dask", site / "out-j2")


def scale(work: Path, sizes: tuple[int, int]) -> dict[str, float]:
    """Full exports without EPUB at two sizes (2,500 and 20,000 stories): how time grows, and
    the largest resident set of the larger one's processes."""
    times, peaks = {}, {}
    for stories in sizes:
        site = make_site(work / f"scale-{stories}", stories)
        times[stories], peaks[stories] = export_alone(site, "out", "--jobs", "2")
        shutil.rmtree(site)
    small, large = sizes
    exponent = math.log(times[large] / times[small]) / math.log(large / small)
    return {
        "scale_stories_small": small,
        "scale_stories_large": large,
        "scale_s_small": times[small],
        "scale_s_large": times[large],
        "scale_exponent": exponent,
        "scale_peak_rss_mb": peaks[large],
    }


def export_alone(site: Path, out: str, *extra: str) -> tuple[float, float]:
    """An export without EPUB, run under a process of its own: its seconds, and the largest
    resident set (MB) of its processes alone."""
    command = [sys.executable, "-m", "syndicate", "export", "-q", "--now", NOW, "--out", out]
    command += [*(arg for name in WITHOUT_EPUB for arg in ("-f", name)), *extra]
    probe = (
        "import resource, subprocess, sys, time; start = time.perf_counter();"
        " subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);"
        " print(time.perf_counter() - start,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command],
        cwd=site,
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    )
    seconds, peak = done.stdout.split()
    return float(seconds), float(peak)


SCALE = "2500,20000"


def measure(
    stories: int, work: Path, sizes: tuple[int, int] | None
) -> dict[str, float | bool | str | None]:
    bytecode = compile_bytecode(work)
    small = make_site(work / "small", max(1, stories // 8))
    export(small, "out", "--jobs", "2")
    rss_small = peak_rss_mb()  # the children's maximum so far: the smaller corpus runs first
    site = make_site(work / "site", stories)
    full = export(site, "out", "--jobs", "2")
    rss = peak_rss_mb()
    cache = cache_size(site) / tree_size(site / "out")
    noop, noop_cpu_s, noop_floor_cpu_s = noop_cpu(site)
    incremental = incremental_time(site)
    one_job = export(site, "out-j1", "--jobs", "1", "--force")
    two_jobs = export(site, "out-j2", "--jobs", "2", "--force")
    dask, identical = dask_vs_pool(site, two_jobs)
    ours, pandoc = edition_times(work)
    figures: dict[str, float | bool | str | None] = {
        "bytecode": bytecode,
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
        "dask_vs_pool": dask,
        "dask_identical": identical,
        "edition_s": ours,
        "pandoc_edition_s": pandoc,
        "epub_vs_pandoc": pandoc / ours if pandoc else None,
        "atom_vs_feedgen": atom_vs_feedgen(site),
        "cover_share": cover_share(site),
    }
    floor_ours, floor_script = floor_cpu(site)
    hugo_ours, hugo_itself = hugo_cpu(site, work)
    figures |= {
        "floor_ratio": floor_ours / floor_script,
        "noop_floor_ratio": noop_cpu_s / noop_floor_cpu_s,
        "hugo_ratio": _ratio(hugo_ours, hugo_itself),
        "cache_ratio": cache,
        "peak_rss_mb": rss,
        "peak_rss_mb_small": rss_small,
        "memory_growth": rss / rss_small,
        "startup_ratio": startup_ratio(work),
        # What the CPU ratios were made of: whole processes writing hundreds of megabytes
        # move with the machine's write-back, and these tell which side moved.
        "floor_cpu_s": floor_ours,
        "floor_script_cpu_s": floor_script,
        "noop_cpu_s": noop_cpu_s,
        "noop_floor_cpu_s": noop_floor_cpu_s,
        "hugo_cpu_s": hugo_ours,
        "hugo_itself_cpu_s": hugo_itself,
    }
    if sizes:
        figures.update(scale(work, sizes))
    return figures


SKIPPED = {
    "epub_vs_pandoc": "skipped: pandoc is not installed",
    "pandoc_edition_s": "skipped: pandoc is not installed",
    "hugo_ratio": "skipped: hugo is not installed (Debian: apt-get install hugo)",
    "hugo_cpu_s": "skipped: hugo is not installed",
    "hugo_itself_cpu_s": "skipped: hugo is not installed",
    "dask_vs_pool": "skipped: Dask is not installed (pip install 'syndicate[dask]')",
    "dask_identical": "skipped: Dask is not installed",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument(
        "--scale",
        nargs="?",
        const=SCALE,
        metavar="SMALL,LARGE",
        help=f"also export without EPUB at two sizes (default {SCALE}: long)",
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="syndicate-bench-"))
    try:
        sizes = None
        if args.scale:
            small, large = (int(n) for n in args.scale.split(","))
            sizes = (small, large)
        figures = measure(args.stories, work, sizes)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for key, value in figures.items():
        shown = (
            SKIPPED[key] if value is None else value if isinstance(value, str) else f"{value:.3f}"
        )
        print(f"{key:<20} {shown}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
