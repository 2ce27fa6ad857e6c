"""Pages of `pdf_typeset` written into a reportlab document, the same bytes every time.

Shared by every PDF the service makes (the year-end archive, the posted result list), so
that they are written alike: reproducible (no clock: the document is dated by the data it
shows), deflated once, and formatted a page in one string.
"""

import re
import zlib
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from reports.pdf_typeset import Page

# Streams are deflated, not also ASCII85-armoured: reportlab's pure-Python ASCII85 costs
# ~0.4 s a year's archive and a quarter more bytes, for 7-bit safety no reader needs. Set
# here once, not around each call, so concurrent documents never see it change midway
# (and every PDF of the service, whichever module a process imported first, is alike).
rl_config.useA85 = 0
# Page content is deflated at zlib's fastest level: a year's ~18 MB of operators in ~0.2 s
# to 4.6 MB, where zlib's default (6) takes ~0.45 s for 3.7 MB.
DEFLATE_LEVEL = 1


def dated(canvas: Canvas, instant: str) -> None:
    """Date the document at `instant` (`2026-12-07T01:00:00.000000Z`, UTC), not at a fixed
    2000-01-01 as reportlab's invariant mode would, nor at the clock."""
    stamp = re.sub(r"\D", "", instant)[:14]
    canvas.setDateFormatter(lambda *_: f"D:{stamp}+00'00'")


class PageObject(pdfdoc.PDFObject):
    """A page as `Canvas.showPage` would leave it, but formatted in one string: reportlab
    formats a page's dictionaries object by object, name by name, ~0.3 ms a page (0.8 s a
    year's archive). Its content, the forms it draws then its own operators, is deflated
    here at DEFLATE_LEVEL. Added with `canvas._doc.addPage`."""

    __RefOnly__ = 1

    def __init__(self, page: Page) -> None:
        self.box = f"[ 0 0 {page.width:.4f} {page.height:.4f} ]"
        self.forms = page.forms
        forms = [f"/{pdfdoc.xObjectName(name)} Do" for name in page.forms]
        self.contents = _Stream(zlib.compress("\n".join((*forms, page.content())).encode(),
                                              DEFLATE_LEVEL))

    def format(self, document: Any) -> bytes:
        def ref(obj: Any) -> str:
            return document.Reference(obj).format(document).decode("ascii")

        forms = " ".join(f"/{name} {ref(pdfdoc.PDFObjectReference(name))}"
                         for name in map(pdfdoc.xObjectName, self.forms))
        return (f"<<\n/Contents {ref(self.contents)} /MediaBox {self.box} /Parent "
                f"{ref(document.Pages)} /Resources << /Font "
                f"{ref(pdfdoc.PDFObjectReference(pdfdoc.BasicFonts))} /ProcSet [ /PDF /Text ] "
                f"/XObject << {forms} >> >> /Type /Page\n>>").encode("ascii")


class _Stream(pdfdoc.PDFObject):
    """A content stream, already deflated."""

    __RefOnly__ = 1

    def __init__(self, deflated: bytes) -> None:
        self.deflated = deflated

    def format(self, document: Any) -> bytes:
        return (b"<< /Filter [ /FlateDecode ] /Length %d >>\nstream\n" % len(self.deflated)
                + self.deflated + b"\nendstream\n")
