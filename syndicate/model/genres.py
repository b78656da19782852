"""The IPTC genres a story may give (`genre:` in story.yaml), by their kebab-case names.

IPTC's genre NewsCodes (http://cv.iptc.org/newscodes/genre/) are spelled neither in one case nor
in one style (`Press_Release`, `Archive_material`, `From_the_Scene`): a code cannot be derived
from a name, so each name maps to its code as IPTC writes it. A name is the code in lower case,
`_` written `-`. Retired codes (`Anniversary`) are left out."""

from __future__ import annotations

GENRE_SCHEME = "http://cv.iptc.org/newscodes/genre/"
"""The URI of IPTC's genre vocabulary; a genre's URI is this plus its code."""

_CODES = (
    "Actuality",
    "Advertiser_Supplied",
    "Advice",
    "Advisory",
    "Analysis",
    "Archive_material",
    "Background",
    "Behind_the_Story",
    "Biography",
    "Birth_Announcement",
    "Current",
    "Curtain_Raiser",
    "Daybook",
    "Exclusive",
    "Feature",
    "Fixture",
    "Forecast",
    "From_the_Scene",
    "History",
    "Horoscope",
    "Interview",
    "Obituary",
    "Opinion",
    "Polls_and_Surveys",
    "Press_Release",
    "Profile",
    "Quote",
    "Raw_Sound",
    "Response_to_a_Question",
    "Results_Listings_Statistics",
    "Retrospective",
    "Review",
    "Satire",
    "Side_bar",
    "Special_Report",
    "Summary",
    "Synopsis",
    "Transcript",
)

GENRES: dict[str, str] = {code.lower().replace("_", "-"): code for code in _CODES}
"""Each genre name a story may give, with its IPTC code: `press-release` -> `Press_Release`."""
GENRE_NAMES: dict[str, str] = {code: name for name, code in GENRES.items()}
"""The way back, for items read in: `Press_Release` -> `press-release`."""
DEFAULT_GENRE = "current"


def genre_code(name: str) -> str:
    """The IPTC code of a genre name the reader accepted: `from-the-scene` -> `From_the_Scene`."""
    return GENRES[name]


def genre_uri(name: str) -> str:
    return GENRE_SCHEME + genre_code(name)
