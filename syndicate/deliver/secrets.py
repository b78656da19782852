"""Secrets named in syndicate.yaml (`env:VARIABLE`, `file:PATH`), read only when a connection
needs them, and kept out of every message."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import msgspec

Secret = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:\S.*)\Z",
        description="where a secret is read: env:VARIABLE or file:PATH",
        extra={
            "expected": "env:VARIABLE or file:PATH; secrets are never written in syndicate.yaml",
            "secret": True,  # a refusal never shows what was written: it may be the secret
        },
    ),
]
"""A secret as syndicate.yaml names it: the environment variable or the file holding it."""


class SecretError(Exception):
    """A named secret cannot be read; the message names where it was looked for, never a value."""


def reveal(reference: str, base: Path, *, one_line: bool = True, header: bool = False) -> str:
    """The secret `reference` names: an environment variable (`env:NAME`) or the contents of a
    file (`file:PATH`, relative to `base`, the folder of syndicate.yaml; the line ends it ends
    with are dropped). `one_line`: a password or a token, refused if a line break or another
    control character is left inside it (a key file is many lines); `header`: sent in an HTTP
    header, so ASCII too. An empty secret (or one of spaces alone) is refused. A refusal names
    where the secret is, never its value."""
    kind, _, name = reference.partition(":")
    if kind == "env":
        value = os.environ.get(name)
        if value is None:
            raise SecretError(f"the environment variable {name} is not set")
        where = f"the environment variable {name}"
    else:
        path = Path(name).expanduser()
        path = path if path.is_absolute() else base / path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise SecretError(f"cannot read the secret file {path}: {reason}") from None
        value = text.rstrip("\r\n") if one_line else text.removesuffix("\n").removesuffix("\r")
        where = f"the secret file {path}"
    if header:  # a header's value is read without the white space around it (RFC 9110)
        value = value.strip()
    if not value.strip():
        # An empty secret is a slip (`TOKEN=${UNSET}` in a container), never a key: a server
        # would take an empty token or password as matching an empty header or login.
        raise SecretError(f"{where} is empty; set the secret it should hold")
    if one_line and any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise SecretError(
            f"{where} holds a line break or another control character inside its secret;"
            " write the secret on one line"
        )
    if header and not value.isascii():
        raise SecretError(
            f"{where} holds a character that is not ASCII; an HTTP header carries ASCII only"
        )
    return value


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by `***` (a library's message may quote one), also
    where it is quoted escaped (a `repr` of it, as text or bytes) or a line of it alone."""
    forms = set()
    for secret in secrets:
        forms.add(secret)
        forms.add(repr(secret)[1:-1])
        forms.add(repr(secret.encode("utf-8", "backslashreplace"))[2:-1])
        forms.update(line.strip() for line in secret.splitlines())
    for form in sorted((f for f in forms if len(f) >= 4), key=len, reverse=True):
        text = text.replace(form, "***")
    return text
