"""Section `deliver` of syndicate.yaml: the delivery targets, how failures are retried and which
target publishes `base_url`. Typed records checked when the configuration loads, every problem
at its line; secrets are named (`env:VARIABLE`, `file:PATH`), never written there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

import msgspec

from syndicate.deliver.secrets import Secret
from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.formats.contract import OptionPath, Options
from syndicate.formats.options import convert_section
from syndicate.formats.registry import Registry
from syndicate.i18n.locales import not_site_languages
from syndicate.model import SiteConfig

SECTION = "deliver"

HTTP_SCHEMES = frozenset({"http", "https"})
_SCHEME_CREDENTIALS = {
    "sftp": {"password", "private_key", "passphrase"},
    "ftp": {"password"},
    "s3": {"access_key_id", "secret_access_key", "session_token"},
    "http": {"token", "hmac_secret"},
    "https": {"token", "hmac_secret"},
    "file": set(),
}
_SCHEME_OPTIONS = {"known_hosts": {"sftp"}, "endpoint_url": {"s3"}, "region": {"s3"}}


class Credentials(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A target's secrets, each named where it is kept (`env:NAME` or `file:PATH`)."""

    password: Secret | None = None
    """SFTP and FTP; the user name is in the URL."""
    private_key: Secret | None = None
    """SFTP: the private key (OpenSSH format), e.g. file:~/.ssh/partner_ed25519."""
    passphrase: Secret | None = None
    """SFTP: the passphrase of the private key."""
    access_key_id: Secret | None = None
    """S3; without keys, the usual AWS environment variables and files are used."""
    secret_access_key: Secret | None = None
    session_token: Secret | None = None
    token: Secret | None = None
    """HTTP push: sent as `Authorization: Bearer <token>`."""
    hmac_secret: Secret | None = None
    """HTTP push: each request is signed with it (HMAC-SHA256, header X-Syndicate-Signature)."""

    def named(self) -> dict[str, str]:
        """The credentials given: name -> where it is kept."""
        return {
            f.encode_name: value
            for f in msgspec.structs.fields(self)
            if (value := getattr(self, f.name)) is not None
        }


Choice = Annotated[
    Literal["all"] | tuple[str, ...],
    msgspec.Meta(description="all, or a list"),
]


class Target(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One partner or host that receives files of out/."""

    name: Annotated[
        str,
        msgspec.Meta(
            pattern=r"^[a-z0-9][a-z0-9_-]*\Z",
            extra={"expected": "lowercase letters, digits, - and _ (e.g. afp-wire)"},
        ),
    ]
    """Names the target in messages, in `--target` and in the ledger."""
    url: Annotated[
        str,
        msgspec.Meta(
            pattern=r"^[a-z][a-z0-9+.-]*://.*\Z",  # a space is said in `_check_url`
            extra={"expected": "a URL such as sftp://user@host/incoming/ or https://host/ingest/"},
        ),
    ]
    """The folder receiving the files: sftp://, ftp://, s3://, file://, http(s):// or another
    fsspec URL; the user name goes in it, never a password."""
    formats: Annotated[tuple[str, ...], msgspec.Meta(min_length=1)]
    """Format names (plugins and partner profiles too) or `all`: the folders of out/ they own."""
    languages: Choice = "all"
    sections: Choice = "all"
    credentials: Credentials = Credentials()
    known_hosts: str | None = None
    """SFTP: the known_hosts file holding the server's key (default ~/.ssh/known_hosts)."""
    endpoint_url: (
        Annotated[str, msgspec.Meta(pattern=r"^https?://\S+\Z", extra={"expected": "an URL"})]
        | None
    ) = None
    """S3: the endpoint of an S3-compatible store (MinIO, Ceph, another cloud)."""
    region: str | None = None
    """S3: the bucket's region."""
    rename: bool = True
    """SFTP, FTP, file: write each file under a temporary name, then rename it, so that a
    partner never picks up half a file; false for a server that refuses renames (an
    upload-only drop box): each file is then written straight under its name, and what a
    write that fails midway left there is removed at once."""
    delete: bool = True
    """Whether a file gone from out/ is deleted at the target; false for a drop box or an
    ingest endpoint that takes files and never lets them be deleted (an FTP server that
    refuses DELE, an HTTP endpoint that answers DELETE with 405): such files are kept there,
    forgotten by the ledger. A kill still goes, as the new version of the story's files."""

    @property
    def scheme(self) -> str:
        # As urlsplit reads it, but of any text the pattern let through: a URL urlsplit
        # refuses (`http://[::1/`) is reported by `_check_url`, not raised here.
        return self.url.partition("://")[0] if "://" in self.url else ""

    @property
    def is_http(self) -> bool:
        return self.scheme in HTTP_SCHEMES

    @property
    def place(self) -> str:
        """Where its files go (`place`): what the ledger knows the target by."""
        return place(self.url)

    @property
    def store(self) -> str:
        """The server its url is on when the url does not say it: an S3 target's
        `endpoint_url` (its scheme and host in lower case, no trailing slash), "" for the
        default (AWS). The same `s3://bucket/prefix/` on two stores is two places."""
        if self.endpoint_url is None:
            return ""
        try:
            parts = urlsplit(self.endpoint_url)
        except ValueError:  # (said by `_check_url`)
            return self.endpoint_url
        netloc = parts.netloc.lower()
        return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))

    def wants(self, lang: str | None, section: str | None) -> bool:
        """Whether a file of this language and section goes to the target (files of no
        language or section go to every target)."""
        lang_ok = lang is None or self.languages == "all" or lang in self.languages
        section_ok = section is None or self.sections == "all" or section in self.sections
        return lang_ok and section_ok


def place(url: str) -> str:
    """Where a target URL's files go, what the ledger knows the target by: on a file store,
    the URL with its path percent-decoded, as delivering resolves it (`remotes`); an HTTP
    push URL as written. A URL whose folder changed is a new destination: the ledger's
    record of `sftp://h/Shared%20Drive/`, made when that was the folder literally named
    `Shared%20Drive`, is not taken for `Shared Drive`'s. A URL with nothing encoded in its
    path is its own place (the record of earlier runs still holds)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme in HTTP_SCHEMES or path == parts.path:
        return url
    return urlunsplit(parts._replace(path=path))


class RetryOptions(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How a failed request is tried again: timeouts, lost connections and server errors
    (HTTP 5xx, FTP 4xx) are; refusals (HTTP 4xx, a wrong password, a permission) are not."""

    # Bounded, so that a typo (100000000) never makes a failing target hold a run for days.
    attempts: Annotated[int, msgspec.Meta(ge=1, le=20)] = 5
    """Tries of one request."""
    wait_initial: Annotated[float, msgspec.Meta(gt=0, le=300)] = 1.0
    """Seconds before the second attempt; each wait doubles, with jitter."""
    wait_max: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 60.0
    """The longest wait between two attempts, in seconds."""
    timeout: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 30.0
    """Seconds a connection or a request may take."""


class DeliverOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Section `deliver` of syndicate.yaml."""

    targets: tuple[Target, ...] = ()
    """Where `syndicate deliver` sends the files of out/."""
    retry: RetryOptions = RetryOptions()
    public_target: str | None = None
    """The target that publishes base_url, if out/ is not served as it is: WebSub pings then
    wait until `syndicate deliver` has made that target current."""

    def check(self, config: SiteConfig) -> Iterator[tuple[OptionPath, str]]:
        seen: set[str] = set()
        for index, target in enumerate(self.targets):
            at = ("targets", index)
            if target.name in seen:
                yield (*at, "name"), f"{target.name!r} names two targets"
            seen.add(target.name)
            yield from _check_url(target, at)
            languages = target.languages
            if languages != "all" and (problem := not_site_languages(languages, config.languages)):
                yield (*at, "languages"), problem
        if self.public_target is not None and self.public_target not in seen:
            fix = did_you_mean(self.public_target, seen)
            yield "public_target", f"no target is named {self.public_target!r}{fix}"


def _check_url(target: Target, at: tuple[str, int]) -> Iterator[tuple[OptionPath, str]]:
    parts, unreadable = _split(target.url)
    if unreadable is not None:
        yield (*at, "url"), unreadable
        return
    password = parts.password is not None
    # the URL as a message may quote it: a password written in it (refused below) left out
    url, parts = _without_password(target.url, parts)
    if parts.query or parts.fragment:  # (refused below; a token, a signature, not quoted)
        url = url.partition("?" if parts.query else "#")[0]
    if any(c.isspace() for c in url):
        fixed = "".join(quote(c) if c.isspace() else c for c in url.strip())
        yield (*at, "url"), f"holds a space: write each space %20 in a URL, as in {fixed}"
    if password:
        yield (
            (*at, "url"),
            "holds a password: remove it and name where it is kept, e.g."
            " credentials: {password: env:PARTNER_PASSWORD}",
        )
    if parts.query or parts.fragment:
        yield (*at, "url"), "must not have a query or a fragment"
    unknown = _unknown_scheme(target.scheme)
    if unknown is not None:
        yield (*at, "url"), unknown
        return
    if target.scheme != "file" and not parts.hostname:
        yield (*at, "url"), "names no host"
    if target.scheme == "file" and parts.netloc:
        # file://srv/archive/ (two slashes) or RFC 8089's file://localhost/srv/archive/: the
        # files went to a folder `srv/archive` (`localhost/srv/archive`) in the site folder
        folder = (
            parts.path if parts.netloc.lower() == "localhost" else f"/{parts.netloc}{parts.path}"
        )
        yield (
            (*at, "url"),
            f"names a host ({parts.netloc}): a folder of this machine is written with three"
            f" slashes and no host, file://{folder}",
        )
    if "\0" in unquote(parts.path):
        yield (*at, "url"), "holds %00, a character no folder or file name can hold"
    allowed = _SCHEME_CREDENTIALS.get(target.scheme)
    if allowed is not None:
        for name in target.credentials.named():
            if name not in allowed:
                kinds = sorted(s for s, names in _SCHEME_CREDENTIALS.items() if name in names)
                problem = f"is for {' and '.join(kinds)} targets, not {target.scheme}"
                yield (*at, "credentials", name), problem
    for option, schemes in _SCHEME_OPTIONS.items():
        if getattr(target, option) is not None and target.scheme not in schemes:
            yield (*at, option), f"is for {' and '.join(sorted(schemes))} targets only"
    if target.endpoint_url is not None:
        endpoint, unreadable = _split(target.endpoint_url)
        if unreadable is not None:
            yield (*at, "endpoint_url"), unreadable
        elif endpoint.password is not None:
            yield (
                (*at, "endpoint_url"),
                "holds a password: remove it and name where it is kept, e.g."
                " credentials: {secret_access_key: env:S3_SECRET_KEY}",
            )
        elif endpoint.query or endpoint.fragment:  # (a signed query would be quoted whole)
            yield (*at, "endpoint_url"), "must not have a query or a fragment"


def _split(url: str) -> tuple[SplitResult, str | None]:
    """The URL's parts, and why they cannot be used if they cannot: a `[` opening an IPv6
    address never closed, a port that is no number or out of range (which some clients
    would wrap round to another port: 99999 is 34463)."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        host = url.partition("://")[2].partition("/")[0]
        if "[" in host and "]" not in host:
            return urlsplit(""), "opens an IPv6 address with [ and never closes it with ]"
        if "NFKC" in str(exc):  # Python's words quote the host part whole, a password too
            return urlsplit(""), (
                "holds in its host part a character read as / ? # @ or : once normalised"
                " (a full-width one, in a password?): write the host in plain letters and name"
                " where a password is kept, e.g. credentials: {password: env:PARTNER_PASSWORD}"
            )
        return urlsplit(""), f"cannot be read as a URL ({exc})"
    if _password_cut_short(url, parts):
        return urlsplit(""), (
            "holds an @ after a / ? or # that follows a : in its host part: a password written"
            " in it, cut short by one of those characters? Remove it and name where it is"
            " kept, e.g. credentials: {password: env:PARTNER_PASSWORD}; a folder named with"
            " an @ is written %40"
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 0 < port < 65536:
        written = parts.netloc.rpartition(":")[2]
        return parts, f"names port {written!r}: a port is a number from 1 to 65535"
    return parts, None


def _password_cut_short(url: str, parts: SplitResult) -> bool:
    """Whether `url` reads as `user:pass/word@host/...` (or `?`, `#` in the password): the host
    part ends at that character, so the password's start is read as a port (and quoted by a
    message) or, all digits, taken for one, the rest of it for a folder."""
    # (an IPv6 host, `[2001:db8::1]`, holds colons and no `user:`)
    if "@" in parts.netloc or ":" not in parts.netloc.rpartition("]")[2]:
        return False
    rest = url.partition("://")[2][len(parts.netloc) :]
    first = rest.lstrip("/?#")
    for mark in "/?#":
        first = first.partition(mark)[0]
    return "@" in first


def _without_password(url: str, parts: SplitResult) -> tuple[str, SplitResult]:
    """`url` and its `parts` with the password its user name may carry (`user:secret@`) taken
    out, so that no message quoting them shows it."""
    if parts.password is None:
        return url, parts
    login, at, host = parts.netloc.rpartition("@")
    netloc = login.partition(":")[0] + at + host
    # urlsplit drops tabs and line breaks: a password holding one is not found as written
    if parts.netloc in url:
        shown = url.replace(parts.netloc, netloc, 1)
    else:
        shown = urlunsplit(parts._replace(netloc=netloc))
    return shown, parts._replace(netloc=netloc)


def _unknown_scheme(scheme: str) -> str | None:
    """Why a URL's scheme names no way to deliver (None if it does): syndicate's own
    transports, or any other fsspec protocol (whose package may need installing)."""
    if scheme in _SCHEME_CREDENTIALS:
        return None
    if not scheme:
        return "names no protocol; write it as sftp://, ftp://, s3://, https:// or file://"
    from fsspec.registry import known_implementations

    if scheme in known_implementations:
        return None
    fix = did_you_mean(scheme, _SCHEME_CREDENTIALS)
    return (
        f"unknown protocol {scheme!r}{fix}; syndicate delivers over sftp, ftp, s3, http,"
        " https, file and the other fsspec protocols"
    )


def load_delivery(
    config: SiteConfig, registry: Registry, diags: Diagnostics
) -> DeliverOptions | None:
    """The checked `deliver` section (empty when absent), or None after reporting problems
    (all of them: the format names are checked as written, whatever else is wrong)."""
    ok = True
    targets = config.section(SECTION).get("targets")
    for index, target in enumerate(targets if isinstance(targets, list) else ()):
        formats = target.get("formats") if isinstance(target, dict) else None
        for position, name in enumerate(formats if isinstance(formats, list) else ()):
            if isinstance(name, str) and name != "all" and name not in registry.names:
                where = config.where(SECTION, "targets", index, "formats", position)
                diags.error(
                    "config.option",
                    f"{SECTION}: targets[{index}].formats: {registry.unknown_message(name)}",
                    where,
                )
                ok = False
    options = convert_section(SECTION, DeliverOptions, config, diags)
    return options if options is not None and ok else None


def check_exported(
    options: DeliverOptions, config: SiteConfig, registry: Registry, diags: Diagnostics
) -> None:
    """Warn of a target's format that `export --format all` does not write (a built-in partner
    profile the site does not name under `profiles:`): after the usual export, its folder
    would not exist and the target would get nothing of it."""
    written = set(registry.defaults)
    for index, target in enumerate(options.targets):
        for position, name in enumerate(target.formats):
            if name == "all" or name in written or not registry.is_profile(name):
                continue
            diags.warning(
                "deliver.format",
                f"{SECTION}: targets[{index}].formats: {name!r} is a partner profile that"
                f" `export --format all` writes only once `profiles:` names it: add"
                f" `profiles: {{{name}: {{}}}}`, or export it with `--format {name}`",
                config.where(SECTION, "targets", index, "formats", position),
            )
