"""Cover art: generated PNGs are square, legible, deterministic; own artwork is checked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from briefing.errors import ExportError
from briefing.export.cover import (
    PALETTES,
    contrast_ratio,
    load_cover,
    make_cover,
    palette_for,
)
from briefing.export.tags import Cover


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def ink(image: Image.Image, colour: tuple[int, int, int], box: tuple[int, int, int, int]) -> int:
    """Pixels in `box` within a small distance of `colour` (anti-aliasing aside)."""
    region = image.crop(box).convert("RGB")
    return sum(
        count
        for count, (r, g, b) in region.getcolors(maxcolors=1 << 20) or []
        if abs(r - colour[0]) + abs(g - colour[1]) + abs(b - colour[2]) < 40
    )


def test_generated_cover_is_a_square_rgb_png() -> None:
    data = make_cover("Le Briefing", "L'actualité du matin")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = decode(data)
    assert image.format == "PNG" and image.mode == "RGB" and image.size == (1400, 1400)
    assert len(data) < 512 * 1024
    Cover(data, "image/png")  # accepted as ID3 cover


def test_sizes_and_limits() -> None:
    assert decode(make_cover("X", None, 3000)).size == (3000, 3000)
    for size in (1399, 3001):
        with pytest.raises(ExportError, match="outside 1400-3000"):
            make_cover("X", None, size)
    with pytest.raises(ExportError, match="show title"):
        make_cover("  ", None)


def test_deterministic_and_distinct() -> None:
    assert make_cover("Le Briefing", "Sous-titre") == make_cover("Le Briefing", "Sous-titre")
    assert make_cover("Le Briefing", "Sous-titre") != make_cover("Le Briefing", "Autre")
    assert make_cover("Le Briefing", None) != make_cover("La Revue", None)


def test_title_is_drawn_large_in_the_text_colour() -> None:
    title = "Le Briefing"
    image = decode(make_cover(title, None))
    background, text, _ = palette_for(title)
    text_pixels = ink(image, text, (0, 0, 1400, 1400))
    assert text_pixels > 0.03 * 1400 * 1400  # big letters, not a footnote
    pixels = image.load()
    assert pixels is not None
    xs = [
        x
        for x in range(0, 1400, 7)
        for y in range(0, 1300, 7)
        if sum(abs(a - b) for a, b in zip(pixels[x, y], text, strict=True)) < 40  # type: ignore[arg-type]
    ]
    assert max(xs) - min(xs) > 0.4 * 1400  # the title spans much of the width
    assert ink(image, background, (0, 0, 1400, 1400)) > 0.5 * 1400 * 1400


def test_accents_are_drawn_not_replaced() -> None:
    # Pillow's built-in font has no accented letters; the cover must not fall back to it.
    accented, plain = "Été à Noël", "Ete a Noel"
    whole = (0, 0, 1400, 1400)
    ink_accented = ink(decode(make_cover(accented, None)), palette_for(accented)[1], whole)
    ink_plain = ink(decode(make_cover(plain, None)), palette_for(plain)[1], whole)
    assert ink_accented > ink_plain * 1.01


def test_palettes_are_legible() -> None:
    for background, text, accent in PALETTES:
        assert contrast_ratio(background, text) >= 7
        assert contrast_ratio(background, accent) >= 4.5
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21)


def save(tmp_path: Path, name: str, image: Image.Image, fmt: str) -> Path:
    path = tmp_path / name
    image.save(path, fmt)
    return path


def test_load_cover_accepts_jpeg_and_png(tmp_path: Path) -> None:
    jpeg = save(tmp_path, "a.jpg", Image.new("RGB", (1400, 1400), (10, 20, 30)), "JPEG")
    data, mime = load_cover(jpeg)
    assert mime == "image/jpeg" and data == jpeg.read_bytes()
    png = save(tmp_path, "b.PNG", Image.new("RGB", (3000, 3000), (10, 20, 30)), "PNG")
    assert load_cover(png)[1] == "image/png"
    Cover(*load_cover(png))


@pytest.mark.parametrize(
    ("name", "image", "fmt", "message"),
    [
        ("a.jpg", Image.new("RGB", (1400, 1300)), "JPEG", "square"),
        ("a.jpg", Image.new("RGB", (1000, 1000)), "JPEG", "1400-3000"),
        ("a.png", Image.new("RGB", (3200, 3200)), "PNG", "1400-3000"),
        ("a.png", Image.new("RGB", (1400, 1400)), "JPEG", "rename it to .jpg"),
        ("a.jpg", Image.new("CMYK", (1400, 1400)), "JPEG", "CMYK"),
        ("a.png", Image.new("RGBA", (1400, 1400)), "PNG", "transparency|RGBA"),
        ("a.gif", Image.new("RGB", (1400, 1400)), "GIF", "JPEG or PNG"),
    ],
)
def test_load_cover_names_the_problem(
    tmp_path: Path, name: str, image: Image.Image, fmt: str, message: str
) -> None:
    path = save(tmp_path, name, image, fmt)
    with pytest.raises(ExportError, match=message):
        load_cover(path)


def test_load_cover_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "cover.jpg"
    path.write_bytes(b"<html>not found</html>")
    with pytest.raises(ExportError, match="not an image"):
        load_cover(path)
    with pytest.raises(ExportError, match="cannot read"):
        load_cover(tmp_path / "missing.png")


def test_load_cover_truncated(tmp_path: Path) -> None:
    path = save(tmp_path, "a.jpg", Image.effect_noise((1400, 1400), 50).convert("RGB"), "JPEG")
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(ExportError, match="cannot read"):
        load_cover(path)
