"""What the year-end archive shows people, whatever the file: shared by the XLSX and the PDF.

Both files are pure functions of the archive dict (the JSON form) and must say the same
thing: the same manifest, the same names for signers, the same local times, the same
member summary. Times are shown in Beijing time (UTC+8: China has kept one offset without
daylight saving since 1991, so a fixed offset is exact and needs no tz database).
"""

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from domain.documents import STARTS
from domain.process import PROCEDURE
from reports import archive_months
from reports.labels import label, period_title

# The event that signs each step, and the role that normally signs it (when history is cut).
SIGNING_EVENT: dict[str, str] = {step: signing.event for step, signing in PROCEDURE.items()}
USUAL_ROLE: dict[str, str] = {step: signing.role for step, signing in PROCEDURE.items()}
MANIFEST_LABELS = {"year": "年度", "branch_id": "范围", "as_of": "截至", "position": "事件位置",
                   "software": "软件版本", "json_sha256": "JSON SHA-256", "format": "格式",
                   "font": "字体", "ledger": "日志检查点"}
VERIFY_TEXT = ("运行 appraisal archive verify 本文件，按本清单重新生成档案并逐字节比对，"
               "并核对系统日志仍能证明清单所列检查点包含每份考核表的全部记录；"
               "都相符即证明本文件与系统记录相符、未被改动。"
               "清单的机器可读部分附有检查点的签名和各考核表的纳入证明，可不经系统离线核验。"
               "纸质件可凭页脚的 SHA-256 前缀追溯到电子档案。")
ONE_DAY = timedelta(days=1)
ROOT_SHOWN = 16
HASH_NAMES = {"sm3": "SM3", "sha256": "SHA-256"}
MONTHS = 12
SUMMARY_HEADERS = ("党员编号", "党员", "党小组", "责任区", "年度得分", "年度等次",
                   *(f"{m}月" for m in range(1, MONTHS + 1)), "月均分", "优秀月数", "不合格月数")

FINDING_HEADERS = ("支部", "责任区编号", "责任区", "检查日期", "检查方式", "发现的问题", "附件",
                   "检查人", "记录时间", "整改情况", "整改附件", "整改人", "整改时间")
NOT_ANSWERED = "未整改"

Archive = Mapping[str, Any]


def manifest(archive: Archive, json_sha256: str, form: str) -> dict[str, Any]:
    """The manifest a file carries and `read_manifest` gives back: enough to rebuild it."""
    return {**archive["manifest"], "json_sha256": json_sha256, "format": form}


def title(archive: Archive) -> str:
    return f"{period_title(archive['year'])}党员责任区考核档案"


def scope(archive: Archive) -> str:
    """全部支部, or the branch's name with its id."""
    branch = archive["manifest"].get("branch_id")
    if branch is None:
        return "全部支部"
    return f"{archive['names']['branches'].get(branch, branch)}（{branch}）"


def local_time(instant: str | None) -> str:
    """`2026-08-02T01:00:00.000000Z` → `2026-08-02 09:00` (Beijing time)."""
    if not instant:
        return ""
    hour = int(instant[11:13]) + 8
    if hour < 24:  # the same day: no calendar needed
        return f"{instant[:10]} {hour:02d}:{instant[14:16]}"
    next_day = date(int(instant[:4]), int(instant[5:7]), int(instant[8:10])) + ONE_DAY
    return f"{next_day.isoformat()} {hour - 24:02d}:{instant[14:16]}"


def manifest_value(key: str, value: Any, archive: Archive) -> str:
    """A manifest entry as people read it on the cover."""
    if key == "branch_id":
        return scope(archive)
    if key == "as_of":
        return f"{value}（北京时间 {local_time(value)}）"
    if key == "ledger":
        return checkpoint_line(value)
    return "" if value is None else str(value)


def checkpoint_line(ledger: Mapping[str, Any]) -> str:
    """The log checkpoint the file was made against, as people read it: its size, the start
    of its root hash and the hash function (the proofs stay in the manifest)."""
    checkpoint = ledger["checkpoint"]
    if checkpoint is None:
        return "无（档案不含考核表）"
    return (f"{checkpoint['size']}（根哈希 {checkpoint['root'][:ROOT_SHOWN]}…，"
            f"{HASH_NAMES.get(ledger['hash'], ledger['hash'])}）")


class Names:
    """Display names of the archive's people and places; an id without one shows as itself."""

    def __init__(self, archive: Archive) -> None:
        names = archive["names"]
        self.users = names.get("users", {})
        self.members = names.get("members", {})
        self.branches = names.get("branches", {})
        self.groups = names.get("groups", {})
        self.zones = dict(names.get("zones", {}))
        self._shown: dict[str, str] = {}
        for appraisal in archive["appraisals"]:
            self.zones.setdefault(appraisal["zone_id"], appraisal["zone_name"])

    def user(self, username: str | None) -> str:
        """`张三（m001）`: the name a signer is known by, with the login that signed."""
        if not username:
            return ""
        shown = self._shown.get(username)
        if shown is None:
            name = self.users.get(username)
            shown = f"{name}（{username}）" if name and name != username else username
            self._shown[username] = shown
        return shown

    def signer(self, username: str, on_behalf_of: str | None = None) -> str:
        """Who signed; a deputy's signature (代签) names both: `张三（m001）代 李四（m002）签`."""
        if not on_behalf_of:
            return self.user(username)
        return f"{self.user(username)} 代 {self.user(on_behalf_of)}签"

    def people(self, member_ids: Sequence[str]) -> str:
        """`张三（M001）、李四（M002）`: responsible members, each with their member id."""
        return "、".join(f"{self.members.get(m, m)}（{m}）" for m in member_ids)

    def branch(self, branch_id: str | None) -> str:
        return self.branches.get(branch_id, branch_id or "")

    def group(self, group_id: str | None) -> str:
        return self.groups.get(group_id, group_id or "")

    def zone_list(self, zone_ids: Sequence[str]) -> str:
        return "、".join(self.zones.get(z, z) for z in zone_ids)


def signer_role(appraisal: Mapping[str, Any], step: str) -> str:
    """The role the step's signer signed in, read from the event that signed it."""
    signed = appraisal[step]
    kind = SIGNING_EVENT[step]
    for entry in reversed(appraisal.get("history", ())):
        if entry["type"] == kind and entry["actor"] == signed["actor"]:
            return entry["role"]
    return USUAL_ROLE[step]


def entry_signer(entry: Mapping[str, Any], names: Names) -> str:
    """Who took an event of the history, and for whom if it was a deputy's (代签)."""
    return names.signer(entry["actor"], (entry.get("data") or {}).get("on_behalf_of"))


def event_note(entry: Mapping[str, Any], comment: bool = True) -> str:
    """What an event of the history says beyond who and when: an objection and its answer,
    finality, a finding and its rectification, a reason, total, reward and (unless not
    wanted) comment."""
    data = entry.get("data") or {}
    if entry["type"] == "objection_raised":  # 异议, by a member or (named) through the link
        who = f"（{data['name']}）" if data.get("name") else ""
        return f"异议{who}：{data['reason']}"
    if entry["type"] == "objection_answered":
        return f"{'异议成立' if data.get('upheld') else '异议不成立'}：{data['reason']}"
    if entry["type"] == "finalised":
        return f"公示 {data.get('posting', '')} 期满定稿"
    if "reason" in data:
        return f"原因：{data['reason']}"
    if entry["type"] == "finding_recorded":  # 督导检查, and the branch's answer (整改)
        return f"{label('method', data['method'])}（{data['date']}）：{data['text']}"
    if entry["type"] == "rectification_recorded":
        return f"整改：{data['text']}"
    if entry["type"] == "months_summarised":  # a year-end's evidence (年度考核依据)
        return archive_months.summary(data)
    if entry["type"] in STARTS:  # opened, or opened again after a cancellation
        return f"考核表 {data.get('template_id', '')} 第{data.get('template_version', '')}版"
    parts = []
    if data.get("total") is not None:
        parts.append(f"总分 {data['total']}")
    if data.get("reward") is not None:
        parts.append(f"奖惩 {data['reward']} 元")
    if comment and data.get("comment"):
        parts.append(f"意见：{data['comment']}")
    return "；".join(parts)


def item_codes(archive: Archive) -> list[str]:
    """Every item code of the archive's forms, in form order, first seen first."""
    codes: dict[str, None] = {}
    for appraisal in archive["appraisals"]:
        codes.update(dict.fromkeys(appraisal["items"]))
    return list(codes)


def grade_text(grade: str | None) -> str:
    return label("grade", grade) if grade else ""


def member_row(member: Mapping[str, Any], names: Names) -> dict[str, Any]:
    """A member's line of the summary for the democratic evaluation.

    Scores stay numbers; a member responsible for two zones in one month (a cadre covering
    a team without a member) gets both scores, joined, in that month's cell."""
    months: list[list[Any]] = [[] for _ in range(MONTHS)]
    for entry in member["monthly"]:
        months[int(entry["period"][5:7]) - 1].append(entry["score"])
    annual = member["annual"]
    return {
        "member_id": member["member_id"], "name": member["name"],
        "group": names.group(member.get("group_id")), "zones": names.zone_list(member["zones"]),
        "annual_score": _joined([a["score"] for a in annual]),
        "annual_grade": "/".join(grade_text(a["grade"]) for a in annual),
        "months": [_joined(scores) for scores in months],
        "average": member["monthly_average"], "excellent": member["excellent_months"],
        "unqualified": member["unqualified_months"],
    }


def _joined(scores: list[Any]) -> Any:
    if not scores:
        return None
    return scores[0] if len(scores) == 1 else "/".join(str(s) for s in scores)


def by_branch(archive: Archive) -> dict[str | None, list[Mapping[str, Any]]]:
    """The members grouped by branch, branches in id order (a member without one last)."""
    groups: dict[str | None, list[Mapping[str, Any]]] = {}
    for member in archive["members"]:
        groups.setdefault(member.get("branch_id"), []).append(member)
    return dict(sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or "")))


def summary_cells(row: Mapping[str, Any]) -> list[Any]:
    """A member row in the order of SUMMARY_HEADERS."""
    return [row["member_id"], row["name"], row["group"], row["zones"], row["annual_score"],
            row["annual_grade"], *row["months"], row["average"], row["excellent"],
            row["unqualified"]]


def findings(archive: Archive) -> list[Mapping[str, Any]]:
    """The zones' own supervision findings (督导检查); none in an archive made before them."""
    return list(archive.get("findings") or ())


def finding_cells(finding: Mapping[str, Any], names: Names) -> list[str]:
    """A finding and its rectification in the order of FINDING_HEADERS, as text."""
    answer = finding.get("rectification") or {}
    return [names.branch(finding["branch_id"]), finding["zone_id"],
            finding.get("zone_name") or finding["zone_id"], finding["date"],
            label("method", finding["method"]), finding["text"],
            files(finding["attachments"]), names.user(finding["actor"]),
            local_time(finding["at"]), answer.get("text", NOT_ANSWERED),
            files(answer.get("attachments", ())), names.user(answer.get("actor")),
            local_time(answer.get("at"))]


def files(attachments: Sequence[Mapping[str, Any]]) -> str:
    """`现场.jpg（5f70bf18）、…`: each file's name and the start of its SHA-256, which finds it."""
    return "、".join(f"{a['name']}（{a['sha256'][:8]}）" for a in attachments)
