"""WebSub: after an export or a delivery, one publish ping per feed that changed since it was
last announced (`hub.mode=publish`, `hub.url=<the feed's self URL>`), to the hub the feed itself
names (`<link rel="hub">`, from the `hub:` option of `feeds:` or of a partner profile). A ping
that fails is tried again at the next run: a feed is recorded as announced only once its hub
confirmed."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

import msgspec

from syndicate.build.engine import cache_folder
from syndicate.build.inventory import published_paths
from syndicate.build.state import state_folder
from syndicate.deliver.ledger import Entry, Ledger, LedgerError, changed
from syndicate.deliver.options import SECTION, DeliverOptions, RetryOptions
from syndicate.deliver.remotes import USER_AGENT, HttpStatusError, describe, within
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import AnyWriter
from syndicate.formats.options import convert_section
from syndicate.model import SiteConfig
from syndicate.readers.config import load_config, reserved_name
from syndicate.xmlbase import ATOM_NS

if TYPE_CHECKING:
    from syndicate.deliver.retry import Notice

logger = logging.getLogger(__name__)

HUB_OPTION = "hub"
"""The option of a format's section that names its WebSub hub (`feeds: hub:`)."""


@dataclass(frozen=True, slots=True)
class Due:
    entry: Entry
    hub: str
    topic: str


def hub_writers(writers: Iterable[AnyWriter], config: SiteConfig) -> list[AnyWriter]:
    """The writers whose options name a hub: written in syndicate.yaml, or a profile's
    default (Flipboard's). A section with problems names none (export reported them)."""
    return [w for w in writers if _hub(w, config)]


def may_name_hub(writer: AnyWriter) -> bool:
    """Whether the format's feeds may name a hub: its options have one (`hub:`)."""
    return any(f.encode_name == HUB_OPTION for f in msgspec.structs.fields(writer.Options))


def hub_folders(writers: Iterable[AnyWriter]) -> frozenset[str]:
    """The folders of the formats whose feeds may name a hub (`atom`, `partners/flipboard`)."""
    return frozenset(f for w in writers if may_name_hub(w) for f in w.owned_folders())


def _hub(writer: AnyWriter, config: SiteConfig) -> str | None:
    if not may_name_hub(writer):
        return None
    options = convert_section(writer.section(), writer.Options, config, Diagnostics())
    hub = getattr(options, HUB_OPTION, None)
    return hub if isinstance(hub, str) and hub else None


class Pings(NamedTuple):
    """What `announce` did: the pings sent, and the changed feeds left to announce at the next
    run (their hub failed)."""

    sent: int
    left: int


def announce(
    out: Path,
    writers: Iterable[AnyWriter],
    ledger: Ledger,
    retry: RetryOptions,
    diags: Diagnostics,
    *,
    severity: Literal["error", "warning"],
    notice: Notice | None = None,
) -> Pings:
    """Ping the hub of every feed of `writers` in `out` that changed since it was last
    announced; a ping that fails is reported with `severity`, each retry told to `notice`.
    Returns the pings sent and the feeds left to announce (their hub failed)."""
    due = list(_due(out, writers, ledger))
    if not due:
        return Pings(0, 0)
    import httpx

    from syndicate.deliver.retry import GaveUp, retrying, telling  # tenacity: a feed is due

    sent = 0
    with httpx.Client(
        timeout=retry.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
    ) as client:

        def ping(item: Due) -> None:
            form = {"hub.mode": "publish", "hub.url": item.topic}
            # Bounded as a delivery's request (`within`): httpx bounds each read only.
            response = within(retry.timeout, lambda: client.post(item.hub, data=form), lambda: None)
            if not response.is_success:
                raise HttpStatusError(response.status_code, response.reason_phrase)

        failed: dict[str, int] = {}
        """Hubs that failed, and how many of their pings were left for the next run."""
        failed_at: dict[str, str] = {}
        for item in due:
            if item.hub in failed:  # one failing hub costs one round of retries, not one per feed
                failed[item.hub] += 1
                continue
            try:
                told = telling(notice, f"WebSub hub {item.hub}: ping for {item.topic}")
                retrying(retry, functools.partial(ping, item), lambda: None, told)
            except GaveUp as failure:
                failed[item.hub] = 1
                tries = f" (after {failure.attempts} attempts)" if failure.attempts > 1 else ""
                reason = f"{describe(failure.error)}{tries}"
                failed_at[item.hub] = f"ping for {item.topic} failed: {reason}"
                continue
            ledger.record_announced(item.entry, item.topic)
            sent += 1
        for hub, left in failed.items():
            message = (
                f"WebSub hub {hub}: {failed_at[hub]}; {left} changed feeds are left to"
                " announce at the next run"
            )
            getattr(diags, severity)("websub.ping", message)
    return Pings(sent, sum(failed.values()))


def announce_export(
    config: Path,
    out: Path,
    writers: Iterable[AnyWriter],
    diags: Diagnostics,
    notice: Notice | None = None,
) -> int:
    """After `syndicate export`: announce the feeds that changed, unless a delivery target
    publishes base_url (`deliver: public_target:`), when `syndicate deliver` does it once that
    target holds the new feeds. A failed ping is a warning: the export itself succeeded."""
    scratch = Diagnostics()  # the export reported the configuration's problems
    site = load_config(config, str(config), scratch)
    hubbed = hub_writers(writers, site) if site is not None else []
    if site is None or not hubbed:
        return 0
    options = convert_section(SECTION, DeliverOptions, site, scratch)
    if options is None:
        diags.warning(
            "websub.config",
            f"feeds not announced to their hub: the {SECTION} section has errors"
            " (syndicate validate lists them)",
            site.where(SECTION),
        )
        return 0
    if options.public_target is not None:
        return 0
    try:
        # Not repaired here: `syndicate deliver` replaces a ledger that is not a database, and
        # says so; an export only announces, and leaves it as it found it.
        ledger = Ledger(state_folder(out, cache_folder(config, out)), repair=False)
    except LedgerError as exc:
        diags.warning("websub.ledger", f"feeds not announced to their hub: {exc}")
        return 0
    try:
        return announce(
            out, hubbed, ledger, options.retry, diags, severity="warning", notice=notice
        ).sent
    finally:
        ledger.close()


def _due(out: Path, writers: Iterable[AnyWriter], ledger: Ledger) -> Iterator[Due]:
    """The feeds whose bytes changed since they were last announced, with their hub; a changed
    feed that names no hub (an archive page) is recorded at once."""
    known = ledger.announced()
    folders = sorted({f for w in writers for f in w.owned_folders()})
    feeds = [p for f in folders for p in published_paths(out, f) if p.endswith(FEED_SUFFIXES)]
    for path in feeds:
        old = known.get(path)
        entry = changed(out, path, old)
        if entry is None:
            continue
        if old is not None and old.sha256 == entry.sha256:
            ledger.record_announced(entry, None)
            continue
        hub, topic = feed_links(out / path)
        if hub and topic and not _nowhere(topic, hub):
            yield Due(entry, hub, topic)
        else:
            ledger.record_announced(entry, None)


def _nowhere(topic: str, hub: str) -> bool:
    """Whether the feed is on a name no site has (init's placeholder, `example.org`,
    `.example`, `.test`, `localhost`...: `base_url` not set yet) while its hub is elsewhere: a
    public hub (Flipboard's default, Google's) could fetch nothing there, and was told of
    `https://harbour.example/...` at every export of a site being tried out. A hub on such a
    name or on this machine (one run to test WebSub) is still told."""
    return reserved_name(topic) is not None and reserved_name(hub) is None


FEED_SUFFIXES = (".xml", ".json")
"""The files a feed format writes that may name a hub: Atom and RSS, and JSON Feed."""


def feed_links(path: Path) -> tuple[str | None, str | None]:
    """The hub and self links of an Atom feed, of an RSS channel (as atom:link), or of a JSON
    Feed (`hubs` of type WebSub, and `feed_url`)."""
    if path.suffix == ".json":
        return _json_feed_links(path)
    from lxml import etree

    from syndicate.xmlbase import safe_parser

    try:
        root = etree.parse(str(path), safe_parser()).getroot()
    except etree.XMLSyntaxError:
        logger.debug("%s is not well-formed: not announced", path)
        return None, None
    head = root.find("channel") if root.tag == "rss" else root
    if head is None:
        return None, None
    links = {link.get("rel"): link.get("href") for link in head.findall(f"{{{ATOM_NS}}}link")}
    return links.get("hub"), links.get("self")


def _json_feed_links(path: Path) -> tuple[str | None, str | None]:
    try:
        feed = msgspec.json.decode(path.read_bytes())
    except (OSError, msgspec.DecodeError):
        logger.debug("%s is not JSON: not announced", path)
        return None, None
    if not isinstance(feed, dict):
        return None, None
    hubs = feed.get("hubs")
    hub = next(
        (
            h.get("url")
            for h in (hubs if isinstance(hubs, list) else [])
            if isinstance(h, dict) and str(h.get("type", "")).lower() == "websub"
        ),
        None,
    )
    topic = feed.get("feed_url")
    return (
        hub if isinstance(hub, str) else None,
        topic if isinstance(topic, str) else None,
    )
