"""Thumbnails of uploaded images, decoded defensively: the bytes come from anyone.

Pillow is imported inside the functions here, never at module level: the API never needs it and
the worker pays for it only when an image arrives.
"""

from __future__ import annotations

import io
import warnings
from typing import IO, TYPE_CHECKING

from app.uploads.files import Thumbnail
from offload.reasons import Reason

if TYPE_CHECKING:
    from PIL.Image import Image

#: Longest side of each thumbnail, in pixels; the aspect ratio is kept.
THUMBNAIL_SIZES = (128, 512)
#: Pillow warns above this many pixels and refuses above twice as many; here the warning is an
#: error too. 40 megapixels decode to at most 160 MB (RGBA), well inside the worker's memory.
MAX_PIXELS = 40_000_000
#: The decoder for each type the sniffer recognises; no other Pillow plugin is ever tried.
PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


class ImageRejectedError(ValueError):
    """Raise when an image cannot be decoded safely: a decompression bomb, a truncated or
    corrupt file, or bytes that are not the image they claim to be. The message is the detail
    (for logs); `reason` is what the file's owner reads."""

    def __init__(self, detail: str, code: str, message: str) -> None:
        super().__init__(detail)
        self.reason = Reason(code=code, message=message)


def _unreadable(detail: str) -> ImageRejectedError:
    return ImageRejectedError(detail, "image_unreadable", "The image could not be decoded.")


def make_thumbnails(source: IO[bytes], content_type: str) -> list[tuple[Thumbnail, bytes]]:
    """One PNG thumbnail (lossless, transparency kept) per size in THUMBNAIL_SIZES, with its
    bytes, or ImageRejectedError saying why not."""
    from PIL import Image, UnidentifiedImageError

    pillow_format = PILLOW_FORMATS.get(content_type)
    if pillow_format is None:
        raise _unreadable(f"{content_type} is not an image type that is thumbnailed")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _decode(source, pillow_format)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageRejectedError(
            f"decompression bomb refused: {exc}",
            "image_too_large",
            f"The image has more than {MAX_PIXELS} pixels.",
        ) from None
    except UnidentifiedImageError:
        raise _unreadable(f"the content is not a {pillow_format} image") from None
    except MemoryError:
        raise
    except Exception as exc:
        # Whatever a decoder raises on these bytes, it will raise again on a retry: the
        # file is bad, not the moment.
        raise _unreadable(
            f"not a readable {pillow_format} image: {type(exc).__name__}: {exc}"
        ) from None
    with image:
        return [_thumbnail(image, size) for size in THUMBNAIL_SIZES]


def _decode(source: IO[bytes], pillow_format: str) -> Image:
    from PIL import Image, ImageOps

    # Opening reads the header only, and checks the pixel count before anything is decoded.
    source.seek(0)
    with Image.open(source, formats=[pillow_format]) as probe:
        # Checks the file's structure (PNG chunk checksums, for one) without decoding it.
        probe.verify()
    # verify() leaves the image unusable: open again, and decode every pixel now so that a
    # truncated file fails here (Pillow refuses truncated images unless told otherwise).
    source.seek(0)
    image = Image.open(source, formats=[pillow_format])
    image.load()
    # A phone's JPEG is stored sideways with an EXIF note; thumbnails show it upright.
    upright = ImageOps.exif_transpose(image)
    if upright is not image:
        image.close()
    return upright


def _thumbnail(image: Image, size: int) -> tuple[Thumbnail, bytes]:
    copy = image.copy()
    if copy.mode not in ("RGB", "RGBA", "L", "LA"):
        # Palette, CMYK, 16-bit and 1-bit images: PNG output wants one of the plain modes.
        copy = copy.convert("RGBA" if "transparency" in copy.info else "RGB")
    # Shrinks to fit within size x size, keeping the aspect ratio; never enlarges.
    copy.thumbnail((size, size))
    out = io.BytesIO()
    copy.save(out, format="PNG")
    return Thumbnail(size=size, width=copy.width, height=copy.height), out.getvalue()
