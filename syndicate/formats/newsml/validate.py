"""Checking NewsML-G2 outputs: our profile schema (offline, always) and IPTC's XSD (when given)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.formats.checking import output_files, parse_xml
from syndicate.formats.newsml.vocabulary import PROFILE_XSD
from syndicate.readers.schemas import schema_path
from syndicate.xmlbase import safe_parser


@cache
def load_xsd(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


def profile_schema() -> etree.XMLSchema:
    return load_xsd(schema_path(PROFILE_XSD))


def validate_folder(folder: Path, diags: Diagnostics, official: Path | None = None) -> None:
    """Every `*.xml` in `folder` against our profile, and against `official` if given."""
    schemas = [("newsml.profile", profile_schema())]
    if official is not None:
        try:
            schemas.append(("newsml.xsd", load_xsd(official)))
        except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            diags.error(
                "newsml.xsd-missing", f"cannot load the NewsML-G2 XSD: {exc}", str(official)
            )
    for path in output_files(folder.parent, folder.name, (".xml",), diags, deep=False):
        validate_file(path, schemas, diags)


def validate_file(
    path: Path, schemas: list[tuple[str, etree.XMLSchema]], diags: Diagnostics
) -> None:
    doc = parse_xml(path, diags)
    if doc is None:
        return
    for code, schema in schemas:
        if schema.validate(doc):
            continue
        for error in schema.error_log:
            diags.error(code, error.message, f"{path}:{error.line}")
