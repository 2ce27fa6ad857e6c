"""A year-end archive dict of any size, shaped like the JSON form of GET /archives/{year}.

The renderers are pure functions of that dict, so their tests and their timing need no
store: `sample_archive(zones=188)` is the demo mine's year (188 zones × 13 periods ≈ 2,444
appraisals) with Chinese names, returns and reopenings with reasons, unsigned steps, one
very long comment and a member without a zone. Seeded: the same arguments give the same dict.

It looks like the real one (what bench/history.py writes and service/cases/archives.py assembles),
for what costs a renderer time: ids and logins with the mine's prefix (K0001-M000001,
secretary-k0001-b1) and signers named after their post (1矿综采一队党小组评价员), so a
signer's name takes two lines in the PDF's narrow cells; version-5 UUIDs for appraisals;
scores to one decimal; zone names of a unit and a team (1矿综采一队生产一班责任区).
"""

import base64
import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.scoring import CENT, ONE_DECIMAL, mean

YEAR = "2026"
MINE = "K0001"
ITEMS = {"thought": 15, "study": 15, "talks": 10, "order": 20, "policy": 10, "duty": 20,
         "skills": 10}
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
            "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌海波鹏辉宇浩"
# (branch, its line and the line's zone prefix, its four party groups' units).
BRANCHES = (("综采支部", "采煤线", "CM", ("综采一队", "综采二队", "综采三队", "准备队")),
            ("掘进支部", "开掘线", "KJ", ("掘进一队", "掘进二队", "开拓一队", "综掘队")),
            ("机电支部", "机电运输线", "JY", ("机电队", "供电队", "排水队", "机修车间")),
            ("运输支部", "机电运输线", "JY", ("运输一队", "运输二队", "提升运输队", "调度所")),
            ("通风支部", "通风安全线", "TF", ("通风队", "抽采队", "安全监测队", "防突队")),
            ("地面支部", "地面", "DM", ("选煤厂", "机修厂", "供应站", "地面生产队")),
            ("后勤支部", "地面", "DM", ("后勤服务中心", "综合办公室", "经营管理科室",
                                     "安全生产科室")))
TEAMS = ("生产一班", "生产二班", "生产三班", "检修班", "运输班", "机电班", "支护班")
GROUPS = sum(len(units) for *_, units in BRANCHES)
SHARED_EVERY = 17  # every 17th zone has two responsible members, as in the demo
RETURN_EVERY = 11  # returned once when (zone + month) % 11 == 3: about 9%, as in bench
# Each scored step's comments (as the demo plans them), and who returns it with what reason.
COMMENTS = (("本月组织班前安全学习{n}次，开展谈心谈话{m}人次，责任区内无违章。",
             "带领班组完成月度生产任务，现场隐患{m}条均已整改闭合。",
             "坚持跟班作业{n}个班次，向支部反映职工思想动态{m}条。"),
            ("实地检视：现场文明生产达标，安全设施齐全。",
             "查阅资料：学习记录、谈心谈话记录完整，隐患台账闭合。",
             "重点抽查夜班{n}人次，发现{m}处不规范操作，已当场纠正。"),
            ("结合平时督查和重点抽查，同意责任区评价。", "听取汇报后核定，现场管理项酌情调整。",
             "参考自查和督查记录，统一考核定档。"))
APPROVALS = ("经支部委员会审核，同意公示。", "审核通过，予以公示。")
RETURNS = (("zone_evaluator", "自查表漏填谈心谈话情况，请补充后重新提交。"),
           ("group_leader", "评价依据不足，请补充实地检视和查阅资料情况。"),
           ("branch_secretary", "考核分与平时督查记录不一致，请党小组重新核定。"))
REOPEN_REASON = "公示期间职工反映该责任区当月有一起违章作业，经核实重新考核。"
LONG = ("本月责任区围绕安全生产中心任务开展工作：" + "组织职工学习《煤矿安全规程》和岗位作业标准，"
        "逐人谈心了解思想动态，协调解决职工家庭困难，现场检查发现并整改隐患，" * 12 + "完毕。")
REWARDS = {"excellent": 200, "qualified": 0, "basically_qualified": 0, "unqualified": -100}
STEPS = (("self_check", "self_check_submitted", "responsible_member", "zone_evaluation"),
         ("zone_evaluation", "zone_evaluation_submitted", "zone_evaluator", "group_review"),
         ("group_review", "group_review_submitted", "group_leader", "branch_approval"))


def sample_archive(zones: int = 12, months: int = 12, year_end: bool = True,
                   seed: int = 2026) -> dict[str, Any]:
    """An archive of `zones` zones, each appraised for the first `months` months (and the
    year-end when `year_end`), every appraisal published."""
    rng = random.Random(seed)
    org = _organisation(zones, rng)
    periods = [f"{YEAR}-{m:02d}" for m in range(1, months + 1)] + ([YEAR] if year_end else [])
    appraisals: list[dict[str, Any]] = []
    for z, zone in enumerate(org["zones"]):
        done: list[dict[str, Any]] = []  # the zone's months, which its year-end reads
        for period in periods:
            done.append(_appraisal(z, zone, period, rng, done))
        appraisals += done
    appraisals.sort(key=lambda a: (a["branch_id"], a["zone_id"], len(a["period"]) == 4,
                                   a["period"]))
    if appraisals:
        _lengthen(appraisals[min(2, len(appraisals) - 1)])
    as_of = "2027-01-31T16:00:00.000000Z"
    return {
        "manifest": {"year": YEAR, "branch_id": None, "as_of": as_of,
                     "position": sum(len(a["history"]) for a in appraisals) + 1000,
                     "software": "appraisal 0.1.0", "ledger": _ledger(appraisals, rng)},
        "year": YEAR, "as_of": as_of, "names": org["names"], "appraisals": appraisals,
        "members": _members(org, appraisals),
    }


def _ledger(appraisals: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    """A manifest's `ledger` as service.cases.inclusion makes it, of random hashes: a
    checkpoint of the whole log (a note with the service's signature) and an inclusion
    proof per appraisal as long as one in such a log."""
    size = sum(len(a["history"]) for a in appraisals) + 1000
    root = rng.randbytes(32)
    note = (f"appraisal.local/zones/sm3\n{size}\n{base64.b64encode(root).decode()}\n\n"
            f"— appraisal.local/zones/sm3 {base64.b64encode(rng.randbytes(68)).decode()}\n")
    hashes = size.bit_length()
    return {"hash": "sm3", "checkpoint": {"size": size, "root": root.hex(), "text": note},
            "appraisals": [{"appraisal_id": a["id"], "version": a["version"],
                            "leaf": rng.randrange(size), "chain": rng.randbytes(32).hex(),
                            "inclusion": base64.b64encode(rng.randbytes(32 * hashes)).decode()}
                           for a in sorted(appraisals, key=lambda a: a["id"])]}


def _organisation(zones: int, rng: random.Random) -> dict[str, Any]:
    mine = f"{int(MINE[1:])}矿"
    branches = {f"{MINE}-B{b + 1}": f"{mine}{name}" for b, (name, *_) in enumerate(BRANCHES)}
    units = [unit for *_, branch_units in BRANCHES for unit in branch_units]
    groups = {f"{MINE}-G{g + 1:02d}": f"{mine}{unit}党小组" for g, unit in enumerate(units)}
    users = {"admin": "系统管理员"}
    users.update({f"secretary-{b.lower()}": f"{name}书记" for b, name in branches.items()})
    users.update({f"leader-{g.lower()}": f"{name}组长" for g, name in groups.items()})
    users.update({f"evaluator-{g.lower()}": f"{name}评价员" for g, name in groups.items()})
    members: dict[str, str] = {}
    numbers = dict.fromkeys((prefix for _, _, prefix, _ in BRANCHES), 0)
    made = []
    for z in range(zones):
        group = z % GROUPS
        _, line, prefix, _ = BRANCHES[group // 4]
        numbers[prefix] += 1
        ids = [f"{MINE}-M{len(members) + k + 1:06d}"
               for k in range(2 if z % SHARED_EVERY == 3 else 1)]
        for member_id in ids:
            members[member_id] = _name(rng)
            users[member_id.lower()] = members[member_id]
        made.append({"zone_id": f"{MINE}-{prefix}{numbers[prefix]:02d}",
                     "zone_name": f"{mine}{units[group]}{TEAMS[z // GROUPS % len(TEAMS)]}责任区",
                     "line": line, "branch_id": f"{MINE}-B{group // 4 + 1}",
                     "group_id": f"{MINE}-G{group + 1:02d}", "members": ids})
    members[f"{MINE}-M{len(members) + 1:06d}"] = _name(rng)  # a member without a zone
    return {"zones": made, "names": {"users": users, "members": members, "branches": branches,
                                     "groups": groups}}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _appraisal(index: int, zone: dict[str, Any], period: str, rng: random.Random,
               months: list[dict[str, Any]]) -> dict[str, Any]:
    """One published appraisal with its history: opened (a year-end with its `months`),
    signed step by step, sometimes returned once by the next step's signer, now and then
    reopened by the branch and signed again."""
    clock = _Clock(period)
    group, branch = zone["group_id"].lower(), zone["branch_id"].lower()
    signer = {"responsible_member": zone["members"][0].lower(),
              "zone_evaluator": f"evaluator-{group}", "group_leader": f"leader-{group}",
              "branch_secretary": f"secretary-{branch}"}
    history: list[dict[str, Any]] = []
    steps: dict[str, Any] = dict.fromkeys(("self_check", "zone_evaluation", "group_review",
                                           "branch_approval"))
    base = _scores(rng)

    def event(kind: str, role: str, state: str, data: dict[str, Any]) -> str:
        at = clock.tick()
        history.append({"version": len(history) + 1, "type": kind, "at": at,
                        "actor": signer[role], "role": role, "state": state, "data": data})
        return at

    def sign(step: int) -> None:
        name, kind, role, state = STEPS[step]
        scores = _vary(base, rng)
        data = {"scores": scores, "total": _number(sum(scores.values())),
                "comment": _comment(COMMENTS[step], rng)}
        steps[name] = {"actor": signer[role], "at": event(kind, role, state, data), **data}

    def approve() -> None:
        comment = rng.choice(APPROVALS)
        at = event("branch_approved", "branch_secretary", "published",
                   {"comment": comment, "reward": REWARDS[_grade(score())]})
        steps["branch_approval"] = {"actor": signer["branch_secretary"], "at": at,
                                    "scores": None, "total": None, "comment": comment}

    def score() -> float:
        return steps["group_review"]["total"]

    event("opened", "branch_secretary", "self_check",
          {"zone_id": zone["zone_id"], "period": period, "template_id": "default",
           "template_version": 1, "items": dict(ITEMS),
           "responsible_member_ids": list(zone["members"])})
    evidence = _evidence(months) if len(period) == 4 else None
    if evidence is not None:
        event("months_summarised", "branch_secretary", "self_check", evidence)
    turn = index + int(period[5:] or 0)
    for step, (name, *_) in enumerate(STEPS):
        if step or rng.random() > 0.03:  # now and then nobody signed the self-check
            sign(step)
        if turn % RETURN_EVERY == 3 and turn % len(STEPS) == step and steps[name]:
            role, reason = RETURNS[step]
            event("returned", role, name, {"reason": reason})
            sign(step)
    approve()
    if rng.random() < 0.01:
        event("reopened", "branch_secretary", "group_review", {"reason": REOPEN_REASON})
        sign(2)
        approve()
    # Most results' posting closed (定稿); those returned on the way are still posted (the
    # same forms stand apart by their history's length either way: templates stay shared).
    final = not any(e["type"] == "returned" for e in history)
    if final:
        event("finalised", "branch_secretary", "published",
              {"posting": f"{branch}-p-{period}"})
    return {"id": str(uuid.UUID(int=rng.getrandbits(128), version=5)),
            "zone_id": zone["zone_id"], "zone_name": zone["zone_name"],
            "branch_id": zone["branch_id"], "group_id": zone["group_id"], "line": zone["line"],
            "period": period, "template_id": "default", "template_version": 1,
            "items": dict(ITEMS), "state": "published", "version": len(history),
            "responsible_member_ids": list(zone["members"]), **steps, "score": score(),
            "grade": _grade(score()), "reward": REWARDS[_grade(score())], "final": final,
            "allowed_actions": [], "history": history,
            **({} if evidence is None else {"months": evidence})}


def _evidence(months: list[dict[str, Any]]) -> dict[str, Any]:
    """A year-end's `months` as domain.yearend makes them of the zone's published months
    (the year's first ones, each read as it stands)."""
    read = {a["period"]: a for a in months}
    scores = [Decimal(str(a["score"])) for a in months]
    reviews = [a["group_review"]["scores"] for a in months]
    return {
        "results": {f"{YEAR}-{m:02d}": _read(read.get(f"{YEAR}-{m:02d}"))
                    for m in range(1, 13)},
        "average": _exact(mean(scores, CENT)),
        "excellent": sum(a["grade"] == "excellent" for a in months),
        "unqualified": sum(a["grade"] == "unqualified" for a in months),
        "offered": {code: _exact(mean([Decimal(str(r[code])) for r in reviews], ONE_DECIMAL))
                    for code in ITEMS} if months else None,
    }


def _read(month: dict[str, Any] | None) -> dict[str, Any] | None:
    if month is None:
        return None
    return {"score": month["score"], "grade": month["grade"], "final": month["final"],
            "version": month["version"]}


def _exact(value: Decimal | None) -> int | float | None:
    return None if value is None else int(value) if value == int(value) else float(value)


def _comment(pool: tuple[str, ...], rng: random.Random) -> str:
    return rng.choice(pool).format(n=rng.randint(3, 9), m=rng.randint(1, 6))


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
    """A month's level (86 of 100 on average), each item near it."""
    level = min(0.98, max(0.6, rng.gauss(0.86, 0.055)))
    return {code: maximum * level * rng.uniform(0.95, 1.05) for code, maximum in ITEMS.items()}


def _vary(base: dict[str, float], rng: random.Random) -> dict[str, int | float]:
    """Each item's score to one decimal, a step's own judgement of the zone's month."""
    return {code: _number(min(ITEMS[code], max(0, value + rng.uniform(-0.6, 0.6))))
            for code, value in base.items()}


def _number(value: float) -> int | float:
    value = round(value, 1)
    return int(value) if value == int(value) else value


def _grade(score: float) -> str:
    return ("excellent" if score >= 90 else "qualified" if score >= 80
            else "basically_qualified" if score >= 70 else "unqualified")


def _members(org: dict[str, Any], appraisals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-member summary as the assembly makes it, from the published appraisals."""
    zone_of = {z["zone_id"]: z for z in org["zones"]}
    last = {"branch_id": f"{MINE}-B{len(BRANCHES)}", "group_id": f"{MINE}-G{GROUPS:02d}"}
    rows = []
    for member_id, name in sorted(org["names"]["members"].items()):
        mine = [a for a in appraisals if member_id in a["responsible_member_ids"]]
        monthly = [{"period": a["period"], "zone_id": a["zone_id"], "score": a["score"],
                    "grade": a["grade"]} for a in mine if len(a["period"]) == 7]
        zones = sorted({a["zone_id"] for a in mine})
        first = zone_of[zones[0]] if zones else last
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
