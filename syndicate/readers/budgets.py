"""What reading one story may cost: every limit is checked before the work (by `stat`, or from
an image's header) or while streaming, never by reading a huge file whole. Each is far above
what a news story needs; an input beyond one is a mistake or an attack."""

from __future__ import annotations

MAX_TEXT_BYTES = 2 * 1024 * 1024
"""One text file: `story.yaml`, a language file, `syndicate.yaml`."""
MAX_STORY_TEXT_BYTES = 8 * 1024 * 1024
"""A story's text files together."""
MAX_YAML_CHARS = 2 * 1024 * 1024
"""The text of one YAML document once its aliases are expanded (a 100 KB value aliased 2,000
times is 200 MB of headlines)."""
MAX_STORY_YAML_CHARS = 8 * 1024 * 1024
"""The same, for a story's YAML documents together."""
MAX_YAML_VALUES = 100_000
"""Values one YAML document expands to (nested aliases, "billion laughs")."""
MAX_YAML_DEPTH = 50
"""Nesting of YAML collections (PyYAML's composer recurses per level)."""
MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""One image file."""
MAX_STORY_IMAGE_BYTES = 64 * 1024 * 1024
"""A story's images together."""
MAX_IMAGE_PIXELS = 40_000_000
"""Width x height x frames of one image, read from its header before it is decoded."""
MAX_IMAGE_FRAMES = 5_000
"""Frames of one animated image (a minute at 25 frames a second is 1,500): each frame costs
its own decoding, whatever its size (1,300,000 frames of one pixel took 75 s)."""
MAX_STORY_PIXELS = 160_000_000
"""The same, for a story's images together."""
MAX_NAME_BYTES = 120
"""A story slug or an image's published name, in UTF-8: names become file names under out/
with a language and an extension added, which must stay under the 255 bytes file systems
allow."""
