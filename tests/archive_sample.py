"""A year-end archive dict of any size, shaped like the JSON form of GET /archives/{year}.

The renderers are pure functions of that dict, so their tests and their timing need no
store: `sample_archive(zones=188)` is the demo mine's year (188 zones × 13 periods ≈ 2,444
appraisals) with Chinese names, returns and reopenings with reasons, unsigned steps, one
very long comment and a member without a zone. Seeded: the same arguments give the same dict.
"""

import random
from datetime import datetime, timedelta
from typing import Any

YEAR = "2026"
ITEMS = {"thought": 15, "study": 15, "talks": 10, "order": 20, "policy": 10, "duty": 20,
         "skills": 10}
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
            "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌海波鹏辉宇浩"
BRANCHES = ("综采支部", "掘进支部", "机电支部", "运输支部", "通风支部", "地面支部", "后勤支部")
LINES = (("采煤", "CM", "综采工作面"), ("开掘", "KJ", "掘进工作面"), ("机电运输", "JD", "机电班"),
         ("通风安全", "TF", "通风班"), ("地面", "DM", "地面班组"))
COMMENTS = ("本月组织班前安全学习6次，谈心谈话4人次，责任区内无违章。",
            "实地检视：现场文明生产达标；查阅资料：学习记录完整。",
            "结合平时督查和重点抽查，同意责任区评价。", "同意。", "")
APPROVALS = ("经支部委员会审核，同意公示。", "同意", "")
REASONS = ("学习记录缺两次，请补充后重新提交。", "评分与现场检查情况不符，请重新评价。",
           "群众反映该区谈心谈话未落实，重新核实。")
LONG = ("本月责任区围绕安全生产中心任务开展工作：" + "组织职工学习《煤矿安全规程》和岗位作业标准，"
        "逐人谈心了解思想动态，协调解决职工家庭困难，现场检查发现并整改隐患，" * 12 + "完毕。")
REWARDS = {"excellent": 200, "qualified": 0, "basically_qualified": 0, "unqualified": -100}


def sample_archive(zones: int = 12, months: int = 12, year_end: bool = True,
                   seed: int = 2026) -> dict[str, Any]:
    """An archive of `zones` zones, each appraised for the first `months` months (and the
    year-end when `year_end`), every appraisal published."""
    rng = random.Random(seed)
    org = _organisation(zones, rng)
    periods = [f"{YEAR}-{m:02d}" for m in range(1, months + 1)] + ([YEAR] if year_end else [])
    appraisals = [_appraisal(zone, period, rng) for zone in org["zones"] for period in periods]
    appraisals.sort(key=lambda a: (a["branch_id"], a["zone_id"], len(a["period"]) == 4,
                                   a["period"]))
    if appraisals:
        _lengthen(appraisals[min(2, len(appraisals) - 1)])
    as_of = "2027-01-31T16:00:00.000000Z"
    return {
        "manifest": {"year": YEAR, "branch_id": None, "as_of": as_of,
                     "position": sum(len(a["history"]) for a in appraisals) + 1000,
                     "software": "appraisal 0.1.0"},
        "year": YEAR, "as_of": as_of, "names": org["names"], "appraisals": appraisals,
        "members": _members(org, appraisals),
    }


def _organisation(zones: int, rng: random.Random) -> dict[str, Any]:
    branches = {f"B{b + 1}": name for b, name in enumerate(BRANCHES)}
    groups = {f"G{g + 1:02d}": f"{BRANCHES[g // 4][:2]}{'一二三四'[g % 4]}组党小组"
              for g in range(28)}
    users = {"admin": "系统管理员"}
    members: dict[str, str] = {}
    made = []
    for z in range(zones):
        line, prefix, team = LINES[z % len(LINES)]
        group = f"G{z % 28 + 1:02d}"
        ids = [f"M{len(members) + k + 1:03d}" for k in range(2 if z % 5 == 4 else 1)]
        for member_id in ids:
            members[member_id] = _name(rng)
            users[f"m{member_id[1:]}"] = members[member_id]
        users[f"evaluator-{group.lower()}"] = _name(rng)
        users[f"leader-{group.lower()}"] = _name(rng)
        branch = f"B{(z % 28) // 4 + 1}"
        users[f"secretary-{branch.lower()}"] = _name(rng)
        made.append({"zone_id": f"{prefix}{z + 1:03d}", "zone_name": f"{team}{z // 5 + 1}",
                     "line": line, "branch_id": branch, "group_id": group, "members": ids})
    members["M999"] = _name(rng)
    return {"zones": made, "names": {"users": users, "members": members, "branches": branches,
                                     "groups": groups}}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _appraisal(zone: dict[str, Any], period: str, rng: random.Random) -> dict[str, Any]:
    """One published appraisal with its history: opened, signed step by step, sometimes
    returned once by the group leader, sometimes reopened by the branch and signed again."""
    clock = _Clock(period)
    group, branch = zone["group_id"].lower(), zone["branch_id"].lower()
    member = f"m{zone['members'][0][1:]}"
    history: list[dict[str, Any]] = []
    steps: dict[str, Any] = dict.fromkeys(("self_check", "zone_evaluation", "group_review",
                                           "branch_approval"))

    def event(kind: str, actor: str, role: str, state: str, data: dict[str, Any]) -> str:
        at = clock.tick()
        history.append({"version": len(history) + 1, "type": kind, "at": at, "actor": actor,
                        "role": role, "state": state, "data": data})
        return at

    def sign(step: str, kind: str, actor: str, role: str, state: str, scores: dict) -> None:
        total = _number(sum(scores.values()))
        data = {"scores": scores, "total": total, "comment": rng.choice(COMMENTS)}
        steps[step] = {"actor": actor, "at": event(kind, actor, role, state, data), **data}

    event("opened", "admin", "admin", "self_check",
          {"zone_id": zone["zone_id"], "period": period, "template_id": "default",
           "template_version": 1, "items": dict(ITEMS),
           "responsible_member_ids": list(zone["members"])})
    base = _scores(rng)
    if rng.random() > 0.03:  # now and then nobody signed the self-check
        sign("self_check", "self_check_submitted", member, "responsible_member",
             "zone_evaluation", _vary(base, rng))
    sign("zone_evaluation", "zone_evaluation_submitted", f"evaluator-{group}", "zone_evaluator",
         "group_review", _vary(base, rng))
    if rng.random() < 0.08:
        event("returned", f"leader-{group}", "group_leader", "zone_evaluation",
              {"reason": rng.choice(REASONS)})
        sign("zone_evaluation", "zone_evaluation_submitted", f"evaluator-{group}",
             "zone_evaluator", "group_review", _vary(base, rng))
    rounds = 2 if rng.random() < 0.02 else 1
    for round_ in range(rounds):
        if round_:
            event("reopened", f"secretary-{branch}", "branch_secretary", "group_review",
                  {"reason": rng.choice(REASONS)})
        sign("group_review", "group_review_submitted", f"leader-{group}", "group_leader",
             "branch_approval", _vary(base, rng))
        score = steps["group_review"]["total"]
        reward = REWARDS[_grade(score)]
        comment = rng.choice(APPROVALS)
        at = event("branch_approved", f"secretary-{branch}", "branch_secretary", "published",
                   {"comment": comment, "reward": reward})
        steps["branch_approval"] = {"actor": f"secretary-{branch}", "at": at, "scores": None,
                                    "total": None, "comment": comment}
    return {"id": f"{zone['zone_id']}-{period}", "zone_id": zone["zone_id"],
            "zone_name": zone["zone_name"], "branch_id": zone["branch_id"],
            "group_id": zone["group_id"], "line": zone["line"], "period": period,
            "template_id": "default", "template_version": 1, "items": dict(ITEMS),
            "state": "published", "version": len(history),
            "responsible_member_ids": list(zone["members"]), **steps, "score": score,
            "grade": _grade(score), "reward": reward, "allowed_actions": [], "history": history}


def _lengthen(appraisal: dict[str, Any]) -> None:
    """The long comment a renderer must wrap rather than overflow."""
    appraisal["group_review"]["comment"] = LONG
    for entry in appraisal["history"]:
        if entry["type"] == "group_review_submitted":
            entry["data"]["comment"] = LONG


class _Clock:
    """Event times early in the month after the one appraised, a few hours apart."""

    def __init__(self, period: str) -> None:
        year, month = (int(period), 12) if len(period) == 4 else map(int, period.split("-"))
        self.now = datetime(year + month // 12, month % 12 + 1, 2, 0, 30)

    def tick(self) -> str:
        self.now += timedelta(hours=5, minutes=17)
        return self.now.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _scores(rng: random.Random) -> dict[str, float]:
    return {code: maximum - rng.choice((0, 0, 0.5, 1, 1.5, 2, 3, 5)) for code, maximum
            in ITEMS.items()}


def _vary(base: dict[str, float], rng: random.Random) -> dict[str, int | float]:
    return {code: _number(min(ITEMS[code], max(0, value + rng.choice((-0.5, 0, 0, 0.5)))))
            for code, value in base.items()}


def _number(value: float) -> int | float:
    value = round(value, 2)
    return int(value) if value == int(value) else value


def _grade(score: float) -> str:
    return ("excellent" if score >= 90 else "qualified" if score >= 80
            else "basically_qualified" if score >= 70 else "unqualified")


def _members(org: dict[str, Any], appraisals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-member summary as the assembly makes it, from the published appraisals."""
    zone_of = {z["zone_id"]: z for z in org["zones"]}
    rows = []
    for member_id, name in sorted(org["names"]["members"].items()):
        mine = [a for a in appraisals if member_id in a["responsible_member_ids"]]
        monthly = [{"period": a["period"], "zone_id": a["zone_id"], "score": a["score"],
                    "grade": a["grade"]} for a in mine if len(a["period"]) == 7]
        zones = sorted({a["zone_id"] for a in mine})
        first = zone_of[zones[0]] if zones else {"branch_id": "B7", "group_id": "G28"}
        scores = [entry["score"] for entry in monthly]
        rows.append({
            "member_id": member_id, "name": name, "branch_id": first["branch_id"],
            "group_id": first["group_id"], "zones": zones,
            "annual": [{"zone_id": a["zone_id"], "score": a["score"], "grade": a["grade"]}
                       for a in mine if len(a["period"]) == 4],
            "monthly": monthly,
            "monthly_average": _number(sum(scores) / len(scores)) if scores else None,
            "excellent_months": sum(e["grade"] == "excellent" for e in monthly),
            "unqualified_months": sum(e["grade"] == "unqualified" for e in monthly),
        })
    return rows
