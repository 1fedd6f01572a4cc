"""Thumbnails, and the defences of the decoder: pixel limits, restricted formats, truncation."""

from __future__ import annotations

import io
import warnings
from typing import Literal

import pytest
from PIL import Image

from app.uploads.images import MAX_PIXELS, ImageRejectedError, make_thumbnails


def encoded(size: tuple[int, int], pillow_format: str = "PNG", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format=pillow_format)
    return out.getvalue()


@pytest.fixture(autouse=True)
def pillow_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # make_thumbnails sets Pillow's process-wide limit; each test starts from the default.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)


@pytest.mark.parametrize(
    ("pillow_format", "content_type", "mode"),
    [
        ("PNG", "image/png", "RGBA"),
        ("JPEG", "image/jpeg", "RGB"),
        ("JPEG", "image/jpeg", "CMYK"),
        ("GIF", "image/gif", "P"),
        ("WEBP", "image/webp", "RGB"),
        ("PNG", "image/png", "I;16"),
        ("PNG", "image/png", "1"),
    ],
)
def test_two_sizes_keeping_the_aspect_ratio(
    pillow_format: str, content_type: str, mode: str
) -> None:
    data = encoded((1200, 300), pillow_format, mode)

    thumbnails = make_thumbnails(io.BytesIO(data), content_type)

    assert [(t.size, t.width, t.height) for t, _ in thumbnails] == [
        (128, 128, 32),
        (512, 512, 128),
    ]
    for thumbnail, png in thumbnails:
        with Image.open(io.BytesIO(png)) as made:
            assert (made.format, made.size) == ("PNG", (thumbnail.width, thumbnail.height))


def test_small_images_are_not_enlarged() -> None:
    [(small, _), (large, _)] = make_thumbnails(io.BytesIO(encoded((100, 50))), "image/png")

    assert (small.width, small.height) == (100, 50)
    assert (large.width, large.height) == (100, 50)


def test_the_exif_orientation_is_applied() -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees: a phone held upright
    Image.new("RGB", (400, 200)).save(out, format="JPEG", exif=exif)

    [(small, _), _] = make_thumbnails(io.BytesIO(out.getvalue()), "image/jpeg")

    assert (small.width, small.height) == (64, 128)


def test_our_limit_makes_pillow_warn_then_refuse() -> None:
    # What the limit means in Pillow itself: a warning above it, an error above twice it.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with (
        pytest.warns(Image.DecompressionBombWarning),
        Image.open(io.BytesIO(encoded((7000, 7000), mode="1"))),
    ):
        pass
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(encoded((10_000, 10_000), mode="1")))


@pytest.mark.parametrize("warning_filter", ["default", "ignore"])
@pytest.mark.parametrize("size", [(7000, 7000), (10_000, 10_000), (40_001, 1000)])
def test_decompression_bombs_are_refused_warning_or_error(
    size: tuple[int, int], warning_filter: Literal["default", "ignore"]
) -> None:
    # 49 megapixels only warns in Pillow at our limit, 100 megapixels is its error: both refused
    data = encoded(size, mode="1")
    assert len(data) < 64 * 1024

    # As on Lambda (Python's default filters), or with warnings silenced: never pytest's own
    # `filterwarnings = error`, which would turn the warning into an error for the code.
    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter(warning_filter)
        with pytest.raises(ImageRejectedError, match="decompression bomb"):
            make_thumbnails(io.BytesIO(data), "image/png")


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (encoded((300, 300))[:-40], "image/png", "not a readable PNG image"),
        (encoded((300, 300), "JPEG")[:300], "image/jpeg", "not a readable JPEG image"),
        (encoded((300, 300), "GIF", "P")[:60], "image/gif", "not a readable GIF image"),
        (b"\x89PNG\r\n\x1a\nnothing more", "image/png", "the content is not a PNG image"),
        # Only the decoder for the sniffed type is tried: a JPEG is not decoded as a "PNG"
        (encoded((30, 30), "JPEG"), "image/png", "the content is not a PNG image"),
        (encoded((30, 30), "BMP"), "image/png", "the content is not a PNG image"),
        (encoded((30, 30)), "image/svg+xml", "not an image type that is thumbnailed"),
    ],
)
def test_broken_or_disguised_images_are_refused(
    data: bytes, content_type: str, reason: str
) -> None:
    with pytest.raises(ImageRejectedError, match=reason):
        make_thumbnails(io.BytesIO(data), content_type)


def test_a_corrupted_chunk_is_caught_by_verify() -> None:
    data = bytearray(encoded((64, 64)))
    # Flip a byte inside the image data: the chunk's CRC no longer matches, which only a
    # check of the whole structure notices (the header still reads fine).
    data[data.index(b"IDAT") + 6] ^= 0xFF

    with pytest.raises(ImageRejectedError, match="not a readable PNG image"):
        make_thumbnails(io.BytesIO(bytes(data)), "image/png")
