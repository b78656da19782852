"""Splitting a story language file into its YAML front matter and Markdown body."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Split:
    front_matter: str
    front_line: int
    """File line of the front matter's first line."""
    body: str
    body_line: int
    """File line of the body's first line."""


class FrontMatterProblem(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def split_front_matter(text: str) -> Split:
    lines = text.split("\n")
    if lines and lines[0].rstrip() in ("+++", "{"):
        raise FrontMatterProblem(
            "TOML or JSON front matter (Hugo's): a story file's front matter is YAML between"
            " two lines '---' (headline: ..., summary: ...); convert it",
            1,
        )
    if not lines or lines[0].rstrip() != "---":
        raise FrontMatterProblem(
            "no front matter: a story file starts with a line '---', then YAML fields"
            " (headline, summary, byline, dateline), then '---', then the body in Markdown",
            1,
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Split(
                front_matter="\n".join(lines[1:index]),
                front_line=2,
                body="\n".join(lines[index + 1 :]),
                body_line=index + 2,
            )
    raise FrontMatterProblem("front matter is not closed: add a line '---' after it", 1)
