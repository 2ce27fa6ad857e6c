"""The hostile corpus: requests an attacker (or a broken client) sends, each answered 4xx with
nothing recorded, and never by the last-resort handler (service.errors._unexpected).

On SQLite and PostgreSQL: NUL characters, invalid UTF-8 and overflowing numbers are refused
by the HTTP layer or the domain before either database sees them, and the tests show it.
"""

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from domain.period import CHINA
from ledger.offline import COSIGNATURE, key_id_of
from store.attachments import attachments
from tests.e2e.pages import Pages
from tests.e2e.support import act, assert_problem, nothing_recorded
from tests.helpers import SCORES, Api
from tests.unit.test_ledger_notes import GO_VKEY

DEEP = "[" * 5000 + "]" * 5000
JSON = {"content-type": "application/json"}
POLICY = {"excellent": 200, "qualified": 0, "basically_qualified": 0, "unqualified": -100}


@dataclass(frozen=True)
class Hostile:
    """One request: who sends it (None: nobody signed in), how, and to where."""

    name: str
    user: str | None
    method: str
    path: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    page: bool = False  # a web page, read with the user's session cookie


def _deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def corpus(appraisal: str, checkpoint: int, finding: str) -> list[Hostile]:
    act = f"/appraisals/{appraisal}"
    return [*_requests(act), *_log_requests(checkpoint), *_finding_requests(act, finding),
            *_publicity_requests(appraisal), *_deadline_requests(),
            *_reminder_requests(), *_bulk_requests(appraisal),
            *_delegation_requests(appraisal), *_cancel_requests(act)]


def _deadline_requests() -> list[Hostile]:
    """Deadlines: dates that are not, or far from their period; steps that are not; periods
    out of range; branch ids that only look like one; huge and deep bodies."""
    branch, every = "/branches/B1/deadlines/2027-01", "/deadlines/2027-01"

    def dates(name: str, value: Any, path: str = branch) -> Hostile:
        return Hostile(f"deadlines: {name}", "admin", "PUT", path, {"json": {"dates": value}})
    return [
        dates("a date in other digits", {"self_check": "\u0662\u0660\u0662\u0667-02-01"}),
        dates("a date with a time", {"self_check": "2027-02-01T00:00"}),
        dates("a date as a number", {"self_check": 20270201}),
        dates("a date as true", {"self_check": True}),
        dates("a date as null", {"self_check": None}),
        dates("a date in year 9999", {"self_check": "9999-01-01"}, every),
        dates("a date before the period", {"self_check": "1970-01-01"}, every),
        dates("February 30th", {"self_check": "2027-02-30"}),
        dates("a step that is not", {"published": "2027-02-01"}),
        dates("a step of 10,000 characters", {"s" * 10_000: "2027-02-01"}, every),
        dates("a step with NUL", {"self_check\u0000": "2027-02-01"}),
        dates("a date of a million characters", {"self_check": "2" * 1_000_000}),
        dates("a thousand steps", {f"s{i}": "2027-02-01" for i in range(1000)}, every),
        dates("dates as a list", ["2027-02-01"]),
        Hostile("deadlines of a deep body", "admin", "PUT", every,
                {"content": _deep_object(5000), "headers": JSON}),
        Hostile("deadlines of month 13", "admin", "PUT", "/deadlines/2027-13",
                {"json": {"dates": {"self_check": "2028-02-01"}}}),
        Hostile("deadlines of year 0001", "admin", "PUT", "/deadlines/0001",
                {"json": {"dates": {"self_check": "0002-01-01"}}}),
        Hostile("deadlines of a branch in lower case", "admin", "PUT",
                "/branches/b1/deadlines/2027-01",
                {"json": {"dates": {"self_check": "2027-02-01"}}}),
        Hostile("deadlines of a branch with NUL", "admin", "PUT",
                "/branches/B1%00/deadlines/2027-01",
                {"json": {"dates": {"self_check": "2027-02-01"}}}),
        Hostile("deadlines read for a look-alike branch", "inspector", "GET",
                "/deadlines/2027-01?branch_id=B1%20"),
        Hostile("deadlines read for a full-width branch", "inspector", "GET",
                "/deadlines/2027-01?branch_id=\uff22\uff11"),
        Hostile("the overdue list of month 13", "inspector", "GET", "/overdue?period=2026-13"),
        Hostile("the overdue list as a PDF", "inspector", "GET", "/overdue?format=pdf"),
        Hostile("the overdue list of a branch with NUL", "inspector", "GET",
                "/overdue?branch_id=B1%00"),
        Hostile("the overdue list of a lower-case branch", "inspector", "GET",
                "/overdue?branch_id=b1"),
        Hostile("the overdue page of month 13", "inspector", "GET", "/app/overdue?period=2026-13",
                page=True),
        Hostile("the deadlines page of year 0001", "admin", "GET", "/app/deadlines?period=0001",
                page=True),
    ]


WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="


def _reminder_requests() -> list[Hostile]:
    """Reminders' targets the service must never post or mail to (SSRF, header injection),
    bodies past their bounds, days that are not days."""
    def chose(name: str, **body: Any) -> Hostile:
        return Hostile(name, "m1", "PUT", "/users/m1/reminders", {"json": body})

    def robot(name: str, url: str, channel: str = "wecom") -> Hostile:
        return chose(name, channels=[channel], **{f"{channel}_url": url})

    return [
        robot("a webhook over http", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
        robot("a webhook to another host", "https://169.254.169.254/latest/meta-data"),
        robot("a webhook with userinfo", "https://qyapi.weixin.qq.com@127.0.0.1/send"),
        robot("a webhook with userinfo and password",
              "https://qyapi.weixin.qq.com:x@127.0.0.1:8080/send"),
        robot("a webhook host suffix", "https://qyapi.weixin.qq.com.evil.example/send"),
        robot("a webhook fragment trick", "https://127.0.0.1#@qyapi.weixin.qq.com/"),
        robot("a webhook backslash trick", "https://127.0.0.1\\@qyapi.weixin.qq.com/"),
        robot("a webhook on another port", "https://qyapi.weixin.qq.com:8443/send"),
        robot("a webhook with a port that is no number", "https://qyapi.weixin.qq.com:x/"),
        robot("a webhook with a homoglyph host", "https://qyapi.weixin.qq.\u0441om/send"),
        robot("a webhook with a line break", WECOM + "k\r\nHost: evil.example"),
        robot("a webhook with NUL", WECOM + "k\u0000"),
        robot("a webhook of 100,000 characters", WECOM + "k" * 100_000),
        robot("DingTalk's webhook on WeCom's host", WECOM + "k", "dingtalk"),
        chose("a channel without its target", channels=["dingtalk"]),
        chose("an unknown channel", channels=["sms"], email="a@example.cn"),
        chose("channels that are not a list", channels="email", email="a@example.cn"),
        chose("a thousand channels", channels=["email"] * 1000, email="a@example.cn"),
        chose("an e-mail with a header injected", channels=["email"],
              email="a@example.cn\r\nBcc: victim@example.cn"),
        chose("an e-mail with a second recipient", channels=["email"],
              email="a@example.cn,victim@example.cn"),
        chose("an e-mail with a display name", channels=["email"], email="张伟 <a@example.cn>"),
        chose("an e-mail of 300 characters", channels=["email"], email="a" * 290 + "@example.cn"),
        chose("an e-mail that is a number", channels=["email"], email=12),
        chose("a DingTalk secret with a line break", channels=["email"], email="a@example.cn",
              dingtalk_secret="SEC1\nX"),
        Hostile("a reminders body that is not UTF-8", "m1", "PUT", "/users/m1/reminders",
                {"content": b'{"channels": ["email"], "email": "\xff@example.cn"}',
                 "headers": JSON}),
        Hostile("someone else's reminders", "m2", "PUT", "/users/m1/reminders",
                {"json": {"channels": ["email"], "email": "a@example.cn"}}),
        *(Hostile(f"the reminders of day {day!r}", "admin", "GET", f"/reminders?day={day}")
          for day in ("2026-02-30", "9999-01-01", "\u0662\u0660\u0662\u0666-11-06",
                      "2026-W45-1", "20261106", "x" * 10_000)),
        Hostile("the reminders with a limit of 10^12", "admin", "GET", "/reminders?limit="
                + "9" * 13),
        Hostile("the reminders page of day 0000-01-01", "admin", "GET",
                "/app/reminders?day=0000-01-01", page=True),
    ]


def _bulk_requests(appraisal: str) -> list[Hostile]:
    """Bulk sign-offs refused as a whole: too many items, one appraisal named twice in
    another spelling, bodies too deep or too large, fields past their bounds."""
    def bulk(name: str, body: Any, **kwargs: Any) -> Hostile:
        sent = {"content": body, "headers": JSON} if isinstance(body, str) else {"json": body}
        return Hostile(name, "secretary", "POST", "/appraisals/bulk", {**sent, **kwargs})

    one = {"id": appraisal, "comment": "同意"}
    return [
        bulk("a bulk of 501 items", {"action": "branch-approval", "items": [one] * 501}),
        bulk("a bulk of no items", {"action": "branch-approval", "items": []}),
        bulk("a bulk naming one appraisal twice, once in capitals", {
            "action": "branch-approval", "items": [one, {**one, "id": appraisal.upper()}]}),
        bulk("a bulk naming one appraisal twice, once as a URN", {
            "action": "branch-approval", "items": [one, {**one, "id": f"urn:uuid:{appraisal}"}]}),
        bulk("a bulk of an unknown action", {"action": "approve-all", "items": [one]}),
        bulk("a bulk whose items nest deep", '{"action": "branch-approval", "items": ' + DEEP
             + "}"),
        bulk("a bulk whose scores nest 33 deep", '{"action": "group-review", "items": [{"id": "'
             + appraisal + '", "scores": ' + _deep_object(31) + "}]}"),
        bulk("a bulk over the body limit", {"action": "branch-approval", "items": [
            {**one, "comment": "长" * 400_000}]}),
        bulk("a bulk item id of 101 characters", {"action": "branch-approval",
                                                  "items": [{"id": "9" * 101}]}),
        bulk("a bulk item If-Match of 101 characters", {
            "action": "branch-approval", "items": [{**one, "if_match": "9" * 101}]}),
        bulk("a bulk Idempotency-Key of 201 characters", {"action": "branch-approval",
                                                          "items": [one]},
             headers={"Idempotency-Key": "k" * 201}),
        bulk("a bulk id that is a number", {"action": "branch-approval", "items": [{"id": 1}]}),
    ]


def _delegation_requests(appraisal: str) -> list[Hostile]:
    """代签: days out of range or of another type or script, reasons and names past their
    bounds, oneself or nobody as the deputy, and ids that only look like a delegation's."""
    today = datetime.now(CHINA).date()

    def named(name: str, **changes: Any) -> Hostile:
        body = {"deputy": "m2", "from": today.isoformat(), "to": today.isoformat(),
                "reason": "出差", **changes}
        return Hostile(name, "leader", "POST", "/delegations", {"json": body})

    later = (today + timedelta(days=1)).isoformat()
    return [
        named("a delegation from yesterday", **{"from": (today - timedelta(days=1)).isoformat()}),
        named("a delegation ending before it starts", **{"from": later}),
        named("a delegation of two years", to=(today + timedelta(days=731)).isoformat()),
        named("a delegation starting in 3000", **{"from": "3000-01-01", "to": "3000-01-02"}),
        named("a delegation on 30 February", to=f"{today.year + 1}-02-30"),
        named("days as numbers", **{"from": 20261103}),
        named("days in Arabic-Indic digits", to="\u0662\u0660\u0662\u0666-11-03"),
        named("days in full-width digits", to="２０２６-１１-０３"),
        named("a reason of 5,000 characters", reason="长" * 5000),
        named("a reason of blanks", reason=" \t "),
        named("a reason with NUL", reason="出\u0000差"),
        named("oneself as the deputy", deputy="leader"),
        named("the deputy nobody", deputy="nobody"),
        named("a deputy of 65 characters", deputy="d" * 65),
        named("a deputy with NUL", deputy="m2\u0000"),
        named("a principal who signs nothing", principal="m1"),
        named("a principal nobody", principal="nobody"),
        Hostile("a delegation in capital hex", "leader", "GET",
                f"/delegations/{appraisal.upper()}-d1"),
        Hostile("an appraisal's id as a delegation", "leader", "GET",
                f"/delegations/{appraisal}-d1"),
        Hostile("a delegation number in other digits", "leader", "GET",
                f"/delegations/{appraisal}-d\u0661"),
        Hostile("a delegation number of 10^30", "leader", "POST",
                f"/delegations/{appraisal}-d1{'0' * 30}/revoke", {"json": {"reason": "r"}}),
        Hostile("NUL in a delegation id", "leader", "POST",
                f"/delegations/{appraisal}-d1%00/revoke", {"json": {"reason": "r"}}),
        Hostile("a listing of active=maybe", "leader", "GET", "/delegations?active=maybe"),
    ]


def _cancel_requests(act: str) -> list[Hostile]:
    """Cancellations (撤销) of the world's unsigned appraisal that none may record: reasons
    missing, blank, past their bound or of another type; stale or odd versions; another
    branch's secretary; a look-alike id; and the list's state filter."""
    cancel = f"{act}/cancel"
    return [
        Hostile("a cancellation without a reason", "secretary", "POST", cancel, {"json": {}}),
        Hostile("a cancellation of blanks", "secretary", "POST", cancel,
                {"json": {"reason": " \u3000\t "}}),
        Hostile("a cancellation reason of 5,000 characters", "secretary", "POST", cancel,
                {"json": {"reason": "错" * 5000}}),
        Hostile("a cancellation reason with NUL", "secretary", "POST", cancel,
                {"json": {"reason": "开错\u0000了"}}),
        Hostile("a cancellation reason of 1e400", "secretary", "POST", cancel,
                {"content": '{"reason": 1e400}', "headers": JSON}),
        Hostile("a cancellation reason as a list", "secretary", "POST", cancel,
                {"json": {"reason": ["开错了"]}}),
        Hostile("deep JSON to a cancellation", "secretary", "POST", cancel,
                {"content": '{"reason": ' + DEEP + "}", "headers": JSON}),
        Hostile("a cancellation of a stale version", "secretary", "POST", cancel,
                {"json": {"reason": "开错了"}, "headers": {"If-Match": '"0"'}}),
        Hostile("a cancellation of a full-width version", "secretary", "POST", cancel,
                {"json": {"reason": "开错了"}, "headers": {"If-Match": '"\uff11"'.encode()}}),
        Hostile("a cancellation by another branch's secretary", "secretary2", "POST", cancel,
                {"json": {"reason": "开错了"}}),
        Hostile("a cancellation by an administrator without the grant", "admin", "POST",
                cancel, {"json": {"reason": "开错了"}}),
        Hostile("a cancellation of a look-alike id", "secretary", "POST",
                f"{act.upper().replace('/APPRAISALS/', '/appraisals/')}x/cancel",
                {"json": {"reason": "开错了"}}),
        Hostile("a state filter with NUL", "admin", "GET", "/appraisals?state=cancelled%00"),
        Hostile("a list page's state filter with NUL", "admin", "GET",
                "/app/appraisals?state=cancelled%00", page=True),
    ]


def _publicity_requests(appraisal: str) -> list[Hostile]:
    """公示: windows out of range or of another type, ids that only look like a posting's or
    an objection's, reasons and names past their bounds, links that are not (nothing is
    posted in this world, so an allowed write would be a 409: never recorded either)."""
    posting = "/branches/B1/postings"
    public = "/public/boards/" + "0" * 32 + "x" * 32
    return [
        Hostile("a window of 10^20 days", "secretary", "POST", posting,
                {"json": {"period": "2026-10", "days": 10**20}}),
        Hostile("a window of -1 days", "secretary", "POST", posting,
                {"json": {"period": "2026-10", "days": -1}}),
        Hostile("a window of 5.5 days", "secretary", "POST", posting,
                {"json": {"period": "2026-10", "days": 5.5}}),
        Hostile("a window of true days", "secretary", "PUT", "/branches/B1/posting-days",
                {"json": {"days": True}}),
        Hostile("partial as a string", "secretary", "POST", posting,
                {"json": {"period": "2026-10", "partial": "true"}}),
        Hostile("a posting of month 13", "secretary", "POST", posting,
                {"json": {"period": "2026-13"}}),
        Hostile("a posting in capital hex", "m1", "GET",
                f"/postings/{appraisal.upper()}-p1"),
        Hostile("a posting number in other digits", "m1", "GET",
                f"/postings/{appraisal}-p\u0661"),
        Hostile("a posting number of 10^30", "m1", "GET", f"/postings/{appraisal}-p1{'0' * 30}"),
        Hostile("an appraisal's id as a posting", "m1", "GET", f"/postings/{appraisal}"),
        Hostile("NUL in a posting id", "m1", "GET", f"/postings/{appraisal}-p1%00"),
        Hostile("an objection of 5,000 characters", "m1", "POST",
                f"/appraisals/{appraisal}/objections", {"json": {"reason": "长" * 5000}}),
        Hostile("an objection of blanks", "m1", "POST", f"/appraisals/{appraisal}/objections",
                {"json": {"reason": " \t "}}),
        Hostile("an objection with NUL", "m1", "POST", f"/appraisals/{appraisal}/objections",
                {"json": {"reason": "异\u0000议"}}),
        Hostile("an answer upheld as 1", "secretary", "POST",
                f"/objections/{appraisal}-o1/answer", {"json": {"upheld": 1, "reason": "r"}}),
        Hostile("an answer to a posting's id", "secretary", "POST",
                f"/objections/{appraisal}-p1/answer", {"json": {"upheld": False, "reason": "r"}}),
        Hostile("a public link that is not", None, "GET", public),
        Hostile("a public objection by a link that is not", None, "POST", f"{public}/objections",
                {"json": {"appraisal_id": appraisal, "reason": "r", "name": "n",
                          "contact": "c"}}),
        Hostile("a public objection by a name of 300 characters", None, "POST",
                f"{public}/objections", {"json": {"appraisal_id": appraisal, "reason": "r",
                                                  "name": "名" * 300, "contact": "c"}}),
        Hostile("a public link of 60,000 characters", None, "GET",
                "/public/boards/" + "a" * 60_000),
        Hostile("progress of month 13", "inspector", "GET", "/progress?period=2026-13"),
        Hostile("progress of a branch with NUL", "inspector", "GET",
                "/progress?period=2026-10&branch_id=B1%00"),
    ]


FOUND = {"method": "on_site", "date": "2026-11-03", "text": "支护不规范", "attachments": []}
FILE = {"sha256": "0" * 64, "name": "x.png", "media_type": "image/png", "size": 10}


def _finding_requests(act: str, finding: str) -> list[Hostile]:
    """Findings and rectifications that no store may take, and files that are not photos or
    PDFs or are too big."""
    def found(name: str, **changes: Any) -> list[Hostile]:
        return [Hostile(f"{name} (on {where})", "inspector", "POST", f"{path}/findings",
                        {"json": {**FOUND, **changes}})
                for where, path in (("a zone", "/zones/Z1"), ("an appraisal", act))]

    def answer(name: str, **changes: Any) -> Hostile:
        return Hostile(f"{name} (rectification)", "secretary", "POST",
                       f"/findings/{finding}/rectification",
                       {"json": {"text": "已整改", "attachments": [], **changes}})

    return [
        *found("a finding of 5,000 characters", text="长" * 5000),
        *found("NUL in a finding", text="好\u0000"),
        *found("an unknown method", method="hearsay"),
        *found("a finding dated in 3000", date="3000-01-01"),
        *found("a finding dated tomorrow in China", date=(
            datetime.now(CHINA) + timedelta(days=1)).date().isoformat()),
        *found("a date in Arabic-Indic digits", date="\u0662\u0660\u0662\u0666-11-03"),
        *found("a file the service does not hold", attachments=[FILE]),
        *found("11 files", attachments=[FILE] * 11),
        *found("a file of 2^63 bytes", attachments=[{**FILE, "size": 2**63}]),
        answer("a rectification of 5,000 characters", text="长" * 5000),
        answer("NUL in a rectification", text="\u0000"),
        answer("a rectification naming a file the service does not hold",
               attachments=[FILE]),
        Hostile("a finding id of 10^20", "inspector", "GET",
                f"/findings/{finding[:-1]}{'9' * 20}"),
        Hostile("an 11 MB file", "inspector", "POST", "/attachments?name=x.png",
                {"content": b"\x89PNG\r\n\x1a\n" + bytes(11 * 1024 * 1024)}),
        Hostile("HTML named as a JPEG", "inspector", "POST", "/attachments?name=x.jpg",
                {"content": b"<html><script>alert(1)</script></html>",
                 "headers": {"content-type": "image/jpeg"}}),
        Hostile("NUL in a file's name", "inspector", "POST", "/attachments?name=x%00.png",
                {"content": b"\x89PNG\r\n\x1a\n"}),
        Hostile("a file's name of 300 characters", "inspector", "POST",
                "/attachments?name=" + "x" * 300, {"content": b"\x89PNG\r\n\x1a\n"}),
    ]


def _log_requests(size: int) -> list[Hostile]:
    """The log's checkpoints: sizes past a BIGINT, signed, in other digits; signature lines
    and keys that are not, or that hide more lines and control characters."""
    def cosign(name: str, line: str) -> Hostile:
        return Hostile(name, "archivist", "POST", f"/checkpoints/{size}/cosignatures",
                       {"json": {"signature": line}})

    def witness(name: str, vkey: str) -> Hostile:
        return Hostile(name, "admin", "POST", "/witnesses", {"json": {"vkey": vkey}})

    return [
        Hostile("a checkpoint of size 10^20", "archivist", "GET", "/checkpoints/1" + "0" * 20),
        Hostile("a checkpoint of size 2^62", "archivist", "GET", f"/checkpoints/{2**62}"),
        Hostile("a negative checkpoint size", "archivist", "GET", "/checkpoints/-1"),
        Hostile("a checkpoint size in Arabic-Indic digits", "archivist", "GET",
                "/checkpoints/\u0661"),
        Hostile("NUL in a checkpoint size", "archivist", "GET", "/checkpoints/1%00"),
        Hostile("consistency back in time", "archivist", "GET",
                f"/checkpoints/consistency?from={size}&to=1"),
        Hostile("consistency past the log", "archivist", "GET",
                f"/checkpoints/consistency?from=0&to={2**62 - 1}"),
        Hostile("consistency from -1", "archivist", "GET", "/checkpoints/consistency?from=-1&to=1"),
        Hostile("consistency without sizes", "archivist", "GET", "/checkpoints/consistency"),
        Hostile("a cosignature of checkpoint 2^63", "archivist", "POST",
                f"/checkpoints/{2**63}/cosignatures", {"json": {"signature": "— w1 AAAAAAAA"}}),
        cosign("a garbage signature line", "garbage"),
        cosign("a signature line that is not base64", "— w1 !!!!"),
        cosign("a signature of two bytes", "— w1 AAA="),
        cosign("two signature lines", "— w1 AAAAAAAA\n— w2 AAAAAAAA"),
        cosign("a blank line and a signature", "\n\n— w1 AAAAAAAA"),
        cosign("signature lines split by U+2028", "— w1 AAAAAAAA\u2028— w2 AAAAAAAA"),
        cosign("a carriage return in a signature line", "— w1 AAAAAAAA\r"),
        cosign("NUL in a signature line", "— w1\x00 AAAAAAAA"),
        cosign("a signature line of 501 characters", "— w1 " + "A" * 496),
        cosign("a signature by no registered witness", "— w1 " + "A" * 96),
        Hostile("a lone surrogate in a signature line", "archivist", "POST",
                f"/checkpoints/{size}/cosignatures",
                {"content": '{"signature": "— \\ud800 AAAAAAAA"}', "headers": JSON}),
        witness("a garbage witness key", "garbage"),
        witness("NUL in a witness key", "w1\x00+00000000+AAAA"),
        witness("a witness key of 301 characters", "w" * 301),
        witness("a service key (type 0x01) as a witness's", GO_VKEY),
        witness("a witness key named with a space", _vkey("w 1")),
        witness("a witness key named with a control character", _vkey("w\x01")),
        Hostile("a lone surrogate in a witness key", "admin", "POST", "/witnesses",
                {"content": '{"vkey": "\\ud800+00000000+AAAA"}', "headers": JSON}),
    ]


def _vkey(name: str) -> str:
    """A cosignature vkey (0x04) whose key id matches its name, whatever the name."""
    public = bytes(32)
    material = base64.b64encode(bytes([COSIGNATURE]) + public).decode()
    return f"{name}+{key_id_of(name, COSIGNATURE, public).hex()}+{material}"


def _requests(act: str) -> list[Hostile]:
    return [
        # Bodies that cannot be parsed, or nest past any request's shape.
        Hostile("deep JSON to sign-in", None, "POST", "/auth/token",
                {"content": DEEP, "headers": JSON}),
        Hostile("deep JSON to an action", "m1", "POST", f"{act}/self-check",
                {"content": '{"scores": ' + DEEP + "}", "headers": JSON}),
        Hostile("JSON nested 33 deep", "admin", "POST", "/branches",
                {"content": _deep_object(33), "headers": JSON}),
        Hostile("deep JSON without a content type", "admin", "POST", "/branches",
                {"content": DEEP}),
        Hostile("invalid UTF-8 body", "admin", "POST", "/branches",
                {"content": b'{"id": "B9", "name": "\xff\xfe"}', "headers": JSON}),
        Hostile("a body over the limit", "admin", "POST", "/branches",
                {"content": b'{"id": "' + b"x" * (2 * 1024 * 1024) + b'"}', "headers": JSON}),
        Hostile("a Content-Length that is not a number", "admin", "POST", "/branches",
                {"content": b"{}", "headers": {**JSON, "content-length": "\u0661".encode()}}),
        # Numbers past what any column, cell or decimal context holds.
        Hostile("a reward of 1e17 yuan", "secretary", "PUT", "/branches/B1/reward-policy",
                {"json": {**POLICY, "excellent": 1e17}}),
        Hostile("a fine past 100,000 yuan", "secretary", "PUT", "/branches/B1/reward-policy",
                {"json": {**POLICY, "unqualified": -100000.01}}),
        Hostile("a reward of 10^5000", "secretary", "PUT", "/branches/B1/reward-policy",
                {"content": '{"excellent": 1' + "0" * 5000 + ', "qualified": 0, '
                 '"basically_qualified": 0, "unqualified": 0}', "headers": JSON}),
        Hostile("an infinite reward", "secretary", "PUT", "/branches/B1/reward-policy",
                {"content": '{"excellent": 1e999, "qualified": 0, "basically_qualified": 0, '
                 '"unqualified": 0}', "headers": JSON}),
        Hostile("a NaN reward", "secretary", "PUT", "/branches/B1/reward-policy",
                {"content": '{"excellent": NaN, "qualified": 0, "basically_qualified": 0, '
                 '"unqualified": 0}', "headers": JSON}),
        Hostile("a score of 1e400", "m1", "POST", f"{act}/self-check",
                {"content": '{"scores": {"thought": 1e400}}', "headers": JSON}),
        Hostile("a huge item maximum", "admin", "POST", "/forms",
                {"json": {"id": "F9", "name": "表", "items": {"a": 1e300}}}),
        # Counts in other scripts' digits, with underscores or signs, or past any bound.
        Hostile("Arabic-Indic digits as a limit", "admin", "GET", "/appraisals?limit=\u0661\u0662"),
        Hostile("underscores in an offset", "admin", "GET", "/appraisals?offset=1_0"),
        Hostile("a signed limit", "admin", "GET", "/zones?limit=%2B1"),
        Hostile("a limit of 10^18", "admin", "GET", "/rankings/2026-10?limit=" + "9" * 19),
        Hostile("an offset of 10^18", "admin", "GET", "/inbox?offset=" + "9" * 19),
        Hostile("version 0", "admin", "GET", f"{act}?version=0"),
        Hostile("a superscript version", "admin", "GET", f"{act}?version=%C2%B2"),
        Hostile("a Latin-1 If-Match", "m1", "POST", f"{act}/self-check",
                {"json": {"scores": SCORES}, "headers": {"If-Match": b'"\xb2"'}}),
        Hostile("a full-width If-Match", "m1", "POST", f"{act}/self-check",
                {"json": {"scores": SCORES},
                 "headers": {"If-Match": '"\uff11"'.encode()}}),
        # Instants before 1970, in year 1 (which overflows in UTC), in the future, naive.
        Hostile("an archive as of year 1", "archivist", "GET",
                "/archives/2024?as_of=0001-01-01T00:00:00%2B08:00"),
        Hostile("an archive as of 1969", "archivist", "GET",
                "/archives/2024?as_of=1969-12-31T23:59:59Z"),
        Hostile("an archive as of year 9999", "archivist", "GET",
                "/archives/2024?as_of=9999-12-31T23:59:59-08:00"),
        Hostile("an appraisal as of year 1", "admin", "GET",
                f"{act}?as_of=0001-01-01T00:00:00%2B08:00"),
        Hostile("an appraisal as of year 9999", "admin", "GET",
                f"{act}?as_of=9999-12-31T23:59:59Z"),
        Hostile("a naive as_of", "admin", "GET", f"{act}?as_of=2026-01-01T00:00:00"),
        Hostile("a zone as of year 1", "admin", "GET",
                "/zones/Z1?as_of=0001-01-01T00:00:00%2B08:00"),
        Hostile("a reward policy as of year 9999", "secretary", "GET",
                "/branches/B1/reward-policy?as_of=9999-12-31T23:59:59Z"),
        # NUL characters and invalid UTF-8 in paths, queries, bodies and headers.
        Hostile("NUL in a comment", "m1", "POST", f"{act}/self-check",
                {"json": {"scores": SCORES, "comment": "好\u0000"}}),
        Hostile("a lone surrogate in a name", "admin", "POST", "/branches",
                {"content": '{"id": "B9", "name": "\\ud800"}', "headers": JSON}),
        Hostile("NUL in a path id", "admin", "GET", "/zones/Z1%00"),
        Hostile("NUL in an appraisal id", "admin", "GET", "/appraisals/%00"),
        Hostile("NUL in a query", "admin", "GET", "/appraisals?period=2026-10%00"),
        Hostile("NUL in a ranking filter", "admin", "GET", "/rankings/2026-10?branch_id=B1%00"),
        Hostile("invalid UTF-8 in a query", "admin", "GET", "/appraisals?zone_id=%FF%FE"),
        Hostile("invalid UTF-8 in a path", "admin", "GET", "/zones/%FF%FE"),
        Hostile("NUL in an Idempotency-Key", "m1", "POST", f"{act}/self-check",
                {"json": {"scores": {}}, "headers": {"Idempotency-Key": b"k\x00\xff"}}),
        Hostile("a comment of 5,000 characters", "m1", "POST", f"{act}/self-check",
                {"json": {"scores": SCORES, "comment": "长" * 5000}}),
        Hostile("a reason of blanks", "admin", "PUT", "/zones/Z1/responsibles",
                {"json": {"member_ids": [], "reason": " \t "}}),
        Hostile("a garbled bearer token", None, "GET", "/me",
                {"headers": {"Authorization": b"Bearer \xff\x00"}}),
        Hostile("a password of a megabyte", None, "POST", "/auth/token",
                {"data": {"username": "admin", "password": "p" * 900_000}}),
        # Pages: huge page numbers, version 0, extreme instants, odd digits.
        Hostile("ranking page 10^18", "admin", "GET", "/app/rankings?page=" + "1" + "0" * 18,
                page=True),
        Hostile("list page 10^18", "admin", "GET", "/app/appraisals?page=" + "1" + "0" * 18,
                page=True),
        Hostile("list page in Arabic-Indic digits", "admin", "GET",
                "/app/appraisals?page=\u0663", page=True),
        Hostile("a page of version 0", "admin", "GET", f"/app{act}?version=0", page=True),
        Hostile("a page as of year 1", "admin", "GET",
                f"/app{act}?as_of=0001-01-01T00:00:00%2B08:00", page=True),
        Hostile("a page as of year 9999", "admin", "GET", f"/app{act}?as_of=9999-12-31T23:59",
                page=True),
        Hostile("an archive page as of year 1", "archivist", "GET",
                "/app/archives?year=2024&check=1&as_of=0001-01-01T00:00", page=True),
        Hostile("an archive file as of year 9999", "archivist", "GET",
                "/app/archives/file?year=2024&as_of=9999-01-01T00:00", page=True),
    ]


def send(api: Api, hostile: Hostile) -> Any:
    kwargs = dict(hostile.kwargs)
    headers = dict(kwargs.pop("headers", {}))
    if hostile.page:
        Pages(api).as_user(hostile.user or "admin")
        return api.client.request(hostile.method, hostile.path, headers=headers,
                                  follow_redirects=False, **kwargs)
    if hostile.user:
        headers["Authorization"] = f"Bearer {api.token(hostile.user)}"
    return api.client.request(hostile.method, hostile.path, headers=headers, **kwargs)


def recorded(api: Api) -> tuple[int, int]:
    """The events in the store, and the files beside them."""
    runtime = api.client.app.state.runtime
    with runtime.engines.reader.connect() as conn:
        files = conn.execute(select(func.count()).select_from(attachments)).scalar_one()
    return runtime.workflows.recorder.max_notification_id() or 0, files


@pytest.fixture
def unexpected(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """The failures the last-resort handler logged."""
    caplog.set_level(logging.ERROR, logger="appraisal.errors")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "appraisal.errors"]


def checkpoint_of(api: Api) -> int:
    """The latest checkpoint's size: the cosignatures' target."""
    return api.get("archivist", "/checkpoints/latest").json()["size"]


def test_every_hostile_request_is_refused_with_a_4xx_and_records_nothing(api, unexpected,
                                                                          subtests):
    appraisal = api.open("Z1", "2026-10")["id"]
    finding = api.post("inspector", "/zones/Z1/findings", json=FOUND).json()["id"]
    for hostile in corpus(appraisal, checkpoint_of(api), finding):
        with subtests.test(hostile.name):
            before = recorded(api)
            response = send(api, hostile)
            assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
            if not hostile.page:
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["status"] == response.status_code
            assert recorded(api) == before
    assert unexpected() == []


def test_hostile_items_of_a_bulk_are_each_refused_and_record_nothing(api, unexpected):
    """Items a single sign-off would refuse are refused one by one, in a request that is
    itself well formed (200): ids that only look like an appraisal's, text that cannot be
    stored or is too long, numbers past any bound, a version in other digits."""
    ids = [api.open("Z1", f"2026-{month:02d}")["id"] for month in range(5, 11)]
    scored = {"scores": SCORES}
    wide = "\uff11" if ids[0][-1] != "1" else "\uff12"  # a full-width digit, not the last
    items = [{"id": f"{ids[0]} "}, {"id": ids[0][:-1] + wide}, {"id": ids[0] + "\u0000"},
             {"id": f"{ids[0]}-p1"}, {"id": "\u0000"},
             {"id": ids[0], "scores": {**SCORES, "thought": 1e300}},
             {"id": ids[1], **scored, "comment": "好\u0000"},
             {"id": ids[2], **scored, "comment": "长" * 5000},
             {"id": ids[3], **scored, "comment": "\ud800"},
             {"id": ids[4], **scored, "if_match": '"\uff11"'},
             {"id": ids[5], "scores": {**SCORES, "thought": "14"}}]
    before = recorded(api)
    response = api.post("m1", "/appraisals/bulk", headers=JSON,  # ASCII JSON: \ud800 survives
                        content=json.dumps({"action": "self-check", "items": items}))
    assert response.status_code == 200, response.text
    statuses = [item["status"] for item in response.json()["items"]]
    assert statuses == [404] * 5 + [422] * 4 + [412, 422], statuses
    assert recorded(api) == before
    assert unexpected() == []


def test_the_service_still_works_after_the_corpus(api):
    appraisal = api.open("Z1", "2026-10")["id"]
    finding = api.post("inspector", "/zones/Z1/findings", json=FOUND).json()["id"]
    for hostile in corpus(appraisal, checkpoint_of(api), finding):
        send(api, hostile)
    response = api.post("m1", f"/appraisals/{appraisal}/self-check",
                        json={"scores": SCORES, "comment": "自查"})
    assert response.status_code == 200, response.text
    assert api.get("admin", "/rankings/2026-10").status_code == 200


def test_the_last_resort_answers_problem_json_and_logs(api, unexpected):
    """The handler the corpus never reaches still works: a route that fails unexpectedly
    answers 500 problem+json and the failure is logged."""

    @api.client.app.get("/test-only-failure")
    def failing() -> None:
        raise RuntimeError("a bug")

    client = TestClient(api.client.app, raise_server_exceptions=False)
    response = client.get("/test-only-failure")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert unexpected() == ["unexpected RuntimeError on GET /test-only-failure"]


def test_the_sign_off_headers_are_bounded_where_the_documentation_says(api):
    """If-Match up to 100 characters and Idempotency-Key up to 200 (tests/unit/test_openapi.py);
    one more is a 422 naming the header, and records nothing."""
    doc = api.open()
    with nothing_recorded(api, doc):
        at_bound = act(api, "m1", doc, "self-check", {"scores": SCORES},
                       **{"If-Match": '"9"'.ljust(100)})
        assert_problem(at_bound, 412)  # read as a version, and a stale one
        for header, bound in (("If-Match", 100), ("Idempotency-Key", 200)):
            over = act(api, "m1", doc, "self-check", {"scores": SCORES},
                       **{header: "k" * (bound + 1)})
            errors = assert_problem(over, 422)["errors"]
            assert [e["loc"] for e in errors] == [["header", header]]
    key = act(api, "m1", doc, "self-check", {"scores": SCORES}, **{"Idempotency-Key": "k" * 200})
    assert key.status_code == 200
