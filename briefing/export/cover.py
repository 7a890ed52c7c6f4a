"""Cover art: a generated square PNG with the show title, or a show's own JPEG/PNG, checked.

Podcast apps want square RGB JPEG or PNG art of 1400-3000 px. The generated cover is
deterministic (same input, same Pillow, same bytes). Text is set in Roboto (the `font-roboto`
package); without it, Pillow's built-in font is used, which lacks accented letters, so the text
is then folded to ASCII rather than drawn as boxes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.errors import ExportError
from briefing.export.names import ascii_fold

if TYPE_CHECKING:
    from PIL import ImageFont

MIN_SIZE, MAX_SIZE = 1400, 3000
FORMATS = {"JPEG": ("image/jpeg", (".jpg", ".jpeg")), "PNG": ("image/png", (".png",))}

# (background, text, accent): every pair of background and text has a contrast ratio above 7.
PALETTES: tuple[tuple[tuple[int, int, int], ...], ...] = (
    ((16, 42, 67), (255, 255, 255), (255, 196, 0)),
    ((120, 20, 40), (255, 248, 240), (255, 170, 120)),
    ((20, 60, 45), (250, 250, 240), (160, 220, 120)),
    ((35, 35, 40), (255, 255, 255), (0, 200, 220)),
    ((250, 244, 230), (25, 25, 35), (200, 40, 40)),
    ((60, 30, 90), (255, 255, 255), (255, 140, 200)),
)
TITLE_MAX_LINES = 4

RGB = tuple[int, int, int]


def _luminance(rgb: RGB) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def palette_for(show_title: str) -> tuple[RGB, RGB, RGB]:
    """The palette a show gets, chosen from its title so it never changes between episodes."""
    digest = hashlib.sha256(show_title.encode("utf-8")).digest()
    bg, fg, accent = PALETTES[digest[0] % len(PALETTES)]
    return bg, fg, accent


def _font_loader() -> tuple[Callable[[int, bool], ImageFont.FreeTypeFont], bool]:
    """A function (size, bold) -> font, and whether it covers accented letters."""
    from PIL import ImageFont

    try:
        files = resources.files("font_roboto") / "files"
        bold, regular = files / "Roboto-Bold.ttf", files / "Roboto-Regular.ttf"
        if bold.is_file() and regular.is_file():
            data = {True: bold.read_bytes(), False: regular.read_bytes()}

            def roboto(size: int, heavy: bool) -> ImageFont.FreeTypeFont:
                return ImageFont.truetype(io.BytesIO(data[heavy]), size)

            return roboto, True
    except ModuleNotFoundError:
        pass

    def builtin(size: int, heavy: bool) -> ImageFont.FreeTypeFont:
        font = ImageFont.load_default(size=size)
        if not isinstance(font, ImageFont.FreeTypeFont):
            raise ExportError("Pillow has no scalable built-in font", cause="Pillow < 10.1 or no FreeType")
        return font

    return builtin, False


def _glyph(ch: str, font: ImageFont.FreeTypeFont) -> bytes:
    from PIL import Image, ImageDraw

    side = int(font.size * 2)
    image = Image.new("L", (side, side))
    ImageDraw.Draw(image).text((0, 0), ch, font=font, fill=255)
    return image.tobytes()


def _drawable(text: str, font: ImageFont.FreeTypeFont, full: bool) -> str:
    """Text the font can draw: missing glyphs folded to ASCII (or dropped), spaces collapsed."""
    if not full:
        return " ".join(ascii_fold(text).split())
    missing = _glyph("\U000f0000", font)  # a private-use char: the font's .notdef box
    out = []
    for ch in text:
        if ch.isspace() or _glyph(ch, font) != missing:
            out.append(ch)
        else:
            out.append(ascii_fold(ch))
    return " ".join("".join(out).split())


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to `width` pixels; a word wider than a line is broken between letters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:
            if font.getlength(line + ch) > width and line:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines


def _fit(
    text: str, load: Callable[[int, bool], ImageFont.FreeTypeFont], width: int, height: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest bold font (and its lines) that sets `text` in the box."""
    size = height // 2
    while True:
        font = load(size, True)
        lines = _wrap(text, font, width)
        ascent, descent = font.getmetrics()
        if len(lines) <= TITLE_MAX_LINES and len(lines) * (ascent + descent) <= height:
            return font, lines
        if size <= 24:
            return font, lines
        size = int(size * 0.92)


def make_cover(show_title: str, subtitle: str | None = None, size: int = MIN_SIZE) -> bytes:
    """A square RGB PNG, `size` px, with the show title large and the subtitle below it."""
    from PIL import Image, ImageDraw

    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ExportError(
            f"cover size {size} px is outside {MIN_SIZE}-{MAX_SIZE}", cause="podcast app limits"
        )
    if not show_title.strip():
        raise ExportError("cannot draw a cover without a show title")
    load, full = _font_loader()
    bg, fg, accent = palette_for(show_title)
    margin = size * 8 // 100
    width = size - 2 * margin
    image = Image.new("RGB", (size, size), bg)
    draw = ImageDraw.Draw(image)

    title = _drawable(show_title, load(100, True), full)
    font, lines = _fit(title, load, width, size * 45 // 100)
    ascent, descent = font.getmetrics()
    line_height = ascent + descent
    sub_font = load(size * 45 // 1000, False)
    sub_lines = _wrap(_drawable(subtitle, sub_font, full), sub_font, width) if subtitle else []
    sub_lines = sub_lines[:3]
    sub_height = sum(sub_font.getmetrics()) * len(sub_lines)

    block = len(lines) * line_height + (sub_height + size // 25 if sub_lines else 0)
    y = max(margin * 2, (size - block) // 2)
    bar = size // 70
    draw.rectangle((margin, y - 3 * bar, margin + size // 6, y - 2 * bar), fill=accent)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=fg)
        y += line_height
    y += size // 25
    for line in sub_lines:
        draw.text((margin, y), line, font=sub_font, fill=accent)
        y += sum(sub_font.getmetrics())
    draw.rectangle((0, size - bar * 2, size, size), fill=accent)

    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def load_cover(path: Path) -> tuple[bytes, str]:
    """A show's own artwork as (bytes, MIME type), after checking what podcast apps require:
    JPEG or PNG with a matching extension, square, 1400-3000 px, RGB without transparency."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt, (w, h), mode = image.format, image.size, image.mode
            transparent = "transparency" in image.info
    except OSError as e:  # UnidentifiedImageError and truncated files are OSErrors
        kind = "not an image" if isinstance(e, UnidentifiedImageError) else str(e)
        raise ExportError(f"cannot read cover {path}", cause=kind) from e
    if fmt not in FORMATS:
        raise ExportError(f"cover {path} is {fmt}", cause="podcast apps accept JPEG or PNG only")
    mime, suffixes = FORMATS[fmt]
    if path.suffix.lower() not in suffixes:
        raise ExportError(
            f"cover {path} is {fmt} but named {path.suffix or 'without extension'}",
            cause=f"rename it to {suffixes[0]}: apps trust the extension",
        )
    if w != h:
        raise ExportError(f"cover {path} is {w}x{h} px", cause="it must be square")
    if not MIN_SIZE <= w <= MAX_SIZE:
        raise ExportError(f"cover {path} is {w} px wide", cause=f"it must be {MIN_SIZE}-{MAX_SIZE} px")
    if mode not in ("RGB", "L", "P") or transparent:
        raise ExportError(
            f"cover {path} has colour mode {mode}{' with transparency' if transparent else ''}",
            cause="podcast apps expect RGB without transparency (CMYK shows wrong colours)",
        )
    return data, mime
