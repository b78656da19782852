"""Where the HTML writer publishes the site's own images (publisher logo and icon), so every
writer that links to them (feeds, JSON-LD, pages) uses the same URL."""

from __future__ import annotations

from pathlib import Path

from syndicate.writers.base import Context

SITE_MEDIA = "html/media/site"


def site_media_path(file: Path) -> str:
    """The path under out/ of a site image: `html/media/site/logo.png`."""
    return f"{SITE_MEDIA}/{file.name}"


def site_media_url(ctx: Context, file: Path) -> str:
    """The public URL of a site image."""
    return ctx.urls.output(site_media_path(file))


def site_files(ctx: Context) -> tuple[Path, ...]:
    """The publisher's logo and icon, as configured (no duplicates)."""
    publisher = ctx.config.publisher
    files = (publisher.logo, publisher.icon) if publisher.icon else (publisher.logo,)
    return tuple(dict.fromkeys(files))
