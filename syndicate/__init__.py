"""syndicate: write a story once, in several languages, and publish it to every channel."""

__version__ = "0.1.0"


def _calm_machine_zone() -> None:
    """Import babel's guess of this machine's time zone (`babel.localtime`, read once when
    babel is imported) with $TZ set aside when babel cannot read it: `TZ=Asia` (a folder of
    the zone database) or a file that is no zone made every command that formats a date
    fail with IsADirectoryError. Syndicate never uses the machine's zone (every date is
    shown in the story's or the site's), so nothing it writes changes; $TZ stays as given,
    for `syndicate init` to read. Checked without importing babel (nor syndicate.i18n, its
    one adapter), which most runs of the command line never need."""
    import os

    tz = os.environ.get("TZ", "")
    if not tz or _readable_zone(tz.removeprefix(":")):
        return
    from syndicate.i18n.dates import read_machine_zone_without

    read_machine_zone_without(tz)


def _readable_zone(tz: str) -> bool:
    """Whether babel reads `tz` (a file, or a zone's name) without failing."""
    import os
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        if os.path.exists(tz):
            with open(tz, "rb") as file:
                ZoneInfo.from_file(file)
        else:
            ZoneInfo(tz)
    except ZoneInfoNotFoundError:
        return True  # babel takes it as no zone given
    except ValueError as exc:
        return str(exc).startswith("ZoneInfo keys ")  # the same, for a key such as "/x"
    except OSError:
        return False
    return True


_calm_machine_zone()
