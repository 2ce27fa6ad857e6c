"""Small real files for the attachment tests: a PNG and a PDF that viewers open."""

import io
import struct
import zlib

from reportlab.pdfgen.canvas import Canvas


def png(red: int = 255) -> bytes:
    """A 1×1 PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(bytes((0, red, 0, 0)))  # a row: no filter, then R G B
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def pdf(text: str = "rectification") -> bytes:
    """A one-page PDF."""
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.drawString(72, 720, text)
    canvas.save()
    return out.getvalue()
