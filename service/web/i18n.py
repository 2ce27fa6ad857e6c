"""The pages' own words, in Chinese (the default) and English, and the reader's choice.

The service's codes (grades, roles, steps, events, items) are named by `service.labels`, so a
page calls a grade what the spreadsheet and the archive call it; this table holds only what
the pages add: titles, buttons, hints and the field errors of the form.
"""

from collections.abc import Callable

from fastapi import Request

from service.labels import label, period_title

LANGUAGES = ("zh", "en")
COOKIE = "appraisal_lang"

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "app": "党员责任区考核", "sign_in": "登录", "sign_out": "退出", "username": "用户名",
        "password": "密码", "bad_login": "用户名或密码错误", "inbox": "我的待办",
        "inbox_empty": "没有等待您处理的考核。", "period": "考核期", "zone": "责任区",
        "step": "待办环节", "waited": "已等待", "open": "打开", "appraisal": "考核表",
        "history": "审计轨迹", "responsibles": "责任党员", "branch": "支部", "group": "党小组",
        "item": "考核项目", "max": "满分", "total": "合计", "grade": "等级",
        "your_step": "您现在可以办理", "comment": "说明（考核方式、依据）",
        "submit": "提交", "approve": "审核通过并公示", "reason": "原因（必填）",
        "return": "退回上一环节", "reopen": "重新打开（更正）",
        "no_action": "当前没有您可办理的环节。",
        "read_only": "各环节提交情况（只读）", "signed_by": "签署", "not_yet": "尚未提交",
        "state": "状态", "score": "得分", "as_of": "查看历史时点", "version": "版本",
        "instant": "时间（北京时间）", "show": "查看", "now": "回到当前",
        "then_banner": "这是考核表在历史时点的样子，只读。", "who": "操作人", "role": "角色",
        "when": "时间", "changes": "变更", "reason_label": "原因", "comment_label": "说明",
        "language": "English", "error": "出错了", "forbidden": "无权访问",
        "csrf": "表单已过期或来源不明，未作任何记录。请返回并重新提交。", "back": "返回",
        "minutes": "分钟", "hours": "小时", "days": "天", "reward": "奖惩（元）",
        "progress": "考核进度", "fix_fields": "请更正标出的项目后再提交。",
        "view_version": "查看此版本", "skip": "跳到正文",
        "ranking": "排名公示", "line": "专业线", "all": "全部", "rank": "名次",
        "distribution": "等级分布", "unpublished": "尚未公示", "download_xlsx": "下载 Excel 表",
        "no_results": "该考核期在此范围内还没有公示的结果。", "previous": "上一页",
        "next": "下一页", "archives": "年度档案", "year": "年度", "scope": "范围",
        "all_branches": "全部支部", "archive_as_of": "截至时间（北京时间，留空为现在）",
        "download": "下载", "checksums": "计算 SHA-256 并固定时点", "manifest": "清单",
        "form": "格式", "verify_how": "如何核验",
        "verify_text": "下载后用下面的命令核验：它按文件清单重新生成档案并逐字节比对；"
                       "同一年度、范围和截至时间，任何时候重新生成都得到相同的字节和 SHA-256。",
        "pinned": "已固定截至时间，下面的下载可重复得到相同的文件。",
        "organisation": "组织管理", "open_period": "开启考核", "members": "党员",
        "zones": "责任区", "coverage": "覆盖缺口", "no_gaps": "全员覆盖，没有缺口。",
        "zones_without_responsible": "无责任党员的责任区",
        "members_without_zone": "未分配责任区的党员", "groups_without_zone": "无责任区的党小组",
        "reassign": "调整责任党员", "reassigned": "已调整责任党员",
        "open_for": "为支部的全部责任区开启考核", "opened": "已开启", "already_open": "已开启过",
        "nobody": "无",
    },
    "en": {
        "app": "Zone appraisal", "sign_in": "Sign in", "sign_out": "Sign out",
        "username": "Username", "password": "Password", "bad_login": "Wrong username or password",
        "inbox": "My inbox", "inbox_empty": "Nothing waits for you.", "period": "Period",
        "zone": "Zone", "step": "Step", "waited": "Waiting", "open": "Open",
        "appraisal": "Appraisal", "history": "Audit trail", "responsibles": "Responsible members",
        "branch": "Branch", "group": "Party group", "item": "Item", "max": "Max",
        "total": "Total", "grade": "Grade", "your_step": "You may now take",
        "comment": "Comment (methods, evidence)", "submit": "Submit",
        "approve": "Approve and publish", "reason": "Reason (required)",
        "return": "Return to the previous step", "reopen": "Reopen (correct)",
        "no_action": "No step is yours to take now.", "read_only": "Submissions (read-only)",
        "signed_by": "Signed by", "not_yet": "Not yet submitted", "state": "State",
        "score": "Score", "as_of": "View as it stood", "version": "Version",
        "instant": "Time (Beijing)", "show": "Show", "now": "Back to now",
        "then_banner": "This is the appraisal as it stood then; read-only.", "who": "Who",
        "role": "Role", "when": "When", "changes": "Changes", "reason_label": "Reason",
        "comment_label": "Comment", "language": "中文", "error": "Something went wrong",
        "forbidden": "Forbidden",
        "csrf": "The form expired or came from elsewhere; nothing was recorded. Go back and "
                "submit it again.",
        "back": "Back", "minutes": "min", "hours": "h", "days": "d", "reward": "Reward (yuan)",
        "progress": "Progress", "fix_fields": "Correct the marked items and submit again.",
        "view_version": "View this version", "skip": "Skip to content",
        "ranking": "Ranking", "line": "Line", "all": "All", "rank": "Rank",
        "distribution": "Grades", "unpublished": "Not yet published",
        "download_xlsx": "Download the spreadsheet",
        "no_results": "No published results in this scope for the period yet.",
        "previous": "Previous", "next": "Next", "archives": "Year archives", "year": "Year",
        "scope": "Scope", "all_branches": "Every branch",
        "archive_as_of": "As of (Beijing time; empty for now)", "download": "Download",
        "checksums": "Compute SHA-256 and pin the time", "manifest": "Manifest",
        "form": "Format", "verify_how": "How to verify",
        "verify_text": "Verify a downloaded file with the command below: it produces the "
                       "archive again from the file's manifest and compares the bytes. The "
                       "same year, scope and as-of give the same bytes and SHA-256, any time.",
        "pinned": "The as-of time is pinned: the downloads below give the same file again.",
        "organisation": "Organisation", "open_period": "Open appraisals", "members": "Members",
        "zones": "Zones", "coverage": "Coverage gaps", "no_gaps": "Everyone is covered.",
        "zones_without_responsible": "Zones without a responsible member",
        "members_without_zone": "Members without a zone",
        "groups_without_zone": "Groups without a zone",
        "reassign": "Re-assign responsible members",
        "reassigned": "Responsible members re-assigned",
        "open_for": "Open appraisals for every zone of a branch", "opened": "Opened",
        "already_open": "already open", "nobody": "nobody",
    },
}
# The domain's field errors (domain.scoring, workflows.appraisals), as a reader says them.
FIELD_ERRORS = {
    "zh": {"out of range": "超出 0 到满分的范围", "one decimal": "最多一位小数",
           "not a number": "请填写数字", "missing": "必填", "not finite": "请填写数字",
           "empty": "必填", "future": "不能晚于现在", "format": "格式不对",
           "not a time": "请填写日期和时间", "month": "没有这个月份"},
    "en": {"out of range": "must be from 0 to the maximum", "one decimal": "one decimal at most",
           "not a number": "enter a number", "missing": "required", "not finite": "enter a number",
           "empty": "required", "future": "cannot be in the future",
           "format": "wrong format", "not a time": "enter a date and time",
           "month": "no such month"},
}


def language(request: Request) -> str:
    """The reader's choice, kept in a cookie; Chinese unless they switched."""
    chosen = request.cookies.get(COOKIE, "zh")
    return chosen if chosen in LANGUAGES else "zh"


def words(lang: str) -> dict[str, Callable[..., str]]:
    """What the templates call: `t('inbox')`, `label('grade', g)`, `period(p)`, `field_error`."""
    return {
        "t": lambda key: TEXT[lang][key],
        "label": lambda kind, code: label(kind, code, lang),
        "period": lambda code: period_title(code, lang),
        "field_error": lambda code: FIELD_ERRORS[lang].get(code, code),
    }
