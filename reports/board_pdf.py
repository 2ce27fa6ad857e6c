"""PLACEHOLDER — to be replaced by the real `reports/board_pdf.py` (another engineer's work).

Only here so that `service.cases.postings.board_pdf` and the pages' tests run before the real
module is merged: the same three names and signatures, a bare one-page PDF of the posting's
title and entries. Drop this commit when the real module lands.
"""

import io
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from reportlab.pdfgen.canvas import Canvas

from reports.labels import label, period_title
from reports.pdf_typeset import load_font

MEDIA_TYPE = "application/pdf"
Names = Mapping[str, Mapping[str, str]]


def filename(posting: Mapping[str, Any], names: Names) -> str:
    """A Content-Disposition value: an ASCII name, and the Chinese one for clients that read it."""
    branch = names.get("branch", {}).get(posting["branch_id"], posting["branch_id"])
    chinese = quote(f"公示-{branch}-{posting['period']}.pdf")
    return (f"attachment; filename=\"board-{posting['branch_id']}-{posting['period']}.pdf\"; "
            f"filename*=UTF-8''{chinese}")


def document(posting: Mapping[str, Any], names: Names, lang: str = "zh") -> bytes:
    """The posting as a bare PDF page (placeholder)."""
    out = io.BytesIO()
    canvas = Canvas(out, invariant=True)
    canvas.setFont(load_font().name, 12)
    branch = names.get("branch", {}).get(posting["branch_id"], posting["branch_id"])
    y = 800.0
    canvas.drawString(40, y, f"{branch} {period_title(posting['period'], lang)}")
    for entry in posting["entries"]:
        y -= 18
        canvas.drawString(40, y, f"{entry['rank']}  {entry['zone_name']}  {entry['score']}  "
                                 f"{label('grade', entry['grade'], lang)}")
    canvas.showPage()
    canvas.save()
    return out.getvalue()
