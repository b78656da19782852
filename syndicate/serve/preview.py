"""The preview of `syndicate serve --watch`: the site exported into a folder of its own (never
out/) as of a time far ahead, so that every embargo has passed and embargoed stories show
(marked as such by the server), and exported again, incrementally, whenever a file under
articles/ or syndicate.yaml changes. Pages then reload in the browser."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from stat import S_ISDIR

from syndicate.build import export
from syndicate.build.engine import CACHE_ENV, PUBLISHING, cache_folder
from syndicate.build.inventory import Inventory
from syndicate.build.state import recorded_summaries, state_folder
from syndicate.deliver.websub import hub_folders
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import AnyWriter
from syndicate.formats.registry import Registry
from syndicate.model import StorySummary
from syndicate.model.site import TEMPLATES, TERMS
from syndicate.readers.config import load_config
from syndicate.readers.folders import said_as, said_here
from syndicate.readers.safefile import identity
from syndicate.readers.staticfiles import own_files
from syndicate.readers.yamlsource import YamlProblem, parse_yaml

logger = logging.getLogger(__name__)

AHEAD = timedelta(days=36525)
"""How far ahead of the clock a preview is exported without `--now`: every embargo and every
scheduled `published` has passed by then, so editors see each story as it will look once out
(a story's time-window outputs, such as news sitemaps and MSN, are empty then)."""
SETTLE_WAIT = 10.0
"""Seconds a request waits for an export publishing to say what it published (a request
after that is served as the last export said)."""
POLL_SECONDS = 0.5
"""How often syndicate.yaml (outside articles/) is checked for a change."""


def preview_folder(config: Path, out: Path) -> Path:
    """Where a site's preview is exported by default: `preview/` in its cache folder, or,
    when SYNDICATE_CACHE_DIR names a cache that sites share, a folder of its own there (named
    after the site folder and the hash of its path), so two sites never preview into one."""
    cache = cache_folder(config, out)
    if not os.environ.get(CACHE_ENV):
        return cache / "preview"
    site = config.resolve().parent
    tag = hashlib.sha256(os.fsencode(site)).hexdigest()[:10]
    return cache / "preview" / f"{site.name or 'root'}-{tag}"


class PreviewState:
    """What the preview server reads: the number of the last good export (pages reload when it
    changes), the problems of the last export (it failed, or left stories out for their
    errors), the stories it left out, and the embargoed stories (and, with `--drafts`, the
    drafts it shows as if released)."""

    def __init__(
        self,
        folder: Path,
        languages: Sequence[str],
        writers: Sequence[AnyWriter],
        now: datetime | None = None,
        base_url: str | None = None,
        drafts: bool = False,
    ):
        self.folder = folder
        self.drafts = drafts
        """`--drafts`: drafts are exported as if released, and marked as drafts."""
        self.base_url = base_url
        """The site's `base_url` as of the last export: the preview's pages are served with
        it made the preview's own address (`serve.app.local_links`)."""
        self.now = now
        """`--now`, when given: embargoes are judged at it, not at the clock."""
        self.languages = languages
        self.writers = writers
        self.lock = threading.Lock()
        self.generation = secrets.randbits(48)
        """Moved by each export that changed the preview. It starts at a number of this
        server's own: a page left open across a restart (an edit, a `git pull` while it was
        stopped) sees a new one and reloads, where a count from 0 would match its own."""
        self.problems: list[str] = []
        self.left_out: list[str] = []
        self.inventory = Inventory(folder, languages, writers, stories=[])
        self.feed_folders = hub_folders(writers)
        self.settled = threading.Event()
        """Clear while an export publishes, until the state says what it published: a
        request then waits (`serving`), so a file the export adds is never served by the
        formats before it (a partner profile's feed added to syndicate.yaml as XML)."""
        self.settled.set()

    def snapshot(self) -> tuple[int, list[str], list[str]]:
        """The generation, the problems and the stories left out."""
        with self.lock:
            return self.generation, list(self.problems), list(self.left_out)

    def serving(self) -> tuple[Inventory, frozenset[str]]:
        """What the preview's files are (their media types) and the folders of its feeds that
        may name a hub, as its last export made them (once an export publishing has said
        what, `settled`)."""
        self.settled.wait(SETTLE_WAIT)
        with self.lock:
            return self.inventory, self.feed_folders

    def exported(
        self,
        stories: Sequence[StorySummary],
        changed: bool,
        problems: Sequence[str] = (),
        left_out: Sequence[str] = (),
        writers: Sequence[AnyWriter] = (),
        base_url: str | None = None,
    ) -> None:
        """A new preview: with `left_out`, the stories kept as last exported for `problems`;
        `writers`, the formats it was made with (a partner profile added to syndicate.yaml
        while the preview runs is served as its format says), when the export loaded them;
        `base_url`, the site's, when its configuration could be read."""
        writers = writers or self.writers
        inventory = Inventory(self.folder, self.languages, writers, stories)
        feed_folders = hub_folders(writers)
        with self.lock:
            self.writers = writers
            self.inventory = inventory
            self.feed_folders = feed_folders
            self.problems = list(problems)
            self.left_out = list(left_out)
            self.base_url = base_url or self.base_url
            self.generation += changed

    def failed(self, problems: list[str]) -> None:
        with self.lock:
            self.problems = problems
            self.left_out = []

    def outside_formats(self, path: str) -> str | None:
        """Why a file of the preview's folder (`epub/x.epub`) is not served: it is in no
        folder of the formats of its last export. A preview of some formats (`--format html`)
        after one of others leaves their files in the folder, where its next export of them
        brings them up to date; served, they were taken for this preview's, though no edit
        reached them (a page's `Download EPUB` gave the book as it was before the edit)."""
        with self.lock:
            writers = self.writers
        folders = tuple(f"{folder}/" for writer in writers for folder in writer.owned_folders())
        # (`html`, the folder itself, as asked for by `html/`: its index.html is served)
        if not writers or f"{path}/".startswith(folders):  # (no format known: none to judge)
            return None
        names = ", ".join(writer.name for writer in writers)
        return (
            f"it is in no folder of this preview's formats ({names}): a file an earlier preview"
            " of other formats left is not served as if current; preview its format too"
            " (--format) to see it"
        )

    def draft_notice(self, path: str) -> str | None:
        """Why the preview has no page of a story it knows: a draft, or a story taken back
        (the preview shows what an export would publish, embargoed stories included)."""
        with self.lock:
            story = self.inventory.describe(path).story
        if story is None:
            return None
        stage = story.lifecycle(self.now or datetime.now(UTC))
        if stage == "draft":
            return (
                f"{story.slug} is a draft (status: {story.status}): the preview shows what an"
                " export would publish, embargoed stories included; set status: usable in its"
                " story.yaml to see it here (its placeholders and missing fields are then"
                " errors, on this page), and, so that no export (cron's) publishes it before it"
                " is ready, published: to a time ahead, which the preview shows as it will be"
                " out; set the time it comes out when it is ready. Or see it as it is, a"
                " draft, with the drafts previewed too: syndicate serve --watch --drafts"
            )
        if stage in ("withdrawn", "killed") and not story.was_public():
            # Taken back while under embargo: no one had it, no output says anything of it.
            taken = "canceled" if stage == "killed" else "withheld"
            return (
                f"{story.slug} was {taken} (version {story.version}) before its embargo ended:"
                " it never reached the public, so no export publishes a page of it, nor a"
                " notice"
            )
        if stage == "killed":
            return f"{story.slug} is canceled: its pages are the notice of its kill"
        if stage == "withdrawn":
            return f"{story.slug} is withheld: its pages are the notice of its withdrawal"
        return None

    def embargo_notice(self, path: str) -> datetime | None:
        """The end of the embargo of the story a preview file belongs to, if not yet passed."""
        with self.lock:
            story = self.inventory.describe(path).story
        if story is None or story.embargo_until is None:
            return None
        now = self.now or datetime.now(UTC)
        return story.embargo_until if story.embargo_until > now else None

    def draft_status(self, path: str) -> str | None:
        """The status (`withheld`, `canceled`) of the draft a preview file belongs to, shown
        as if released with `--drafts`; None for a file of any other story."""
        with self.lock:
            story = self.inventory.describe(path).story
        return story.draft if story is not None else None


class Previewer:
    """Exports the preview and watches the sources."""

    _publisher: tuple[object, tuple[Path, ...]] = (None, ())
    """The identity of syndicate.yaml when its logo and icon were read, and their paths."""

    def __init__(
        self,
        *,
        state: PreviewState,
        config: Path,
        articles: Path,
        formats: Sequence[str],
        registry: Registry,
        jobs: int,
        report: Callable[[Diagnostics, str], None],
    ) -> None:
        self.state = state
        self.config = config
        self.articles = articles
        self.formats = formats
        self.registry = registry
        self.jobs = jobs
        self.report = report
        """Told the problems of each export and a one-line summary."""
        self.said = said_here()
        """Where the command names paths in messages' text from (`said_from`): the watcher
        thread's exports name them as the first export, in the command's thread, does."""

    def export(self, stop: threading.Event | None = None, *, catching_up: bool = False) -> bool:
        """`_export`; the requests that waited for its publication go on whatever it did."""
        try:
            with said_as(self.said):  # (in whatever thread: a thread inherits no context)
                return self._export(stop, catching_up=catching_up)
        finally:
            self.state.settled.set()

    def _export(self, stop: threading.Event | None = None, *, catching_up: bool = False) -> bool:
        """Export the preview; True if it was published. A story with errors does not hold
        up the others (`keep_going`): it shows as last exported, absent if it never was, and
        its problems are shown on every page until it is fixed. Once `stop` is set, the
        export stops at its next story or format as Ctrl-C stops one (`Interrupted`): it
        removes its staging folder and rolls the build state back. `catching_up`: an export
        for what may have changed while nothing watched, which says nothing when nothing
        did (its problems, already said, are not said again)."""
        # Its base_url, read before: the pages published are served at once, before the
        # state says how. (An edit of base_url while the preview runs is an export like any.)
        site = load_config(self.config, str(self.config), Diagnostics())
        diags = Diagnostics()
        result = export(
            formats=self.formats,
            config=self.config,
            articles=self.articles,
            out=self.state.folder,
            # `--now` previews the site as an export then would publish it; without it, far
            # ahead: every embargoed and scheduled story shows (see `AHEAD`)
            now=self.state.now or datetime.now(UTC) + AHEAD,
            jobs=self.jobs,
            keep_going=True,
            # A built-in profile syndicate.yaml does not list is no format of a preview of
            # every format: one taken out leaves the preview as orphaned (`_drop_orphaned`).
            registry=self.registry.listed_only() if "all" in self.formats else self.registry,
            diagnostics=diags,
            releases=False,  # nothing previewed was published: no version to keep
            drafts=self.state.drafts,  # as if released, in this folder's state alone
            progress=functools.partial(_progress, self.state, stop),
            interruptible=stop is None,  # its workers leave Ctrl-C to the server's `stop`
        )
        if result.orphaned:
            diags = self._drop_orphaned(result.orphaned, diags)
        if "all" not in self.formats:
            diags = self._without_formats_left_out(diags, result.writers or self.state.writers)
        errors = [d.format_text() for d in diags.sorted() if d.severity == "error"]
        if result.status not in ("exported", "partial"):
            said = self.state.snapshot()[1]
            self.state.failed(errors)
            if not (catching_up and errors == said):  # (the same failure, said already)
                self.report(diags, "preview not updated: fix the errors above")
            return False
        dropped = sorted(result.orphaned or ())
        changed = bool(result.written or result.removed or dropped)
        unchanged = not changed and (errors, list(result.left_out)) == self.state.snapshot()[1:]
        folder = self.state.folder
        state = state_folder(folder, cache_folder(self.config, folder))
        self.state.exported(
            recorded_summaries(state),
            changed,
            errors,
            result.left_out,
            result.writers,
            site.base_url if site is not None else None,
        )
        summary = f"preview: {result.written} written, {result.removed} removed"
        if dropped:  # a profile taken out of syndicate.yaml
            summary += "; left out, as no format of the site's now: " + ", ".join(
                f"{folder}/" for folder in dropped
            )
        summary = summary if changed else "preview: nothing changed"
        shown = [slug for slug in result.left_out if slug not in result.unpublished]
        if shown:
            summary += "; left out for their errors, shown as last exported: " + ", ".join(shown)
        if result.unpublished:  # a new story never exported: nothing of it to show
            summary += "; left out for their errors, not exported yet: " + ", ".join(
                result.unpublished
            )
        if not (catching_up and unchanged):
            self.report(diags, summary)
        return True

    def _drop_orphaned(self, folders: Sequence[str], diags: Diagnostics) -> Diagnostics:
        """Remove the preview's folders of a format there is no longer (a partner profile
        taken out of syndicate.yaml): the preview is syndicate's own folder, which no partner
        fetches, so what `output.orphaned` asks of out/ is done here; the diagnostics without
        those warnings (and the errors of stories such a folder still carried)."""
        root = self.state.folder.resolve()
        for folder in folders:
            path = (root / folder).resolve()
            if path != root and path.is_relative_to(root):
                shutil.rmtree(path, ignore_errors=True)
        kept = Diagnostics()
        for diagnostic in diags:
            if diagnostic.code not in ("output.orphaned", "output.orphaned-story"):
                kept.add(diagnostic)
        return kept

    def _without_formats_left_out(
        self, diags: Diagnostics, writers: Sequence[AnyWriter]
    ) -> Diagnostics:
        """The diagnostics without the dead links to the files of the formats this preview
        leaves out (`--format html`: every page's EPUB and feed links): chosen, and said
        once as it starts (`cli.serve`), they were said again, one each, at every save,
        burying the problems of the story being edited. A dead link to a file of one of its
        formats is still said."""
        root = self.state.folder.resolve()
        folders = tuple(f"{folder}/" for writer in writers for folder in writer.owned_folders())
        kept = Diagnostics()
        for diagnostic in diags:
            if diagnostic.code == "export.dead-link" and diagnostic.path is not None:
                target = Path(diagnostic.path).resolve()
                inside = target.is_relative_to(root)
                if inside and not target.relative_to(root).as_posix().startswith(folders):
                    continue
            kept.add(diagnostic)
        return kept

    def watch(self, stop: threading.Event) -> None:
        """Export again after each change, until `stop` is set. The watcher gives up on a
        change it cannot tell (a file name that is not UTF-8): that is said once, the preview
        exported again, and the watching started again, never left stopped in silence. The
        articles folder replaced by another (removed and made again: a restore, a sync that
        swaps the folder, a branch checked out) is watched anew, and the preview exported."""
        told = False
        # The first export ran before the watcher was set up: a save after it read a story
        # (a long export, or right as the server starts) was seen by no one. Once set up, the
        # watcher exports again, for what changed meanwhile (saying nothing if nothing did).
        again = True
        while not stop.is_set():
            try:
                if self._watch(stop, again):
                    return
                again = True  # the folder was replaced: watch the new one
            except Exception as exc:  # watchfiles' own error, raised from its Rust side
                logger.debug("watching failed", exc_info=exc)
                if not told:
                    diags = Diagnostics()
                    diags.warning(
                        "preview.watch",
                        f"a change could not be followed ({exc}); rename a file whose name"
                        " is not UTF-8. Watching again",
                        str(self.articles),
                    )
                    self.report(diags, "preview: watching again")
                    told = True
                again = True
                stop.wait(POLL_SECONDS)

    def _watch(self, stop: threading.Event, again: bool = False) -> bool:
        """`again`: watching starts (after the first export, or again after a failure);
        once the watcher is set up (its first yield), export, for what changed while nothing
        watched. True when `stop` ended
        it; False when the articles folder is no longer the one watched (replaced, or gone:
        then, once it is back)."""
        import watchfiles

        seen = self._config_stamp()
        watched = _folder_identity(self.articles)
        while watched is None:  # not there (being restored): wait for it
            if stop.wait(POLL_SECONDS):
                return True
            watched = _folder_identity(self.articles)
            again = True
        seen_instead: tuple[int, int] | None = watched
        for changes in watchfiles.watch(
            self.articles,
            stop_event=stop,
            debounce=200,
            rust_timeout=int(POLL_SECONDS * 1000),
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            stamp = self._config_stamp()
            # Replaced when two looks in a row find the same other folder (or none): a file
            # system whose inode numbers are not stable (FUSE) is not a replacement each time.
            now = _folder_identity(self.articles)
            replaced = now != watched and now == seen_instead
            seen_instead = now if now != watched else watched
            if again or changes or stamp != seen or replaced:
                catching_up = again and not changes and stamp == seen and not replaced
                again = False
                seen = stamp
                logger.debug("changed: %s", sorted(path for _, path in changes))
                self._export_safely(stop, catching_up)
            if replaced:
                return False
        return True

    def _export_safely(self, stop: threading.Event, catching_up: bool = False) -> None:
        try:
            self.export(stop, catching_up=catching_up)
        except KeyboardInterrupt as exc:  # `Interrupted`: the server is stopping
            # Said by the command ("the preview stopped"); the export cleaned up after itself.
            # (A worker's own Ctrl-C, the terminal's to the whole process group, arrives here
            # too, as the server's stops it.)
            logger.debug("preview export interrupted", exc_info=exc)
        except Exception as exc:  # the preview must outlive a bug in one export
            logger.debug("preview export failed", exc_info=exc)
            diags = Diagnostics()
            message = f"the preview export failed: {exc!r} (SYNDICATE_DEBUG=1 tells more)"
            diags.error("preview.failed", message)
            self.state.failed([message])
            self.report(diags, "preview not updated")

    def _publisher_files(self, stat: os.stat_result) -> tuple[Path, ...]:
        """The logo and icon the configuration names (read again when its file changed): a
        logo outside the articles folder, which no watcher sees, is a change of every page."""
        if self._publisher[0] != identity(stat):
            files: tuple[Path, ...] = ()
            with contextlib.suppress(OSError, ValueError, YamlProblem):
                data = parse_yaml(self.config.read_text(encoding="utf-8")).data
                publisher = data.get("publisher") if isinstance(data, dict) else None
                if isinstance(publisher, dict):
                    named = (publisher.get(key) for key in ("logo", "icon"))
                    files = tuple(self.config.parent / n for n in named if isinstance(n, str))
            self._publisher = (identity(stat), files)
        return self._publisher[1]

    def _config_stamp(self) -> tuple[object, ...] | None:
        """The `identity` of the configuration file (its device, inode, size, modification and
        change times: what tells the readers a file unchanged), and those of the files of the
        site's `templates/` and `terms/` beside it: a change of any is a change of the pages,
        an edit that keeps a file's size and modification time too."""
        try:
            stat = self.config.stat()
        except OSError:
            return None
        stamps: list[object] = [identity(stat)]
        for path in self._publisher_files(stat):  # the logo and icon, wherever they are
            with contextlib.suppress(OSError):
                stamps.append((path.as_posix(), identity(path.stat())))
        for folder in (TEMPLATES, TERMS):
            for _, path in own_files(self.config.parent / folder):  # no swap files
                with contextlib.suppress(OSError):
                    stamps.append((path.as_posix(), identity(path.stat())))
        return tuple(stamps)


def _progress(
    state: PreviewState, stop: threading.Event | None, step: str, done: int, total: int
) -> None:
    """The export's progress: it is stopped, as by Ctrl-C, once `stop` is set (the watcher
    thread gets no signal; the engine's cleanup is that of an interrupt); once it publishes,
    requests wait until the state says what it published (`PreviewState.settled`)."""
    if stop is not None and stop.is_set():
        raise KeyboardInterrupt
    if step == PUBLISHING:
        state.settled.clear()


def _folder_identity(folder: Path) -> tuple[int, int] | None:
    """The folder's device and inode, None when it is not there (or not a folder)."""
    try:
        stat = folder.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino) if S_ISDIR(stat.st_mode) else None
