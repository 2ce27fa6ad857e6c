"""A refused request as a page says it: what happened, told from the error's kind and fields
in the reader's language, what to do next, and the service's own English words kept as a
small technical detail. The API answers the same errors as problem+json (service.errors).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from domain.errors import (
    AlreadyExistsError,
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    StaleVersionError,
    StateConflictError,
    UnknownReferenceError,
)
from domain.period import CHINA
from projections.tracking import ViewFailedError
from reports.labels import label
from service.errors import DAMAGED, TooManyAttemptsError, detail_of
from service.web.i18n import FIELD_ERRORS, TEXT, action_label
from service.web.session import CsrfError

# The heading: by the status the API gives (or by the kind, for a few).
TITLES: dict[str, dict[Any, str]] = {
    "zh": {403: "无权访问", 404: "找不到", 409: "未能办理", 412: "考核表已有变动", 422: "填写有误",
           429: "请稍后再试", 503: "服务繁忙", "view_failed": "暂时无法显示",
           "damaged": "记录需要核查", "csrf": "表单已过期", "no_page": "没有这个页面",
           "error": "出错了"},
    "en": {403: "Forbidden", 404: "Not found", 409: "Not done", 412: "The appraisal has changed",
           422: "Not accepted", 429: "Try again later", 503: "Busy",
           "view_failed": "Not available for now", "damaged": "The records need checking",
           "csrf": "The form expired",
           "no_page": "No such page", "error": "Something went wrong"},
}
# (what happened, what to do next) by kind; {fields} come from the error.
SAID: dict[str, dict[str, tuple[str, str]]] = {
    "zh": {
        "not_found": ("找不到{thing}“{ident}”。", "请检查链接，或从待办、列表重新打开。"),
        "not_found_appraisal": ("找不到这份考核表：链接有误，或在所选的版本、时点它还没有开启。",
                                "请从待办或列表重新打开。"),
        "unknown": ("{thing}“{ident}”不存在，未作任何记录。", "请检查所填的编号后重新提交。"),
        "invalid": ("填写的内容不符合要求，未作任何记录。", "请按提示更正后重新提交。"),
        "exists": ("要新建的记录已经存在，没有重复创建。", "请刷新页面查看已有的记录。"),
        "forbidden": ("您的角色不能查看或办理这一项。", "如确需办理，请联系支部书记或系统管理员。"),
        "forbidden_scope": ("这不在您负责的范围（支部、党小组或责任区）之内。",
                            "如确需查看或办理，请联系支部书记或系统管理员。"),
        "forbidden_signed": ("同一份考核表的不同环节不能由同一人签署，您已签署过其中另一个环节。",
                             "请由负责这一环节的其他同志办理。"),
        "forbidden_own_zone": ("您是这个责任区的责任党员，不能考核或审核自己的责任区。",
                               "请由党小组或支部的其他负责同志办理。"),
        "forbidden_not_responsible": ("只有考核时负责这个责任区的党员才能提交它的自查。",
                                      "如责任党员有变动，请联系系统管理员调整。"),
        "conflict": ("这份考核表现在处于“{state}”环节，不能办理这一操作。",
                     "可能有人刚刚办理过，请查看它现在的状态。"),
        "conflict_signed": ("这份考核表已有环节签署过（退回也保留签署），不能撤销，未作任何记录。",
                            "如结果有误，请按环节退回，或在公示后重新打开更正。"),
        "stale": ("您打开的是第 {expected} 版，之后这份考核表已有变动（现为第 {current} 版），"
                  "您的提交未作记录。", "请查看最新内容，核对后再办理。"),
        "race": ("就在同一时刻，有人也办理了这份考核表，您的提交未作记录。",
                 "请查看最新内容，核对后再办理。"),
        "csrf": ("表单已过期或来源不明，未作任何记录。", "请返回并重新提交。"),
        "shape": ("请求的格式不对，未作任何记录。", "请从页面上的链接和表单进入。"),
        "no_page": ("这个地址没有页面，或不能这样打开（例如表单的提交地址）。",
                    "请从页面上方的导航重新进入。"),
        "damaged": ("这一页要用的记录有一条无法读取，或与防篡改账本对不上"
                    "（数据库可能被直接改动过）；为免显示不准确的内容，暂不显示。其他页面和办理照常。",
                    "请告知系统管理员：运行 appraisal verify 查明并修复。"),
        "view_failed": ("这一页所用的数据（“{view}”）在处理第 {position} 条记录时出错，"
                        "暂停更新，以免显示不准确的内容；已有的记录没有受影响，其他页面和办理照常。",
                        "请告知系统管理员：查明原因后重建这部分数据即可恢复。"),
        "error": ("这次请求没有办成。", "请返回后再试。"),
        "throttled": ("提交的次数太多，暂时不能受理，未作任何记录。", "请过一段时间再试。"),
        # 公示 (ConflictError.reason); the facts come from the error.
        "not_found_link": ("找不到这个公示：链接有误，或已停用。",
                           "请向发布公示的支部索取有效的链接。"),
        "forbidden_link": ("这个链接公示的不是这一结果。", "请从公示栏上的按钮提出异议。"),
        "refused": ("现在的状态不允许这一操作，未作任何记录。", "请刷新页面，查看现在的状态。"),
        "refused_pending": ("这一考核期还有 {pending} 个责任区未审核通过，没有发布公示。",
                            "如要先公示已审核通过的结果，请勾选“仍然公示”后再发布。"),
        "refused_nothing_published": ("这一考核期本支部还没有审核通过的结果，没有可公示的内容。",
                                      "请在结果审核通过后再发布公示。"),
        "refused_posting_superseded": ("这次公示的结果已更正并重新公示，这次公示不能再定稿。",
                                       "请在最新的公示上办理。"),
        "refused_posting_closed": ("这次公示已经定稿。", "定稿的结果不再变动。"),
        "refused_window_open": ("公示期到 {closes}（北京时间）才结束，现在还不能定稿。",
                                "请在公示期结束后再定稿。"),
        "refused_objections_open": ("还有 {count} 条异议没有答复，不能定稿。",
                                    "请先逐条答复异议。"),
        "refused_results_changed": ("公示以后，这些责任区的结果有了变动：{zones}，"
                                    "这次公示不能定稿。",
                                    "请重新发布公示，公示期满后再定稿。"),
        "refused_window_closed": ("这一结果现在不在公示期内，不能提出异议，未作任何记录。",
                                  "异议须在公示期内提出。"),
        "refused_objections_full": ("这一结果待答复的异议已经很多，暂不受理新的异议。",
                                    "请待支部答复后再提出。"),
        "refused_answered": ("这条异议已经答复过了，没有重复答复。",
                             "请刷新页面查看答复。"),
        "refused_nothing_posted": ("这一考核期还没有发布公示，不能生成公开链接。",
                                   "请先发布公示。"),
        # 代签 (domain.delegations, workflows.delegations).
        "refused_overlapping": ("这位代签人在其中几天已经代这位被代签人签署，未作记录。",
                                "请调整日期，或先撤销原来的代签。"),
        "refused_too_many": ("这位代签人的代签授权已经很多，未作记录。",
                             "请先撤销不再需要的代签。"),
        "refused_revoked": ("这项代签已经撤销过了。", "请刷新页面查看。"),
        "refused_ended": ("这项代签已经结束，无需撤销。", "请刷新页面查看。"),
    },
    "en": {
        "not_found": ("There is no {thing} “{ident}”.",
                      "Check the link, or open it again from your inbox or the list."),
        "not_found_appraisal": ("This appraisal cannot be found: the link is wrong, or it was "
                                "not yet open at the version or time chosen.",
                                "Open it again from your inbox or the list."),
        "unknown": ("There is no {thing} “{ident}”; nothing was recorded.",
                    "Check the id you entered and submit again."),
        "invalid": ("What was entered does not fit; nothing was recorded.",
                    "Correct it as shown and submit again."),
        "exists": ("What you are creating exists already; it was not created twice.",
                   "Reload the page to see it."),
        "forbidden": ("Your role does not let you see or do this.",
                      "If it must be done, ask your branch secretary or the administrator."),
        "forbidden_scope": ("This lies outside your branch, party group or zone.",
                            "If you need it, ask your branch secretary or the administrator."),
        "forbidden_signed": ("Nobody signs two steps of one appraisal, and you signed another "
                             "step of this one.", "Someone else responsible for this step "
                                                  "must take it."),
        "forbidden_own_zone": ("You are a responsible member of this zone and may not review "
                               "or approve your own zone.",
                               "Another officer of the group or branch must take this step."),
        "forbidden_not_responsible": ("Only the zone's responsible member at the time may "
                                      "submit its self-check.", "If the zone changed hands, "
                                      "ask the administrator to re-assign it."),
        "conflict": ("This appraisal is now at “{state}”, where this action cannot be taken.",
                     "Someone may have just acted on it: look at where it stands now."),
        "conflict_signed": ("A step of this appraisal was signed (a return keeps the "
                            "signature): it can no longer be cancelled; nothing was recorded.",
                            "Return it step by step, or reopen the published result to "
                            "correct it."),
        "stale": ("You opened version {expected}; the appraisal has changed since (version "
                  "{current} now) and your submission was not recorded.",
                  "Look at the latest version, check it, then act again."),
        "race": ("Someone acted on this appraisal at the same moment; your submission was not "
                 "recorded.", "Look at the latest version, check it, then act again."),
        "csrf": ("The form expired or came from elsewhere; nothing was recorded.",
                 "Go back and submit it again."),
        "shape": ("The request did not have the expected shape; nothing was recorded.",
                  "Use the links and forms of the pages."),
        "no_page": ("There is no page at this address, or it cannot be opened this way (a "
                    "form's target, say).", "Go on from the links at the top of the page."),
        "damaged": ("A record this page needs cannot be read, or does not match the tamper-"
                    "evident ledger (the database may have been changed by hand); it is not "
                    "shown rather than shown wrong. Other pages and actions work.",
                    "Tell the administrator: `appraisal verify` finds what to put right."),
        "view_failed": ("The data this page reads (“{view}”) stopped at record {position}, "
                        "which it could not take; it is not shown rather than shown wrong. "
                        "Nothing recorded is lost, and other pages and actions work.",
                        "Tell the administrator: once the cause is fixed, rebuilding that data "
                        "brings the page back."),
        "error": ("The request could not be completed.", "Go back and try again."),
        "throttled": ("Too many of these came lately to be taken now; nothing was recorded.",
                      "Try again later."),
        "not_found_link": ("There is no such posting: the link is wrong or was revoked.",
                           "Ask the branch that posted it for a link that works."),
        "forbidden_link": ("This link does not post this result.",
                           "Object with the button beside the result on the board."),
        "refused": ("This cannot be done in the present state; nothing was recorded.",
                    "Reload the page to see where things stand."),
        "refused_pending": ("{pending} zones of this period are not approved yet; nothing was "
                            "posted.", "To post the approved results first, tick “post "
                            "although” and post again."),
        "refused_nothing_published": ("No result of this period is approved in this branch "
                                      "yet: there is nothing to post.",
                                      "Post once results are approved."),
        "refused_posting_superseded": ("These results were corrected and posted again: this "
                                       "posting cannot be closed.", "Act on the latest posting."),
        "refused_posting_closed": ("This posting is closed already.",
                                   "Its results are final."),
        "refused_window_open": ("The window is open until {closes} (Beijing time): the posting "
                                "cannot be closed yet.", "Close it once the window is over."),
        "refused_objections_open": ("{count} objections are not answered yet: the posting "
                                    "cannot be closed.", "Answer every objection first."),
        "refused_results_changed": ("Results changed since they were posted ({zones}): this "
                                    "posting cannot be closed.", "Post the results again and "
                                    "close that posting after its window."),
        "refused_window_closed": ("This result is not in its window now: no objection can be "
                                  "raised, and nothing was recorded.",
                                  "Objections are raised during the window."),
        "refused_objections_full": ("This result has as many open objections as are taken.",
                                    "Raise it again once the branch has answered."),
        "refused_answered": ("This objection is answered already; it was not answered twice.",
                             "Reload the page to see the answer."),
        "refused_nothing_posted": ("Nothing is posted for this period yet: no public link can "
                                   "be issued.", "Post the results first."),
        "refused_overlapping": ("This deputy already acts for this principal on some of "
                                "these days; nothing was recorded.",
                                "Change the days, or revoke the earlier delegation first."),
        "refused_too_many": ("This deputy holds as many delegations as are taken; nothing was "
                             "recorded.", "Revoke those no longer needed first."),
        "refused_revoked": ("This delegation is revoked already.", "Reload the page."),
        "refused_ended": ("This delegation has ended: there is nothing to revoke.",
                          "Reload the page."),
    },
}
# The particulars listed under the message.
PHRASES = {
    "zh": {"may_now": "您现在可以办理：{actions}。", "may_nothing": "您现在没有可办理的操作。",
           "field": "{name}：{error}", "and": "、"},
    "en": {"may_now": "You may now: {actions}.", "may_nothing": "There is nothing for you to "
           "do on it now.", "field": "{name}: {error}", "and": ", "},
}
REASONS = ("scope", "signed", "own_zone", "not_responsible", "link")  # ForbiddenError.reason
# The page words that name a form field; a field not here is an item of the form.
FIELD_WORDS = {"reason": "reason_label", "comment": "comment_label", "period": "period",
               "year": "year", "format": "form", "as_of": "instant", "scores": "score",
               "principal": "principal", "deputy": "deputy_username", "from": "from_day",
               "to": "to_day"}


@dataclass(frozen=True)
class Problem:
    """What the reader is told: a heading, what happened, the particulars (fields in error,
    actions still open), what to do next, and the technical detail."""

    title: str
    message: str
    advice: str
    detail: str
    points: list[str] = field(default_factory=list)


Reading = tuple[str, dict[str, Any], list[str]]  # kind, its fields, the particulars


def explain(error: Exception, status: int, lang: str) -> Problem:
    """The error as the reader is told it, in `lang`; `status` is the page's answer."""
    reader = next((READERS[cls] for cls in type(error).__mro__ if cls in READERS), None)
    key, fields, points = reader(error, lang) if reader else ("error", {}, [])
    titles = TITLES[lang]
    message, advice = SAID[lang][key]
    return Problem(titles.get(key) or titles.get(status) or titles["error"],
                   message.format(**fields), advice, _detail(error), points)


def _missing(error: NotFoundError | UnknownReferenceError, lang: str) -> Reading:
    """An id in the path (404) or in the form (422) that names nothing."""
    key = ("unknown" if isinstance(error, UnknownReferenceError)
           else f"not_found_{error.kind}" if error.kind in ("appraisal", "link")
           else "not_found")
    return key, {"thing": label("thing", error.kind.removesuffix("_id"), lang),
                 "ident": error.ident}, []


def _invalid(error: InvalidError, lang: str) -> Reading:
    def name(code: str) -> str:
        return TEXT[lang][FIELD_WORDS[code]] if code in FIELD_WORDS else label("item", code, lang)

    said = PHRASES[lang]["field"]
    return "invalid", {}, [said.format(name=name(code), error=FIELD_ERRORS[lang].get(e, e))
                           for code, e in error.errors.items()]


def _forbidden(error: ForbiddenError, lang: str) -> Reading:
    return (f"forbidden_{error.reason}" if error.reason in REASONS else "forbidden"), {}, []


def _conflict(error: StateConflictError, lang: str) -> Reading:
    said = PHRASES[lang]
    actions = [action_label(a, lang) for a in error.allowed_actions]
    now = (said["may_now"].format(actions=said["and"].join(actions)) if actions
           else said["may_nothing"])
    key = f"conflict_{error.reason}" if error.reason else "conflict"
    return key, {"state": label("step", error.state, lang)}, [now]


def _refused(error: ConflictError, lang: str) -> Reading:
    """A state of 公示 that refuses the request, said by its reason, with its facts: a time
    in Beijing time, zones listed."""
    key = f"refused_{error.reason}"
    facts = {name: _fact(value, lang) for name, value in error.facts.items()}
    return (key if key in SAID[lang] else "refused"), facts, []


def _fact(value: Any, lang: str) -> str:
    if isinstance(value, datetime):
        return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return PHRASES[lang]["and"].join(map(str, value))
    return str(value)


def _stale(error: StaleVersionError, lang: str) -> Reading:
    return "stale", {"expected": error.expected, "current": error.current}, []


READERS: dict[type, Callable[[Any, str], Reading]] = {
    UnknownReferenceError: _missing, InvalidError: _invalid, NotFoundError: _missing,
    ForbiddenError: _forbidden, StateConflictError: _conflict, StaleVersionError: _stale,
    ConflictError: _refused,
    AlreadyExistsError: lambda _e, _l: ("exists", {}, []),
    IntegrityError: lambda _e, _l: ("race", {}, []),
    CsrfError: lambda _e, _l: ("csrf", {}, []),
    TooManyAttemptsError: lambda _e, _l: ("throttled", {}, []),
    RequestValidationError: lambda _e, _l: ("shape", {}, []),
    HTTPException: lambda _e, _l: ("no_page", {}, []),
    ViewFailedError: lambda e, _l: ("view_failed", {"view": e.failure.view,
                                                    "position": e.failure.position}, []),
    **dict.fromkeys(DAMAGED, lambda _e, _l: ("damaged", {}, [])),
}


def _detail(error: Exception) -> str:
    if isinstance(error, RequestValidationError):
        return "; ".join(str(e.get("msg", "")) for e in error.errors())
    return detail_of(error)  # as the API says it
