"""`atom`: Atom 1.0 feeds per language and per language and section, with RFC 5005 archives."""

from __future__ import annotations

from pathlib import Path

from syndicate.validate.feeds import check_atom_file
from syndicate.writers.base import Context
from syndicate.writers.feedgen_adapter import Feed, atom_bytes
from syndicate.writers.feeds import FeedWriter


class AtomWriter(FeedWriter):
    name = "atom"
    description = "Atom 1.0 feeds: per language and section, full content, RFC 5005 archives"
    media_type = "application/atom+xml"

    def render(self, feed: Feed) -> bytes:
        return atom_bytes(feed)

    def validate_outputs(self, out: Path, ctx: Context) -> None:
        """Atom rules the schema cannot express, and RELAX NG when SYNDICATE_ATOM_RNG names
        the schema (the official one is third-party data, not shipped with syndicate)."""
        for path in sorted((out / "atom").rglob("*.xml")):
            check_atom_file(path, ctx.diagnostics)
