"""A year-end appraisal's months (年度考核依据) as the archive's files show them: the zone's
twelve monthly results as the year-end read them when it opened, their average, the
excellent and unqualified months, and the item scores offered as a starting point. Shared by
the XLSX (a sheet of its own) and the PDF (a section of the year-end's form)."""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from reports.labels import label

if TYPE_CHECKING:
    from reports.archive_view import Names

NOT_PUBLISHED = "未公示"
HEADERS = ("档案号", "支部", "党小组", "责任区编号", "责任区", "责任人", "年度得分", "年度等次",
           *(f"{m}月" for m in range(1, 13)), "已公示月数", "月均分", "优秀月数", "不合格月数",
           "已定稿月份")
OFFERED = "起评分"
Appraisal = Mapping[str, Any]


def year_ends(archive: Mapping[str, Any]) -> list[Appraisal]:
    """The archive's year-end appraisals that carry their months (not those opened before
    the months were recorded)."""
    return [a for a in archive["appraisals"] if a.get("months") is not None]


def offered_codes(appraisals: Sequence[Appraisal]) -> list[str]:
    """The item codes offered anywhere among `appraisals`, first seen first."""
    codes: dict[str, None] = {}
    for appraisal in appraisals:
        codes.update(dict.fromkeys(appraisal["months"]["offered"] or ()))
    return list(codes)


def headers(codes: Sequence[str]) -> list[str]:
    return [*HEADERS, *(f"{OFFERED}·{label('item', code)}" for code in codes)]


def cells(appraisal: Appraisal, names: "Names", codes: Sequence[str]) -> list[Any]:
    """A year-end's row in the order of `headers(codes)`: scores stay numbers, a month not
    published says so."""
    months = appraisal["months"]
    offered = months["offered"] or {}
    return [appraisal["id"], names.branch(appraisal["branch_id"]),
            names.group(appraisal["group_id"]), appraisal["zone_id"], appraisal["zone_name"],
            names.people(appraisal["responsible_member_ids"]), appraisal["score"],
            label("grade", appraisal["grade"]) if appraisal["grade"] else None,
            *(NOT_PUBLISHED if found is None else found["score"]
              for found in months["results"].values()),
            published(months), months["average"], months["excellent"], months["unqualified"],
            finals(months) or None, *(offered.get(code) for code in codes)]


def published(months: Mapping[str, Any]) -> int:
    return sum(found is not None for found in months["results"].values())


def finals(months: Mapping[str, Any]) -> str:
    """`1月、3月`: the months whose result was final (定稿) when read."""
    return "、".join(month_name(period) for period, found in months["results"].items()
                    if found is not None and found["final"])


def month_name(period: str) -> str:
    """`2026-03` → `3月`."""
    return f"{int(period[5:7])}月"


def month_cell(found: Mapping[str, Any] | None) -> str:
    """`85.5 合格`, or 未公示."""
    return NOT_PUBLISHED if found is None else f"{found['score']} {label('grade', found['grade'])}"


def summary(months: Mapping[str, Any]) -> str:
    """The months in one line: how many published, their average and extremes."""
    average = "—" if months["average"] is None else months["average"]
    return (f"已公示 {published(months)} 个月；月均分 {average}；"
            f"优秀 {months['excellent']} 个月；不合格 {months['unqualified']} 个月")


def offer(months: Mapping[str, Any], items: Sequence[str]) -> str:
    """The item scores offered as a starting point, or why there are none."""
    offered = months["offered"]
    if offered is None:
        return "无（没有已公示的月份，或各月考核表的项目与年度考核表不同）"
    return "、".join(f"{label('item', code)} {offered[code]}" for code in items if code in offered)
