"""Where a model value came from: a file and a line, so any problem can point back to it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A position in an input file; `path` is shown to users as written (relative when possible)."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def at(self, line: int) -> SourceRef:
        """The same file at another line."""
        return SourceRef(self.path, line)
