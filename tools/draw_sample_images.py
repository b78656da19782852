"""Draw the sample article infographic and the YCPress logo and icon as PNG files."""

import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
CHART_PATH = ROOT / "articles/2021-02-18-nato-iraq-deployment/images/nato-iraq-mission.png"
LOGO_PATH = ROOT / "articles/_site/logo.png"
ICON_PATH = ROOT / "articles/_site/icon.png"

NAVY = (31, 58, 95)  # #1f3a5f
RED = (200, 16, 46)  # #c8102e
INK = (34, 34, 34)  # body text, 15.9:1 on white
GREY_TEXT = (89, 89, 89)  # secondary text, 7.0:1 on white
GREY_BAR = (123, 135, 148)  # "before" bar, 3.6:1 on white
RULE = (217, 217, 217)  # hairlines and gridlines
WHITE = (255, 255, 255)


def font_path(pattern: str) -> str:
    """Return the font file fontconfig picks for a pattern such as 'Noto Sans:bold'."""
    result = subprocess.run(
        ["fc-match", "--format=%{file}", pattern],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


REGULAR = font_path("Noto Sans")
BOLD = font_path("Noto Sans:bold")


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(BOLD if bold else REGULAR, size)


def draw_chart(path: Path) -> None:
    width, height = 1600, 900
    margin = 96
    img = Image.new("RGB", (width, height), WHITE)
    d = ImageDraw.Draw(img)

    # Header: accent tab, title, subtitle.
    d.rectangle([margin, 64, margin + 72, 71], fill=RED)
    d.text((margin, 96), "NATO's mission in Iraq", font=font(64, bold=True), fill=NAVY, anchor="lt")
    d.text((margin, 184), "Personnel, approximate", font=font(32), fill=GREY_TEXT, anchor="lt")

    # Bars, drawn to scale: 4,000 personnel span the full plot width.
    plot_left, plot_width, max_value = margin, 1120, 4000
    bar_height = 110
    bars = [
        ("Before (since 2018)", 500, "~500", GREY_BAR, 336),
        ("Planned (announced 18 Feb 2021)", 4000, "~4,000", NAVY, 546),
    ]
    axis_top, axis_bottom = bars[0][4] - 56, bars[-1][4] + bar_height + 16

    # Light vertical gridlines with tick labels below the plot; the zero line is darker.
    tick_font = font(24)
    for value in range(0, max_value + 1, 1000):
        x = plot_left + round(value / max_value * plot_width)
        d.line([(x, axis_top), (x, axis_bottom)], fill=GREY_TEXT if value == 0 else RULE, width=2)
        d.text((x, axis_bottom + 12), f"{value:,}", font=tick_font, fill=GREY_TEXT, anchor="mt")

    label_font, value_font = font(30, bold=True), font(40, bold=True)
    middles = []
    for label, value, value_text, colour, top in bars:
        right = plot_left + round(value / max_value * plot_width)
        # Category label above the bar, knocked out of the gridlines behind it.
        label_xy = (plot_left + 14, top - 14)
        box = d.textbbox(label_xy, label, font=label_font, anchor="lb")
        d.rectangle([box[0] - 8, box[1] - 6, box[2] + 8, box[3] + 6], fill=WHITE)
        d.text(label_xy, label, font=label_font, fill=INK, anchor="lb")
        d.rectangle([plot_left, top, right - 1, top + bar_height - 1], fill=colour)
        middle = top + bar_height // 2
        if right - plot_left > 300:  # room inside the bar: white label, right-aligned
            d.text((right - 24, middle), value_text, font=value_font, fill=WHITE, anchor="rm")
        else:
            d.text((right + 20, middle), value_text, font=value_font, fill=INK, anchor="lm")
        middles.append(middle)

    # "×8" annotation: a red bracket joining the two bars, to the right of the plot.
    bx = plot_left + plot_width + 48
    top_y, bottom_y = middles
    d.line([(bx - 20, top_y), (bx, top_y), (bx, bottom_y), (bx - 20, bottom_y)], fill=RED, width=4)
    mid_y = (top_y + bottom_y) // 2
    d.text((bx + 26, mid_y), "×8", font=font(96, bold=True), fill=RED, anchor="lm")

    # Footer.
    d.line([(margin, height - 96), (width - margin, height - 96)], fill=RULE, width=2)
    footer = "Source: NATO · Graphic: YCPress"
    d.text((margin, height - 72), footer, font=font(24), fill=GREY_TEXT, anchor="lt")

    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=True)


def paint_text(
    img: Image.Image,
    xy: tuple[int, int],
    text: str,
    fnt: ImageFont.FreeTypeFont,
    colour: tuple[int, int, int],
) -> None:
    """Composite text onto an RGBA image through a mask, so edges stay clean on transparency."""
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).text(xy, text, font=fnt, fill=255, anchor="ls")
    layer = Image.new("RGBA", img.size, (*colour, 255))
    layer.putalpha(mask)
    img.alpha_composite(layer)


def draw_logo(path: Path) -> None:
    img = Image.new("RGBA", (600, 60), (0, 0, 0, 0))
    fnt = font(66, bold=True)  # cap height about 47 px, centred vertically
    baseline = 54
    paint_text(img, (2, baseline), "YC", fnt, RED)
    paint_text(img, (2 + round(fnt.getlength("YC")), baseline), "Press", fnt, NAVY)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=True)


def draw_icon(path: Path) -> None:
    size = 512
    img = Image.new("RGB", (size, size), NAVY)
    d = ImageDraw.Draw(img)
    fnt = font(260, bold=True)
    left, top, right, bottom = d.textbbox((0, 0), "YC", font=fnt, anchor="ls")
    gap, rule = 44, 24
    x = (size - (right - left)) // 2 - left
    y = (size - (bottom - top + gap + rule)) // 2 - top  # baseline; centres text + rule
    d.text((x, y), "YC", font=fnt, fill=WHITE, anchor="ls")
    d.rectangle([x + left, y + bottom + gap, x + right - 1, y + bottom + gap + rule - 1], fill=RED)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=True)


def main() -> None:
    draw_chart(CHART_PATH)
    draw_logo(LOGO_PATH)
    draw_icon(ICON_PATH)
    for path in (CHART_PATH, LOGO_PATH, ICON_PATH):
        with Image.open(path) as im:
            size = f"{im.width}x{im.height} {im.mode}, {path.stat().st_size} bytes"
        print(f"{path.relative_to(ROOT)}: {size}")


if __name__ == "__main__":
    main()
