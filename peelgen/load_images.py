"""Load stage, for pictures: read an image a report names (the cover logo), checked
before anything draws it.

Everything is read through the one path policy (:mod:`peelgen.folder`), so the file's
size is checked by ``stat`` before a byte is read. Then, without decoding a pixel:

- the real type is taken from the file's first bytes, and must match its name (HTML
  saved as ``logo.png`` is refused);
- PNG, JPEG, GIF and WebP images must declare at most :data:`MAX_PIXELS` pixels in
  their headers (a small file can declare a huge picture: a decompression bomb);
- SVG is parsed with expat and refused if it has a DOCTYPE or entities, scripts,
  event handlers, ``foreignObject``, processing instructions, references to anything
  outside itself, more than :data:`MAX_SVG_DEPTH` levels or :data:`MAX_SVG_ELEMENTS`
  elements, or ``<use>`` references that would copy it past that many elements.

Problems are raised as :class:`FileRefused`; the caller locates them at the YAML value
that names the image.
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

from peelgen.diagnostics import FileRefused
from peelgen.folder import Folder
from peelgen.load_svg import check_svg

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000

# Suffix -> (kind, MIME type).
IMAGE_TYPES = {
    ".png": ("PNG", "image/png"), ".jpg": ("JPEG", "image/jpeg"), ".jpeg": ("JPEG", "image/jpeg"),
    ".gif": ("GIF", "image/gif"), ".webp": ("WebP", "image/webp"), ".svg": ("SVG", "image/svg+xml"),
}
_HTML = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)


@dataclass(frozen=True, slots=True)
class Image:
    mime: str
    data: bytes

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def load_image(folder: Folder, name: str, *, what: str = "image") -> Image:
    """The checked image ``name`` in ``folder``; :class:`FileRefused` otherwise."""
    real = folder.locate(name, suffixes=tuple(IMAGE_TYPES), what=what)
    data = folder.read_bytes(real, limit=MAX_IMAGE_BYTES, what=what)
    kind, mime = IMAGE_TYPES[real.suffix.lower()]
    return Image(mime, check_image(data, kind, name))


def check_image(data: bytes, kind: str, name: str) -> bytes:
    """``data`` if it is a ``kind`` image within the limits; :class:`FileRefused` otherwise."""
    actual = sniff(data)
    if actual != kind:
        found = "its content is not an image peelgen knows" if actual is None else (
            "it is an HTML page" if actual == "HTML" else f"it is {_with_article(actual)} image")
        raise FileRefused(f"image '{name}' is not {_with_article(kind)} image ({found})",
                          f"save it as {kind}, or name the file after its real type")
    if kind == "SVG":
        check_svg(data, name)
        return data
    size = _SIZE_READERS[kind](data)
    if size is None:
        raise FileRefused(f"image '{name}' is a damaged {kind} file: its size cannot be read",
                          "save the image again from a picture editor")
    width, height = size
    if width <= 0 or height <= 0:
        raise FileRefused(f"image '{name}' has no pixels ({width} × {height})", None)
    if width * height > MAX_PIXELS:
        raise FileRefused(f"image '{name}' has too many pixels ({width:,} × {height:,}; the limit is "
                          f"{MAX_PIXELS:,} pixels)", "scale it down: a logo needs far fewer pixels")
    return data


def _with_article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "AEFHILMNORSX" else f"a {kind}"


def sniff(data: bytes) -> str | None:
    """The type of ``data`` from its first bytes: PNG, JPEG, GIF, WebP, SVG, HTML or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML.match(head):
        return "HTML"
    if re.search(rb"<svg[\s/>]", head) and head.lstrip().startswith(b"<"):
        return "SVG"
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# JPEG start-of-frame markers, which carry the picture's size; not DHT (C4), JPG (C8), DAC (CC).
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            index += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or start of scan before any frame header
            return None
        length = struct.unpack(">H", data[index + 2:index + 4])[0]
        if marker in _JPEG_FRAMES:
            if index + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[index + 5:index + 9])
            return width, height
        index += 2 + length
    return None


def _gif_size(data: bytes) -> tuple[int, int] | None:
    """The screen's size, or the largest total of the frames' pixels as one frame of that
    many: an animated GIF decodes every frame."""
    if len(data) < 13:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    frames = _gif_frame_pixels(data)
    if frames is None:
        return None
    return (width, height) if frames <= width * height else (frames, 1)


def _gif_frame_pixels(data: bytes) -> int | None:
    index = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    total = 0
    while index < len(data):
        block = data[index]
        if block == 0x3B:  # trailer
            return total
        if block == 0x2C:  # image descriptor
            if index + 10 > len(data):
                return None
            width, height = struct.unpack("<HH", data[index + 5:index + 9])
            total += width * height
            flags = data[index + 9]
            index += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1  # + LZW minimum code size
        elif block == 0x21:  # extension: label, then sub-blocks
            index += 2
        else:
            return None
        index = _skip_gif_sub_blocks(data, index)
        if index < 0:
            return None
    return total  # no trailer: browsers show what is there


def _skip_gif_sub_blocks(data: bytes, index: int) -> int:
    while index < len(data):
        size = data[index]
        index += 1 + size
        if size == 0:
            return index
    return -1


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


_SIZE_READERS: dict[str, Callable[[bytes], tuple[int, int] | None]] = {
    "PNG": _png_size, "JPEG": _jpeg_size, "GIF": _gif_size, "WebP": _webp_size,
}

