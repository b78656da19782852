"""Where a run's files go as the writers make them: each is checked (inside its writer's
folders, no path written twice) and staged at once, so a run's outputs are never all in
memory and a bug in a writer never leaves out/ half-written."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence

from syndicate.build.publish import (
    NAME_MAX,
    OutputError,
    Staged,
    Staging,
    Twins,
    checked_path,
)
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
        self._folders: set[str] = set()
        """The folders the paths claimed so far go in (none of them a path claimed)."""

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
        if not self._fits(writer, path):
            return False
        if self._shared and path.startswith(self._shared):
            self._owner[path] = writer.name
        self.files += 1
        self.counts[writer.name] = self.counts.get(writer.name, 0) + 1
        return True

    def _fits(self, writer: AnyWriter, path: str) -> bool:
        """Whether `path` can be a file beside the paths claimed so far, and on a file system:
        not a folder of another path (`a` and `a/b.txt`), and no name in it longer than
        `NAME_MAX` bytes. Staging failed at it with "cannot write to out: Not a directory"
        or "File name too long", naming neither the writer nor the path."""
        long = None
        if len(path) > NAME_MAX // 4 and len(os.fsencode(path)) > NAME_MAX:
            long = next((p for p in path.split("/") if len(os.fsencode(p)) > NAME_MAX), None)
        if long is not None:
            shown = long if len(long) <= 40 else f"{long[:37]}..."
            self.diags.error(
                "writer.path",
                f"{writer.name} wrote {path!r}: the name {shown!r} is"
                f" {len(os.fsencode(long))} bytes, and a file system takes {NAME_MAX} at most;"
                " give the file a shorter name (`fitting_name` in syndicate.build.publish"
                " cuts one)",
            )
            return False
        if path in self._folders:
            inside = next((p for p in self.staging.produced if p.startswith(f"{path}/")), path)
            self._path_in_the_way(writer, path, inside)
            return False
        parents = []
        folder = path.rpartition("/")[0]
        while folder and folder not in self._folders:
            if folder in self.staging.produced:
                self._path_in_the_way(writer, folder, path)
                return False
            parents.append(folder)
            folder = folder.rpartition("/")[0]
        self._folders.update(parents)
        return True

    def _path_in_the_way(self, writer: AnyWriter, file: str, inside: str) -> None:
        """The error of a path that is a file (`file`) and a folder (of `inside`)."""
        first = self._owner.get(file) or self._owner.get(inside) or writer.name
        who = writer.name if first == writer.name else f"{first} and {writer.name}"
        self.diags.error(
            "writer.conflict",
            f"{who} wrote {file!r} and {inside!r}: {file!r} cannot be a file and the folder"
            f" of another; give one of them another name",
        )


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
