"""`jsonld`: schema.org NewsArticle JSON-LD, one file per visible story and language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context, NoOptions, OutputFile, Writer, exported_languages
from syndicate.formats.jsonld.graph import (
    GraphBuilder,
    dumps,
    report_schema_problems,
)
from syndicate.model import Story


class JsonLdWriter(Writer[NoOptions]):
    name = "jsonld"
    description = "schema.org NewsArticle JSON-LD, one file per story and language"
    media_type = "application/ld+json"
    extension = ".jsonld"
    scope = "variant"
    Options = NoOptions

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        if not story.is_visible(ctx.now):
            return
        builder = GraphBuilder(ctx)
        for lang in exported_languages(story, ctx):
            text = dumps(builder.graph(story, lang))
            yield OutputFile(f"jsonld/{story.slug}.{lang}.jsonld", text.encode("utf-8"))

    def validate_outputs(self, out: Path, ctx: Context[NoOptions]) -> None:
        super().validate_outputs(out, ctx)
        from syndicate.formats.checking import output_files, parse_json

        for path in output_files(out, "jsonld", (".jsonld",), ctx.diagnostics):
            data = parse_json(path, Diagnostics())  # reported by the well-formedness check
            if data is not None:
                report_schema_problems(data, str(path), ctx)
