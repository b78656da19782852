"""Where a run's files go as the writers make them: each is checked (inside its writer's
folders, no path written twice) and staged at once, so a run's outputs are never all in
memory and a bug in a writer never leaves out/ half-written."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from syndicate.build.publish import OutputError, Staged, Staging, Twins, checked_path
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import AnyWriter, OutputFile, output_problem

log = logging.getLogger(__name__)


class Sink:
    def __init__(
        self, staging: Staging, diags: Diagnostics, writers: Sequence[AnyWriter] = ()
    ) -> None:
        self.staging = staging
        self.diags = diags
        self._shared = _shared_prefixes(writers)
        """The folders more than one of the run's writers own (a plugin's, say): who wrote
        a path there is kept, to name both formats when two write it. Elsewhere a path
        written twice is its own format's (a large archive stages hundreds of thousands of
        files: their owners are not kept)."""
        self._owner: dict[str, str] = {}
        self.files = 0
        self.counts: dict[str, int] = {}
        """Files staged, by format."""
        self._prefixes: dict[str, tuple[str, ...]] = {}
        """Each writer's folders, as the prefixes of its paths."""

    def run(self, writer: AnyWriter, produce: Callable[[], Iterable[OutputFile]]) -> list[str]:
        """Stage what `produce` makes for `writer`; the staged paths."""
        try:
            staged: list[str] = []
            for file in produce():
                if (problem := output_problem(file)) is not None:
                    self.diags.error("writer.output", f"the {writer.name} writer {problem}")
                    return staged
                if self.add(writer, file):
                    staged.append(file.path)
            return staged
        except OutputError:
            raise
        except (Exception, SystemExit) as exc:  # a writer's bug must not leave out/ half-written
            log.debug("writer %s failed", writer.name, exc_info=True)
            self.diags.error("writer.failed", f"the {writer.name} writer failed: {exc!r}")
            return []

    def add(self, writer: AnyWriter, file: OutputFile | Staged, twins: Twins | None = None) -> bool:
        """Stage `file` if its path is the writer's to write (else report why not); `twins`:
        the large files of the same story staged before it (`publish.Twins`)."""
        if not self.claim(writer, file.path):
            return False
        if isinstance(file, Staged):
            self.staging.take(file)
        else:
            self.staging.add(file, twins)
        return True

    def reuse(self, writer: AnyWriter, paths: Iterable[str]) -> None:
        for path in paths:
            if self.claim(writer, path):
                self.staging.reuse(path)

    def claim(self, writer: AnyWriter, path: str) -> bool:
        try:
            spelled = checked_path(path)
        except OutputError as exc:
            raise OutputError(f"the {writer.name} writer: {exc}") from None
        if spelled != path:  # `a//b`, `a/./b`, `a/`: one file under many names
            self.diags.error(
                "writer.path",
                f"{writer.name} wrote {path!r}: a path is written one way, {spelled!r}",
            )
            return False
        prefixes = self._prefixes.get(writer.name)
        if prefixes is None:
            prefixes = self._prefixes[writer.name] = tuple(
                f"{folder}/" for folder in writer.owned_folders()
            )
        if not path.startswith(prefixes):
            self.diags.error("writer.path", f"{writer.name} wrote {path!r} outside its folders")
            return False
        if path in self.staging.produced:
            first = self._owner.get(path, writer.name)
            self.diags.error(
                "writer.conflict", f"{path!r} is written twice, by {first} and {writer.name}"
            )
            return False
        if self._shared and path.startswith(self._shared):
            self._owner[path] = writer.name
        self.files += 1
        self.counts[writer.name] = self.counts.get(writer.name, 0) + 1
        return True


def _shared_prefixes(writers: Sequence[AnyWriter]) -> tuple[str, ...]:
    """The folders (as path prefixes) that more than one of `writers` owns, or holds inside
    one of its own."""
    prefixes = [(w.name, f"{folder}/") for w in writers for folder in w.owned_folders()]
    return tuple(
        sorted(
            {
                mine
                for name, mine in prefixes
                for other, theirs in prefixes
                if other != name and (mine.startswith(theirs) or theirs.startswith(mine))
            }
        )
    )
