"""`ninjs`: one IPTC ninjs document per story variant, `out/ninjs/<slug>.<lang>.json`, in the
generation the site chooses (3.1 by default, 2.2 for partners on 2.x). Like NewsML-G2, every
story is written whatever its status, so partners receive the kill (see `pub_status`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import msgspec

from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import (
    Context,
    Options,
    OutputFile,
    Writer,
    exported_languages,
    json_document,
)
from syndicate.formats.ninjs.document import VERSIONS, DocumentBuilder, Version, media_path
from syndicate.i18n.locales import stated_tag
from syndicate.model import STATUSES, UNRELEASED, Story


class NinjsOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    version: Annotated[
        Version,
        msgspec.Meta(
            description="the ninjs version written: 3.1 (the current generation) or 2.2 (the"
            " 2.x generation many agencies and Superdesk ingest)"
        ),
    ] = "3.1"


class NinjsWriter(Writer[NinjsOptions]):
    name = "ninjs"
    embargoed = True
    description = "IPTC ninjs 3.x or 2.x (news in JSON), one document per story and language"
    media_type = "application/json"
    extension = ".json"
    scope = "variant"
    Options = NinjsOptions

    def story_files(self, story: Story, ctx: Context[NinjsOptions]) -> Iterator[OutputFile]:
        langs = exported_languages(story, ctx)
        if not langs or story.lifecycle(ctx.now) in UNRELEASED:
            return
        builder = DocumentBuilder(story, ctx, ctx.options.version)
        for lang in langs:
            path = f"ninjs/{story.slug}.{lang}.json"
            yield OutputFile(path, json_document(builder.document(lang)))
        if not builder.killed:
            for image in story.images:
                yield OutputFile(media_path(story.slug, image), ctx.read_asset(image.path))

    def validate_outputs(self, out: Path, ctx: Context[NinjsOptions]) -> None:
        super().validate_outputs(out, ctx)
        from syndicate.formats.checking import output_files, parse_json

        for path in output_files(out, "ninjs", (".json",), ctx.diagnostics, deep=False):
            data = parse_json(path, Diagnostics())  # reported by the well-formedness check
            if data is not None:
                check_document(data, str(path), ctx.diagnostics)


URI_FIELDS = frozenset({"uri", "href", "schema"})
"""The ninjs fields that hold a URI wherever they are (IPTC's schemas of both generations
declare each `"format": "uri"`: the document's, an association's, a rendition's...)."""


def check_document(data: Any, shown: str, diags: Diagnostics) -> None:
    """What every ninjs document we write must have: the rules a reader of `out/` can check
    without IPTC's schema (the tests run IPTC's validator on every file too)."""
    if not isinstance(data, dict):
        diags.error("ninjs.document", "a ninjs document is a JSON object", shown)
        return
    standard = data.get("standard")
    version = standard.get("version") if isinstance(standard, dict) else None
    if version not in VERSIONS:
        wanted = " or ".join(VERSIONS)
        said = "missing" if version is None else json.dumps(version, ensure_ascii=False)[:40]
        diags.error("ninjs.document", f"standard.version is {said}; expected {wanted}", shown)
        return
    status = "pubStatus" if version.startswith("3") else "pubstatus"
    for key in ("uri", "language", "headlines", status):
        if not data.get(key):
            diags.error("ninjs.document", f"no {key}", shown)
    if data.get(status) and data[status] not in STATUSES:
        diags.error("ninjs.document", f"{status} {data[status]!r} is not one of {STATUSES}", shown)
    from syndicate.formats.checking import is_uri, json_strings

    for place, value in json_strings(data, URI_FIELDS):
        if not is_uri(value):
            diags.error(
                "ninjs.document",
                f'{place} is not a URI: {value[:120]}; the schema\'s "format": "uri" takes'
                " RFC 3986 URIs, with any other character percent-encoded",
                shown,
            )
    # `<slug>.<lang>.json`, named with the site's tag, which the document states as BCP 47
    # prefers it (`stated_tag`): `x.iw.json` says `he`
    named = Path(shown).name.removesuffix(".json").rpartition(".")[2]
    if data.get("language") and data["language"] not in (named, stated_tag(named)):
        diags.error(
            "ninjs.document", f"language {data['language']!r} differs from the file name", shown
        )
