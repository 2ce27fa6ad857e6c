"""One appraisal's assessment form (考核表) on its own page(s) of the archive PDF.

What a paper file of the appraisal must show (004 §4.4): the zone and its responsible
members, the form's items with their maxima and what each step scored, the result, every
step's signature — who, in which role, when, with which comment — and the whole history,
returns and reopenings with their reasons included. Long comments wrap and continue on
the next page (续) rather than being cut.

A form is a list of rows (data), drawn by `pdf_flow`. The forms of a year come in few
shapes — the same items, the same signers (whose long names take two lines in the same
cells month after month), a history of five to a dozen events — so each shape's pages are
laid out once, their grid and labels kept as PDF form XObjects (a template), and each
form's pages add only its own texts at the places the template recorded. A form of its
own shape (a long comment, a return) costs one layout, like a form laid out in full.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib.pagesizes import A4

from domain.process import SCORED_STEPS, STEPS
from reports import archive_months
from reports import archive_view as view
from reports.labels import label, period_title
from reports.pdf_flow import DYNAMIC, STATIC, Column, Flow, Header, Table
from reports.pdf_typeset import Page, Slot, Typesetter

LEFT, TOP, BOTTOM = 42.0, A4[1] - 40.0, 52.0
WIDTH = A4[0] - 2 * LEFT
BODY = 9.0
LABEL_GREY = 0.93
DASH = "—"
LABEL = Column(58.0, grey=LABEL_GREY, static=True)
INFO = Table(LEFT, (LABEL, Column(WIDTH / 2 - 58.0), LABEL, Column(WIDTH / 2 - 58.0)), BODY)
INFO_WIDE = Table(LEFT, (LABEL, Column(WIDTH - 58.0, wrap=True)), BODY)
SCORES = Table(LEFT, (Column(WIDTH - 44.0 - 3 * 80.0, static=True),
                      Column(44.0, "centre", static=True), *[Column(80.0, "centre")] * 3), BODY)
TOTALS = Table(LEFT, [Column(c.width, c.align, bold=True, static=c.static)
                      for c in SCORES.columns], BODY)
RESULT = Table(LEFT, [Column(w, "centre", grey=None if i % 2 else LABEL_GREY, bold=True,
                             static=not i % 2)
                      for i, w in enumerate((70.0, WIDTH / 3 - 70.0) * 3)], 11.0)
STEP = Column(70.0, "centre", grey=LABEL_GREY, static=True)
SMALL_LABEL = Column(40.0, "centre", grey=LABEL_GREY, static=True)
SIGNER = Table(LEFT, (STEP, SMALL_LABEL, Column(144.0, wrap=True), SMALL_LABEL, Column(80.0),
                      SMALL_LABEL, Column(WIDTH - 414.0, "centre")), BODY)
COMMENT = Table(LEFT, (STEP, SMALL_LABEL, Column(WIDTH - 110.0, wrap=True)), BODY)
HISTORY = Table(LEFT, (Column(26.0, "centre"), Column(84.0, "centre"), Column(60.0),
                       Column(104.0, wrap=True), Column(62.0), Column(WIDTH - 336.0, wrap=True)),
                8.5)
SCORES_HEADER = (SCORES.header(), ("考核项目", "分值",
                                   *(label("step", s) for s in SCORED_STEPS)))
HISTORY_HEADER = (HISTORY.header(), ("序号", "时间", "事件", "操作人", "角色", "说明"))
# A year-end's months, half a year a row: a month's cell holds its score and grade.
HALF_YEAR = Table(LEFT, (LABEL, *[Column((WIDTH - 58.0) / 6, "centre")] * 6), BODY)
HALF_YEAR_HEADER = HALF_YEAR.header()
SIGNING_EVENTS = frozenset(view.SIGNING_EVENT.values())
_period_title = cache(period_title)  # parsing a period takes ~14 µs; a year has 13 of them
Appraisal = Mapping[str, Any]


@dataclass(frozen=True)
class Heading:
    text: str
    size: float


Row = tuple[Table, Sequence[str], Header | None] | Heading | float  # float: space to leave


# A shape's static layer, page by page: the PDF form drawn and the slots of its dynamic texts.
Template = tuple[tuple[str, Sequence[Slot]], ...]


class Templates:
    """The templates of one document, by shape: which tables in which order, with which
    static texts (the form's items, the history's length) and how many lines a row."""

    def __init__(self, ts: Typesetter) -> None:
        self.ts = ts
        self.shapes: dict[tuple[Any, ...], Template] = {}
        self.forms: list[tuple[str, Page]] = []  # every template's pages, each a PDF form

    def get(self, appraisal: Appraisal, rows: Sequence[Row]) -> tuple[Template, list[str]]:
        """The template of the rows' shape, made from these rows the first time it is seen,
        and the rows' dynamic texts in the order of its slots."""
        shape, texts = self._shape(rows)
        template = self.shapes.get(shape)
        if template is None:
            template = self.shapes[shape] = self._make(appraisal, rows)
        return template, texts

    def _shape(self, rows: Sequence[Row]) -> tuple[tuple[Any, ...], list[str]]:
        ts = self.ts
        shape: list[Any] = []
        texts: list[str] = []
        for row in rows:
            if isinstance(row, tuple):
                key, shown = row[0].shape(ts, row[1])
                shape.append(key)
                texts += shown
            else:
                shape.append(row)
        return tuple(shape), texts

    def _make(self, appraisal: Appraisal, rows: Sequence[Row]) -> Template:
        flow = _flow(self.ts, appraisal, STATIC)
        _draw(flow, rows)
        names = [f"form{len(self.forms) + n}" for n in range(1, len(flow.pages) + 1)]
        self.forms += zip(names, flow.pages, strict=True)
        return tuple(zip(names, flow.slots, strict=True))


def sheet_pages(ts: Typesetter, appraisal: Appraisal, names: view.Names,
                templates: Templates) -> list[Page]:
    """The pages of one appraisal's form, footers left to the document: the template of
    its shape under its own texts."""
    template, texts = templates.get(appraisal, [*_head(appraisal, names),
                                                *_history(appraisal, names)])
    flow = _flow(ts, appraisal, DYNAMIC)
    flow.fill(template, texts)
    return flow.pages


def _flow(ts: Typesetter, appraisal: Appraisal, layer: str) -> Flow:
    subtitle = (f"{appraisal['zone_name']}（{appraisal['zone_id']}） · "
                f"{_period_title(appraisal['period'])}")

    def start(flow: Flow, page: Page, continued: bool) -> float:
        if flow.draws(static=True):
            heading = "党员责任区考核表" + ("（续）" if continued else "")
            ts.centre(page, A4[0] / 2, TOP - 15, heading, 16, bold=True)
        if flow.draws(static=False):
            ts.centre(page, A4[0] / 2, TOP - 34, subtitle, 10.5)
        return TOP - 46

    return Flow(ts, A4, LEFT, BOTTOM, start, layer)


def _draw(flow: Flow, rows: Sequence[Row]) -> None:
    for row in rows:
        if isinstance(row, Heading):
            flow.heading(row.text, row.size)
        elif isinstance(row, tuple):
            flow.row(*row)
        else:
            flow.skip(row)


def _head(appraisal: Appraisal, names: view.Names) -> list[Row]:
    """Everything but the history's events."""
    return [*_top(appraisal, names), *_months(appraisal), 10.0, Heading("签署记录", 11.0),
            *_signatures(appraisal, names), 10.0, Heading("考核履历（含退回、重新打开）", 11.0),
            (*HISTORY_HEADER, None)]


def _top(appraisal: Appraisal, names: view.Names) -> list[Row]:
    """Details, then each item's maximum and what each scoring step gave it, the result."""
    steps = [appraisal[step] or {} for step in SCORED_STEPS]
    scores = [signed.get("scores") or {} for signed in steps]
    reward = DASH if appraisal["reward"] is None else f"{appraisal['reward']} 元"
    return [
        (INFO, ("责任区", f"{appraisal['zone_name']}（{appraisal['zone_id']}）",
                "考核期", _period_title(appraisal["period"])), None),
        (INFO, ("支部", names.branch(appraisal["branch_id"]),
                "党小组", names.group(appraisal["group_id"])), None),
        (INFO, ("条线", appraisal["line"] or "", "考核表",
                f"{appraisal['template_id']} 第{appraisal['template_version']}版"), None),
        (INFO_WIDE, ("责任人", names.people(appraisal["responsible_member_ids"]) or DASH), None),
        (INFO_WIDE, ("档案号", str(appraisal["id"])), None),
        8.0, (*SCORES_HEADER, None),
        *((SCORES, (label("item", code), _number(maximum),
                    *(_number(given.get(code)) for given in scores)), SCORES_HEADER)
          for code, maximum in appraisal["items"].items()),
        (TOTALS, ("合计", _number(sum(appraisal["items"].values())),
                  *(_number(signed.get("total")) for signed in steps)), SCORES_HEADER),
        8.0,
        (RESULT, ("最终得分", _number(appraisal["score"]), "等次",
                  view.grade_text(appraisal["grade"]) or DASH, "奖惩金额", reward), None),
        (INFO_WIDE, ("公示定稿", "已定稿" if appraisal["final"] else "未定稿"), None),
    ]


def _months(appraisal: Appraisal) -> list[Row]:
    """A year-end's months as read when it opened (年度考核依据); nothing for a month."""
    found = appraisal.get("months")
    if found is None:
        return []
    results = list(found["results"].items())
    rows: list[Row] = [10.0, Heading("各月考核结果（年度考核依据）", 11.0)]
    for half in (results[:6], results[6:]):
        rows += [(HALF_YEAR_HEADER, ("月份", *(archive_months.month_name(p) for p, _ in half)),
                  None),
                 (HALF_YEAR, ("得分·等次", *(archive_months.month_cell(r) for _, r in half)),
                  None)]
    finals = archive_months.finals(found)
    summary = archive_months.summary(found) + (f"；定稿：{finals}" if finals else "")
    offered = archive_months.offer(found, list(appraisal["items"]))
    return [*rows, (INFO_WIDE, ("月度汇总", summary), None),
            (INFO_WIDE, ("起评参考", offered), None)]


def _signatures(appraisal: Appraisal, names: view.Names) -> list[Row]:
    """Each step's signature: who signed, in which role, when, and the comment in full."""
    rows: list[Row] = []
    for step in STEPS:
        signed = appraisal[step]
        step_name = label("step", step)
        if signed is None:
            who, role, at, comment = "未签署", "", "", ""
        else:
            who = names.signer(signed["actor"], signed.get("on_behalf_of"))
            at = view.local_time(signed["at"])
            role = label("role", view.signer_role(appraisal, step))
            comment = signed["comment"] or "（无）"
        rows += [(SIGNER, (step_name, "签署人", who, "角色", role, "时间", at), None),
                 (COMMENT, ("", "意见", comment), None)]
    return rows


def _history(appraisal: Appraisal, names: view.Names) -> list[Row]:
    """The appraisal's every event; a signature later superseded (by a return or a
    reopening) shows the comment it carried."""
    current = _current_signatures(appraisal)
    return [(HISTORY, (str(entry["version"]), view.local_time(entry["at"]),
                       label("event", entry["type"]), view.entry_signer(entry, names),
                       label("role", entry["role"]), _note(entry, current)), HISTORY_HEADER)
            for entry in appraisal.get("history", ())]


def _current_signatures(appraisal: Appraisal) -> set[int]:
    """Versions of the events whose signature the form shows above."""
    latest: dict[str, int] = {}
    for entry in appraisal.get("history", ()):
        latest[entry["type"]] = entry["version"]
    return {latest[kind] for kind in view.SIGNING_EVENT.values() if kind in latest}


def _note(entry: Mapping[str, Any], current: set[int]) -> str:
    """The event's note; a comment only where the signature it went with was superseded
    (the current ones are in the signature block)."""
    if entry["type"] in ("returned", "reopened"):
        state = label("step", entry["state"]) if entry.get("state") else ""
        return f"回到{state}；{view.event_note(entry)}"
    if entry["version"] in current or entry["type"] not in SIGNING_EVENTS:
        return view.event_note(entry, comment=False)
    return "；".join(filter(None, ("已被替代", view.event_note(entry))))


def _number(value: Any) -> str:
    return DASH if value is None else str(value)
