"""The posted result list (公示表) of one branch's period: an A4 PDF for the notice board.

A pure function of a posting (its window, its entries in rank order, the grade
distribution) and the names to show. A posted sheet is taken down and kept, so the same
posting gives the same bytes: the document is dated by the posting's `as_of`, never the
clock (reports.pdf_file).

Dates are China time (UTC+8; China has kept one offset without daylight saving since
1991, so a fixed offset is exact). A window's `closes` is exclusive, so the last day
shown is the day of the instant just before it: closing at 00:00 of 12 December (China
time), the window ends on 11 December.
"""

import io
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from reports.board_words import HEADERS, WORDS
from reports.labels import GRADES, MONTHS_EN, label, period_title
from reports.pdf_file import PageObject, dated
from reports.pdf_flow import BASELINE, LEADING, Column, Flow, Header, Table
from reports.pdf_typeset import Page, Typesetter, load_font

MEDIA_TYPE = "application/pdf"
CHINA = timezone(timedelta(hours=8))
JUST_BEFORE = timedelta(microseconds=1)
LEFT, TOP, BOTTOM, FOOTER = 42.0, A4[1] - 48.0, 56.0, 40.0
WIDTH = A4[0] - 2 * LEFT
BODY, TEXT, TITLE = 9.5, 10.5, 16.0
# Rank, zone, members, group, score, grade, reward: names wrap, numbers fit one line. A
# zone's name (1矿综采一队生产一班责任区) takes 13 characters, a group's 7, a pair of
# members 7; "Unqualified" and -100,000.00 (the largest fine) just fit theirs.
TABLE = Table(LEFT, (Column(30.0, "centre"), Column(WIDTH - 368.0, wrap=True),
                     Column(100.0, wrap=True), Column(80.0, wrap=True), Column(38.0, "right"),
                     Column(60.0, "centre", wrap=True), Column(60.0, "right")), BODY)
DASH = "—"
UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")

Posting = Mapping[str, Any]
Names = Mapping[str, Mapping[str, str]]


def document(posting: Posting, names: Names, lang: str = "zh") -> bytes:
    """The posting as PDF bytes; the same posting, names and language give the same bytes."""
    words = WORDS[lang]
    font = load_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1, initialFontName=font.name)
    ts = Typesetter(canvas._doc, font)
    title = _title(posting, names, lang)
    flow = Flow(ts, A4, LEFT, BOTTOM, _start(ts, posting, title, lang))
    _table(flow, posting, names, lang)
    _notes(flow, posting, lang)
    _seal(flow, words["seal"].format(branch=_name(names, "branch", posting["branch_id"])),
          _day(_china(posting["opens"]).date(), lang))
    for number, page in enumerate(flow.pages, start=1):
        _footer(ts, page, words["number"].format(id=posting["id"]),
                words["page"].format(n=number, m=len(flow.pages)))
        canvas._doc.addPage(PageObject(page))
    canvas.setTitle(title)
    canvas.setSubject(posting["id"])
    dated(canvas, posting["as_of"])
    canvas.save()
    return out.getvalue()


def filename(posting: Posting, names: Names) -> str:
    """A Content-Disposition value: an ASCII name, and the Chinese one for clients that read it."""
    branch_id, period, number = posting["branch_id"], posting["period"], posting["number"]
    plain = UNSAFE_IN_NAME.sub("_", f"board-{branch_id}-{period}-{number}.pdf")
    branch = _name(names, "branch", branch_id).replace("/", "_").replace("\\", "_")
    chinese = quote(f"{branch}-{period}-考核结果公示-第{number}次.pdf", safe="")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{chinese}"


def _title(posting: Posting, names: Names, lang: str) -> str:
    return WORDS[lang]["title"].format(branch=_name(names, "branch", posting["branch_id"]),
                                       period=period_title(posting["period"], lang))


def _start(ts: Typesetter, posting: Posting, title: str, lang: str
           ) -> Callable[[Flow, Page, bool], float]:
    """What heads each page: on the first, the title, the notes on what this posting is and
    the opening sentence; on the others the title again, marked as continued."""
    words = WORDS[lang]

    def start(flow: Flow, page: Page, continued: bool) -> float:
        if continued:
            return _centred(ts, page, TOP, title + words["continued"], 11.0) - 6.0
        y = _centred(ts, page, TOP, title, TITLE)
        if posting.get("replaces"):
            y = _centred(ts, page, y, words["reposted"], 13.0)
        y -= 8.0
        if posting["state"] == "superseded":
            y = _left(ts, page, y, words["superseded"], TEXT, bold=True)
        if posting.get("replaces"):
            y = _left(ts, page, y, words["replaces"].format(replaces=posting["replaces"]), TEXT)
        period = period_title(posting["period"], lang)
        return _left(ts, page, y, words["intro"].format(period=period), TEXT) - 4.0

    return start


def _table(flow: Flow, posting: Posting, names: Names, lang: str) -> None:
    """The entries in rank order, the header row again on every page they run onto."""
    header: Header = (TABLE.header(), HEADERS[lang])
    flow.row(*header)
    for entry in posting["entries"]:
        flow.row(TABLE, _cells(entry, names, lang), header)
    if not posting["entries"]:
        _paragraph(flow, WORDS[lang]["none"])
    flow.skip(8.0)


def _cells(entry: Mapping[str, Any], names: Names, lang: str) -> Sequence[str]:
    separator = "、" if lang == "zh" else ", "
    members = separator.join(_name(names, "member", m) for m in entry["responsible_member_ids"])
    score, reward = entry.get("score"), entry.get("reward")
    return (str(entry["rank"]), entry.get("zone_name") or entry["zone_id"], members,
            _name(names, "group", entry.get("group_id")),
            DASH if score is None else f"{Decimal(str(score)):.1f}",
            label("grade", entry["grade"], lang) if entry.get("grade") else DASH,
            DASH if reward is None else f"{Decimal(str(reward)):,.2f}")


def _notes(flow: Flow, posting: Posting, lang: str) -> None:
    """The distribution, the window, how to object, and what else the reader must know."""
    words = WORDS[lang]
    counts = posting["distribution"]
    shown = words["count_separator"].join(
        words["count"].format(grade=label("grade", grade, lang), n=counts.get(grade, 0))
        for grade in GRADES)
    _paragraph(flow, words["distribution"].format(counts=shown, total=sum(counts.values())))
    _paragraph(flow, words["window"].format(
        opens=_day(_china(posting["opens"]).date(), lang),
        ends=_day((_china(posting["closes"]) - JUST_BEFORE).date(), lang)))
    if posting["state"] == "closed":
        _paragraph(flow, words["closed"])
    _paragraph(flow, words["objection"])
    if posting.get("pending"):
        _paragraph(flow, words["pending"].format(n=posting["pending"]))


def _seal(flow: Flow, seal: str, day: str) -> None:
    """The branch's name and the posting day at the bottom right, space above for the
    stamp, both lines centred on one axis as a 落款 is."""
    ts = flow.ts
    lines = (*ts.wrap(seal, TEXT, WIDTH * 0.6), day)
    if flow.room() < 40.0 + len(lines) * TEXT * LEADING:
        flow.break_page()
    flow.y -= 28.0
    axis = LEFT + WIDTH - 12.0 - max(ts.width(line, TEXT) for line in lines) / 2
    for line in lines:
        ts.centre(flow.page, axis, flow.y - TEXT * BASELINE, line, TEXT)
        flow.y -= TEXT * LEADING


def _paragraph(flow: Flow, text: str, after: float = 4.0) -> None:
    """Text wrapped to the page's width, continued on the next page if need be."""
    for line in flow.ts.wrap(text, TEXT, WIDTH):
        if flow.room() < TEXT * LEADING:
            flow.break_page()
        flow.ts.text(flow.page, LEFT, flow.y - TEXT * BASELINE, line, TEXT)
        flow.y -= TEXT * LEADING
    flow.y -= after


def _centred(ts: Typesetter, page: Page, y: float, text: str, size: float) -> float:
    for line in ts.wrap(text, size, WIDTH):
        ts.centre(page, A4[0] / 2, y - size * BASELINE, line, size, bold=True)
        y -= size * LEADING
    return y


def _left(ts: Typesetter, page: Page, y: float, text: str, size: float,
          bold: bool = False) -> float:
    for line in ts.wrap(text, size, WIDTH):
        ts.text(page, LEFT, y - size * BASELINE, line, size, bold)
        y -= size * LEADING
    return y - 4.0


def _footer(ts: Typesetter, page: Page, left: str, right: str) -> None:
    page.line(LEFT, FOOTER, A4[0] - LEFT, FOOTER)
    ts.text(page, LEFT, FOOTER - 12.0, ts.fit(left, 7.5, WIDTH / 2), 7.5)
    ts.right(page, A4[0] - LEFT, FOOTER - 12.0, right, 8.0)


def _name(names: Names, kind: str, code: str | None) -> str:
    return names.get(kind, {}).get(code or "", code or "")


def _china(instant: str) -> datetime:
    """`2026-12-07T01:00:00.000000Z` as China time."""
    return datetime.fromisoformat(instant).astimezone(CHINA)


def _day(day: date, lang: str) -> str:
    if lang == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"
