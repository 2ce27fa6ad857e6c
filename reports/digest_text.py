"""A person's daily digest (每日待办提醒) as people read it, in Chinese: an e-mail's subject
and text, and a group robot's markdown (企业微信 and 钉钉 read the same subset: headings,
bold, quotes, lists). Pure: the digest comes in as plain data."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reports.labels import label

# How many items a message lists; the rest are counted. A robot's message is short (企业微信
# takes at most 4,096 bytes of markdown), an e-mail may list a secretary's month-end.
EMAIL_ITEMS = 200
ROBOT_ITEMS = 15
ROBOT_BYTES = 4000


@dataclass(frozen=True)
class Line:
    """One waiting appraisal, as the digest lists it."""

    period: str
    zone_id: str
    zone_name: str
    state: str
    due: date
    standing: str  # overdue, due, pending
    acting_for: str | None = None  # the name of whom a deputy signs it for (代签)


def subject(day: date, counts: dict[str, int]) -> str:
    return (f"【待办提醒】{day.isoformat()} 您有 {counts['total']} 项考核待办"
            + (f"，其中逾期 {counts['overdue']} 项" if counts["overdue"] else ""))


def _summary(name: str, day: date, counts: dict[str, int]) -> str:
    return (f"{name}，您好：截至 {day.isoformat()}，有 {counts['total']} 项党员责任区考核等待"
            f"您办理，其中逾期 {counts['overdue']} 项、即将到期 {counts['due']} 项。")


def _line(line: Line) -> str:
    behalf = f" · 代{line.acting_for}签" if line.acting_for else ""
    return (f"[{label('reminder', line.standing)}] {line.period} {line.zone_name}"
            f"（{line.zone_id}）· {label('step', line.state)}{behalf} · 截止 "
            f"{line.due.isoformat()}")


def _rest(lines: Sequence[Line], shown: int) -> list[str]:
    return [f"……另有 {len(lines) - shown} 项，请登录系统在“我的待办”中查看。"] \
        if len(lines) > shown else []


def email_text(name: str, day: date, counts: dict[str, int], lines: Sequence[Line],
               inbox: str | None = None) -> str:
    """The e-mail's text: the summary, then the items, overdue first; `inbox`: the address
    of "我的待办", where the service's public address is configured."""
    shown = lines[:EMAIL_ITEMS]
    where = f"：{inbox}" if inbox else "。"
    return "\n".join([_summary(name, day, counts), "", *map(_line, shown),
                      *_rest(lines, len(shown)), "",
                      f"请登录党员责任区考核系统，在“我的待办”中办理{where}",
                      "（本邮件由系统自动发送，请勿回复。）", ""])


def markdown(name: str, day: date, counts: dict[str, int], lines: Sequence[Line],
             inbox: str | None = None) -> tuple[str, str]:
    """The robot's message: a title, and markdown under ROBOT_BYTES (with a link to
    `inbox`, "我的待办", where the service's public address is configured)."""
    title = f"待办提醒 {day.isoformat()}"
    head = [f"### {title}", f"> {_summary(name, day, counts)}", ""]
    link = ["", f"[到“我的待办”办理]({inbox})"] if inbox else []
    shown: list[str] = []
    for line in lines[:ROBOT_ITEMS]:
        text = "\n".join([*head, *shown, f"- {_line(line)}", *_rest(lines, len(shown) + 1),
                          *link])
        if len(text.encode("utf-8")) > ROBOT_BYTES:
            break
        shown.append(f"- {_line(line)}")
    return title, "\n".join([*head, *shown, *_rest(lines, len(shown)), *link])
