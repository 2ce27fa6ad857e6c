"""What happens in the demo mine month by month: who signs each appraisal, with which marks.

Everything is derived from the zone and the period with seeded generators, so a second
run plans exactly the same moves and can tell how far the first one got.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from domain.forms import DEFAULT_ITEMS
from domain.process import PROCEDURE, STEPS, Role
from workflows.appraisals import Submission
from workflows.process import Action

PUBLISHED = ("2026-07", "2026-08", "2026-09")
LATEST = "2026-10"  # spread over every state; 2026-11 is left for the README walkthrough
PERIODS = (*PUBLISHED, LATEST)
REOPENED = ("KJ05", "2026-08")
TENTH = Decimal("0.1")

SELF_CHECKS = ("本月组织班前安全学习{n}次，开展谈心谈话{m}人次，责任区内无违章。",
               "带领班组完成月度生产任务，现场隐患{m}条均已整改闭合。",
               "坚持跟班作业{n}个班次，向支部反映职工思想动态{m}条。")
EVALUATIONS = ("实地检视：现场文明生产达标，安全设施齐全。",
               "查阅资料：学习记录、谈心谈话记录完整，隐患台账闭合。",
               "重点抽查夜班{n}人次，发现{m}处不规范操作，已当场纠正。")
REVIEWS = ("结合平时督查和重点抽查，同意责任区评价。",
           "听取汇报后核定，现场管理项酌情调整。",
           "参考自查和督查记录，统一考核定档。")
APPROVALS = ("经支部委员会审核，同意公示。", "审核通过，予以公示。")
RETURNS: dict[str, str] = {
    Role.ZONE_EVALUATOR: "自查表漏填谈心谈话情况，请补充后重新提交。",
    Role.GROUP_LEADER: "评价依据不足，请补充实地检视和查阅资料情况。",
    Role.BRANCH_SECRETARY: "考核分与平时督查记录不一致，请党小组重新核定。",
}
REOPEN_REASON = "公示期间职工反映该责任区当月有一起违章作业，经核实重新考核。"


@dataclass(frozen=True)
class Signers:
    """The users who sign one zone's appraisal; `member` is None for an uncovered zone."""

    member: str | None
    evaluator: str
    leader: str
    secretary: str


@dataclass(frozen=True)
class Move:
    """One command: `username` takes `action` with `submission`."""

    username: str
    action: str
    submission: Submission


def moves(zone_id: str, index: int, period: str, signers: Signers) -> list[Move]:
    """The moves that take this appraisal where the demo leaves it."""
    if signers.member is None:
        return []  # nobody answers for the zone, so nobody can make its self-check
    rng = random.Random(f"{zone_id}|{period}")
    level = _level(zone_id, rng)
    forward = _forward(rng, level, signers.member, signers)
    if period == LATEST:
        depth = index % 5  # 0 self_check … 4 published
        if depth == 2 and index % 3 == 0:  # one in three group reviews sent back for now
            return [*forward[:2], _return(signers.leader, Role.GROUP_LEADER)]
        return forward[:depth]
    month = int(period[-2:])
    played = forward
    for step, every in ((3, 37), (2, 29), (1, 31)):  # latest first: earlier indices hold
        if (index + month) % every == 0:  # sent back once, then signed again
            played = _returned_at(rng, level, played, step, signers)
    if (zone_id, period) == REOPENED:
        reopened = Move(signers.secretary, Action.REOPEN, Submission(reason=REOPEN_REASON))
        played = [*played, reopened,
                  _sign(rng, signers.leader, Action.GROUP_REVIEW, level - 6, REVIEWS),
                  _sign(rng, signers.secretary, Action.BRANCH_APPROVAL, None, APPROVALS)]
    return played


def _level(zone_id: str, rng: random.Random) -> float:
    """A zone is steadily good or weak; a month varies around it (all four bands occur)."""
    steady = random.Random(zone_id).gauss(86, 5.5)
    return min(98.0, max(55.0, steady + rng.gauss(0, 4)))


def _forward(rng: random.Random, level: float, member: str, s: Signers) -> list[Move]:
    return [_sign(rng, member, Action.SELF_CHECK, level + 3, SELF_CHECKS),
            _sign(rng, s.evaluator, Action.ZONE_EVALUATION, level, EVALUATIONS),
            _sign(rng, s.leader, Action.GROUP_REVIEW, level, REVIEWS),
            _sign(rng, s.secretary, Action.BRANCH_APPROVAL, None, APPROVALS)]


def _returned_at(rng: random.Random, level: float, played: list[Move], step: int,
                 s: Signers) -> list[Move]:
    """The signer of forward step `step` sends it back; the step before is signed again."""
    role = PROCEDURE[STEPS[step]].role  # who signs the step it is sent back from
    again = played[step - 1]
    redo = _sign(rng, again.username, again.action, level + 1, _pool(again.action))
    return [*played[:step], _return(played[step].username, role), redo, *played[step:]]


def _pool(action: str) -> tuple[str, ...]:
    pools: dict[str, tuple[str, ...]] = {Action.SELF_CHECK: SELF_CHECKS,
                                         Action.ZONE_EVALUATION: EVALUATIONS,
                                         Action.GROUP_REVIEW: REVIEWS}
    return pools[action]


def _return(username: str, role: str) -> Move:
    return Move(username, Action.RETURN, Submission(reason=RETURNS[role]))


def _sign(rng: random.Random, username: str, action: str, level: float | None,
          comments: tuple[str, ...]) -> Move:
    comment = rng.choice(comments).format(n=rng.randint(3, 9), m=rng.randint(1, 6))
    scores = None if level is None else marks(rng, level)
    return Move(username, action, Submission(scores=scores, comment=comment))


def marks(rng: random.Random, level: float) -> dict[str, Decimal]:
    """Item scores of the default form near `level` per cent, one decimal each."""
    scores = {}
    for code, maximum in DEFAULT_ITEMS.items():
        share = min(1.0, max(0.4, level / 100 + rng.uniform(-0.05, 0.05)))
        scores[code] = (Decimal(maximum) * Decimal(f"{share:.3f}")).quantize(TENTH)
    return scores
