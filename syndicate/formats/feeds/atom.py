"""`atom`: Atom 1.0 feeds per language and per language and section, with RFC 5005 archives."""

from __future__ import annotations

from syndicate.formats.feeds.documents import FeedWriter
from syndicate.formats.feeds.feedgen_adapter import atom_document, atom_entry, atom_tombstone
from syndicate.formats.feeds.images import atom_logo
from syndicate.formats.feeds.validate import check_atom_file


class AtomWriter(FeedWriter):
    """`validate --outputs` checks the rules RELAX NG cannot express, the official schema
    when SYNDICATE_ATOM_RNG names it (third-party data, not shipped with syndicate), and the
    W3C Feed Validator when SYNDICATE_FEEDVALIDATOR or feeds.feedvalidator names it."""

    name = "atom"
    description = "Atom 1.0 feeds: per language and section, full content, RFC 5005 archives"
    media_type = "application/atom+xml"
    render_entry = staticmethod(atom_entry)
    render_document = staticmethod(atom_document)
    render_tombstone = staticmethod(atom_tombstone)
    notices_first = True  # RFC 4287: no atom:entry before a foreign element (a deleted-entry)
    feed_image = staticmethod(atom_logo)
    check_file = staticmethod(check_atom_file)
