"""The year-end archive as a PDF for the paper file: a cover with the manifest, the member
summary for the democratic evaluation (民主评议党员), then one assessment form (考核表)
per appraisal, with a bookmark per branch, zone and period.

An archivist must be able to reproduce an issued file byte for byte (`appraisal archive
verify FILE`): the canvas is invariant (no clock, no random document id), the document's
dates are the archive's `as_of`, and the Chinese font is one file, named in the manifest.
The manifest is also in the document information (key /AppraisalManifest, ASCII JSON as a
hex string), which `read_manifest` finds without a PDF library; every page's footer
carries the start of the JSON's SHA-256, so a printed page leads back to its file.
"""

import io
import json
from collections.abc import Mapping
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from ledger import offline
from reports import archive_view as view
from reports.archive_pdf_sheet import Templates, sheet_pages
from reports.labels import period_title
from reports.pdf_file import PageObject, dated
from reports.pdf_flow import Column, Flow, Table
from reports.pdf_typeset import Font, Page, Typesetter, load_font

MEDIA_TYPE = "application/pdf"
MANIFEST_KEY = offline.PDF_MANIFEST_KEY
SUMMARY_SIZE = landscape(A4)
SUMMARY_WIDTHS = (40.0, 48.0, 80.0, 0.0, 40.0, 40.0, *[29.0] * view.MONTHS, 38.0, 38.0, 38.0)
SUMMARY_LEFT = 30.0
SHA_SHOWN = 16
FINDINGS_LEFT = 42.0

Archive = Mapping[str, Any]


def document(archive: Archive, json_sha256: str) -> bytes:
    """The archive as PDF bytes: the same archive, hash and font give the same bytes."""
    font = load_font()
    manifest = {**view.manifest(archive, json_sha256, "pdf"), "font": font.manifest}
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1, initialFontName=font.name)
    ts = Typesetter(canvas._doc, font)
    names = view.Names(archive)
    templates = Templates(ts)
    pages, outline = _pages(ts, archive, names, manifest, font, templates)
    for name, form in templates.forms:
        canvas.beginForm(name)
        canvas.addLiteral(form.content())
        canvas.endForm()
    footer = f"{view.title(archive)} · {view.scope(archive)}"
    for number, page in enumerate(pages, start=1):
        _footer(ts, page, footer, f"第 {number} / {len(pages)} 页 · SHA-256 "
                                  f"{json_sha256[:SHA_SHOWN]}")
        for key, title, level in outline.get(number - 1, ()):
            canvas.bookmarkPage(key, fit="XYZ", top=page.height)
            canvas.addOutlineEntry(title, key, level=level)
        canvas._doc.addPage(PageObject(page))
    _describe(canvas, archive, manifest)
    canvas.save()
    return out.getvalue()


def read_manifest(data: bytes) -> dict[str, Any]:
    """The manifest `document` put into the file's document information, read as the
    inspectors' verifier reads it (ledger.offline); ValueError if there is none."""
    manifest: dict[str, Any] = json.loads(offline.pdf_manifest(data))
    return manifest


Outline = dict[int, list[tuple[str, str, int]]]


def _pages(ts: Typesetter, archive: Archive, names: view.Names, manifest: Mapping[str, Any],
           font: Font, templates: Templates) -> tuple[list[Page], Outline]:
    """Every page in order, and the bookmarks that start on each (page index → entries)."""
    pages = _cover(ts, archive, manifest, font)
    outline: Outline = {0: [("cover", "档案信息", 0)], len(pages): [("summary", "党员汇总", 0)]}
    pages += _summary(ts, archive, names)
    outline.setdefault(len(pages), []).append(("findings", "督导检查", 0))
    pages += _findings(ts, archive, names)
    outline.setdefault(len(pages), []).append(("sheets", "考核表", 0))
    branch = zone = None
    for index, appraisal in enumerate(archive["appraisals"]):
        marks = outline.setdefault(len(pages), [])
        if appraisal["branch_id"] != branch:
            branch, zone = appraisal["branch_id"], None
            marks.append((f"b{index}", names.branch(branch), 1))
        if appraisal["zone_id"] != zone:
            zone = appraisal["zone_id"]
            marks.append((f"z{index}", f"{appraisal['zone_name']}（{zone}）", 2))
        pages += sheet_pages(ts, appraisal, names, templates)
    return pages, outline


def _cover(ts: Typesetter, archive: Archive, manifest: Mapping[str, Any], font: Font
           ) -> list[Page]:
    width = A4[0] - 2 * 56.0

    def start(flow: Flow, page: Page, continued: bool) -> float:
        ts.centre(page, A4[0] / 2, A4[1] - 190, view.title(archive), 24, bold=True)
        ts.centre(page, A4[0] / 2, A4[1] - 228, f"范围：{view.scope(archive)}", 13)
        ts.centre(page, A4[0] / 2, A4[1] - 250,
                  f"截至：{view.local_time(archive['as_of'])}（北京时间）", 13)
        ts.centre(page, A4[0] / 2, A4[1] - 272, f"考核表 {len(archive['appraisals'])} 份 · "
                  f"党员 {len(archive['members'])} 名", 13)
        return A4[1] - 330

    flow = Flow(ts, A4, 56.0, 52.0, start)
    flow.heading("档案清单", 12.0)
    rows = [(view.MANIFEST_LABELS.get(key, key), view.manifest_value(key, value, archive))
            for key, value in manifest.items()]
    if not font.embedded:
        rows.append(("字体说明", "本机缺少 wqy-microhei.ttc，中文使用未嵌入的 STSong-Light；"
                     "阅读器缺少该字体时中文可能无法显示。"))
    table = Table(56.0, (Column(96.0, grey=0.93), Column(width - 96.0, wrap=True)), 9.5)
    for row in [*rows, ("核验方法", view.VERIFY_TEXT)]:
        flow.row(table, row)
    return flow.pages


def _summary(ts: Typesetter, archive: Archive, names: view.Names) -> list[Page]:
    """Per branch, each member's year on one line: annual result, each month, counts."""
    widths = list(SUMMARY_WIDTHS)
    widths[3] = SUMMARY_SIZE[0] - 2 * SUMMARY_LEFT - sum(widths)
    table = Table(SUMMARY_LEFT, [Column(w, "left" if i < 4 else "centre")
                                 for i, w in enumerate(widths)], 7.5)
    header = (table.header(), view.SUMMARY_HEADERS)

    def start(flow: Flow, page: Page, continued: bool) -> float:
        heading = f"{period_title(archive['year'])}党员考核汇总（民主评议党员用）"
        ts.centre(page, page.width / 2, page.height - 48,
                  heading + ("（续）" if continued else ""), 15, bold=True)
        return page.height - 66

    flow = Flow(ts, SUMMARY_SIZE, SUMMARY_LEFT, 52.0, start)
    for branch_id, members in view.by_branch(archive).items():
        flow.heading(f"{names.branch(branch_id) or '未分支部'}（{branch_id or '—'}） "
                     f"党员 {len(members)} 名", 10.5)
        flow.row(*header)
        for member in members:
            cells = view.summary_cells(view.member_row(member, names))
            flow.row(table, ["" if value is None else str(value) for value in cells], header)
        flow.skip(10)
    return flow.pages


def _findings(ts: Typesetter, archive: Archive, names: view.Names) -> list[Page]:
    """The zones' own supervision findings of the year (督导检查), one row each: where, when
    and how, what was found, by whom, and the branch's rectification (整改)."""
    width = A4[0] - 2 * FINDINGS_LEFT
    table = Table(FINDINGS_LEFT, (Column(72.0, wrap=True), Column(62.0, "centre", wrap=True),
                                  Column((width - 214.0) / 2, wrap=True), Column(80.0, wrap=True),
                                  Column((width - 214.0) / 2, wrap=True)), 8.0)
    header = (table.header(), ("责任区", "日期·方式", "发现的问题", "检查人", "整改情况"))

    def start(flow: Flow, page: Page, continued: bool) -> float:
        heading = f"{period_title(archive['year'])}责任区督导检查" + ("（续）" if continued else "")
        ts.centre(page, A4[0] / 2, A4[1] - 48, heading, 15, bold=True)
        return A4[1] - 66

    flow = Flow(ts, A4, FINDINGS_LEFT, 52.0, start)
    found = view.findings(archive)
    if not found:
        flow.heading("本年度无责任区督导检查记录。", 10.5)
    else:
        flow.row(*header)
    for finding in found:
        (branch, zone_id, zone, day, method, text, files, actor, at, answer, answer_files,
         answerer, answered) = view.finding_cells(finding, names)
        flow.row(table, (f"{zone}（{zone_id}）\n{branch}", f"{day}\n{method}",
                         _lines(text, files and f"附件：{files}"), f"{actor}\n{at}",
                         _lines(answer, answer_files and f"附件：{answer_files}", answerer,
                                answered)), header)
    return flow.pages


def _lines(*texts: str) -> str:
    return "\n".join(text for text in texts if text)


def _footer(ts: Typesetter, page: Page, left: str, right: str) -> None:
    margin = 30.0 if page.width > page.height else 42.0
    page.line(margin, 40, page.width - margin, 40)
    ts.text(page, margin, 28, ts.fit(left, 7.5, page.width / 2), 7.5)
    ts.right(page, page.width - margin, 28, right, 7.5)


def _describe(canvas: Canvas, archive: Archive, manifest: Mapping[str, Any]) -> None:
    """Document information: title and scope for people, the manifest for `read_manifest`,
    and `as_of` as the creation date (reportlab would use a fixed 2000-01-01)."""
    info = _Info(json.dumps(manifest, sort_keys=True))
    info.title = view.title(archive)
    info.subject = view.scope(archive)
    info.author = info.creator = manifest["software"]
    info.keywords = f"党员责任区 考核档案 {archive['year']}"
    canvas._doc.info = info
    dated(canvas, archive["as_of"])


class _Info(pdfdoc.PDFInfo):
    """reportlab's document information with one more key: the manifest, ASCII JSON in a
    hex string, which any PDF library reads and a regular expression finds."""

    def __init__(self, manifest: str) -> None:
        super().__init__()
        self.manifest = manifest

    def format(self, document: Any) -> bytes:
        entries = {
            "Title": pdfdoc.PDFString(self.title), "Author": pdfdoc.PDFString(self.author),
            "Subject": pdfdoc.PDFString(self.subject),
            "Keywords": pdfdoc.PDFString(self.keywords),
            "Creator": pdfdoc.PDFString(self.creator),
            "Producer": pdfdoc.PDFString(self.producer),
            "CreationDate": pdfdoc.PDFDate(ts=document._timeStamp,
                                           dateFormatter=self._dateFormatter),
            "Trapped": pdfdoc.PDFName(self.trapped),
            MANIFEST_KEY: _HexString(self.manifest),
        }
        entries["ModDate"] = entries["CreationDate"]
        return pdfdoc.PDFDictionary(entries).format(document)


class _HexString(pdfdoc.PDFObject):
    def __init__(self, text: str) -> None:
        self.text = text

    def format(self, document: Any) -> bytes:
        return b"<" + self.text.encode("ascii").hex().encode("ascii") + b">"
