"""The words people read for the service's codes, in Chinese and in English.

One table for every file made for people — the ranking spreadsheet, the year-end archive
(Chinese) and, later, the web pages (English) — so a grade or a step is called the same
everywhere. A code without a label (an item of a branch's own form, a role added later)
is shown as it is rather than failing the whole file.
"""

from domain.period import Period
from domain.process import Role, State

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "zh": {
        "grade": {"excellent": "优秀", "qualified": "合格", "basically_qualified": "基本合格",
                  "unqualified": "不合格"},
        "role": {Role.RESPONSIBLE_MEMBER: "责任人", Role.ZONE_EVALUATOR: "责任区评价人",
                 Role.GROUP_LEADER: "党小组长", Role.BRANCH_SECRETARY: "支部书记",
                 Role.ADMIN: "管理员", Role.INSPECTOR: "督查", Role.ARCHIVIST: "档案管理员",
                 # Who objects to a posted result without a role (workflows.publicity).
                 "member": "党员", "public": "群众（公开链接）",
                 # Who names or revokes their own deputy (代签, domain.delegations).
                 "principal": "本人"},
        "step": {State.SELF_CHECK: "自查", State.ZONE_EVALUATION: "责任区评价",
                 State.GROUP_REVIEW: "党小组长考核", State.BRANCH_APPROVAL: "党支部审核",
                 State.PUBLISHED: "公示",
                 State.CANCELLED: "已撤销"},
        "event": {"opened": "开启", "self_check_submitted": "提交自查",
                  "zone_evaluation_submitted": "提交评价", "group_review_submitted": "提交考核",
                  "branch_approved": "支部审核通过", "returned": "退回", "reopened": "重新打开",
                  "objection_raised": "提出异议", "objection_answered": "答复异议",
                  "finalised": "公示期满定稿", "finding_recorded": "督导检查发现",
                  "rectification_recorded": "整改情况",
                  "months_summarised": "汇总各月结果",
                  "cancelled": "撤销（误开启）", "restarted": "重新开启"},
        "method": {"routine": "平时督查", "report": "听取汇报", "on_site": "实地检视",
                   "spot_check": "重点抽查", "records": "查阅资料"},
        "posting": {"open": "公示中", "closed": "已定稿", "superseded": "已更正重新公示",
                    "none": "未公示"},
        # A digest's items by their due date, and the reminders' channels and deliveries.
        "reminder": {"overdue": "逾期", "due": "即将到期", "pending": "待办",
                     "email": "电子邮件", "wecom": "企业微信", "dingtalk": "钉钉",
                     "sent": "已发送", "failed": "失败，待重试", "gave_up": "已放弃",
                     "sending": "结果不明"},
        # The seven duties of 004 §3 in four characters each, short enough for a column:
        # §3.1 掌握职工思想状态, §3.2 带领学习, §3.3 谈心活动, §3.4 维护秩序和治安稳定,
        # §3.5 宣传并督促执行支部政策, §3.6 履行岗位职责, §3.7 提高技术水平和工作技能.
        "item": {"thought": "思想动态", "study": "学习教育", "talks": "谈心谈话",
                 "order": "秩序稳定", "policy": "宣传贯彻", "duty": "履职尽责",
                 "skills": "技能提升"},
        # What a record is called when it cannot be found (domain.errors.NotFoundError.kind).
        "thing": {"appraisal": "考核表", "zone": "责任区", "branch": "支部", "group": "党小组",
                  "member": "党员", "user": "用户", "form": "考核表模板",
                  "template": "考核表模板", "action": "操作", "scope": "权限范围",
                  "posting": "公示", "objection": "异议", "link": "公开链接",
                  "delegation": "代签授权"},
    },
    "en": {
        "grade": {"excellent": "Excellent", "qualified": "Qualified",
                  "basically_qualified": "Basically qualified", "unqualified": "Unqualified"},
        "role": {Role.RESPONSIBLE_MEMBER: "Responsible member",
                 Role.ZONE_EVALUATOR: "Zone evaluator", Role.GROUP_LEADER: "Group leader",
                 Role.BRANCH_SECRETARY: "Branch secretary", Role.ADMIN: "Administrator",
                 Role.INSPECTOR: "Inspector", Role.ARCHIVIST: "Archivist",
                 "member": "Party member", "public": "The public (link)",
                 "principal": "The principal"},
        "step": {State.SELF_CHECK: "Self-check", State.ZONE_EVALUATION: "Zone evaluation",
                 State.GROUP_REVIEW: "Group review", State.BRANCH_APPROVAL: "Branch approval",
                 State.PUBLISHED: "Published",
                 State.CANCELLED: "Cancelled"},
        "event": {"opened": "Opened", "self_check_submitted": "Self-check submitted",
                  "zone_evaluation_submitted": "Zone evaluation submitted",
                  "group_review_submitted": "Group review submitted",
                  "branch_approved": "Approved by the branch", "returned": "Returned",
                  "reopened": "Reopened", "objection_raised": "Objection raised",
                  "objection_answered": "Objection answered",
                  "finalised": "Final after the posting",
                  "finding_recorded": "Supervision finding",
                  "rectification_recorded": "Rectification",
                  "months_summarised": "Monthly results summarised",
                  "cancelled": "Cancelled (opened by mistake)", "restarted": "Opened again"},
        "method": {"routine": "Routine supervision", "report": "Hearing a report",
                   "on_site": "On-site inspection", "spot_check": "Spot check",
                   "records": "Records review"},
        "posting": {"open": "Posted", "closed": "Final", "superseded": "Corrected and re-posted",
                    "none": "Not posted"},
        "reminder": {"overdue": "Overdue", "due": "Due soon", "pending": "Pending",
                     "email": "E-mail", "wecom": "WeCom robot", "dingtalk": "DingTalk robot",
                     "sent": "Sent", "failed": "Failed, to be retried", "gave_up": "Given up",
                     "sending": "Outcome unknown"},
        "item": {"thought": "Staff thinking", "study": "Study", "talks": "Heart-to-heart talks",
                 "order": "Order and stability", "policy": "Branch policies",
                 "duty": "Duties and tasks", "skills": "Skills"},
        "thing": {"appraisal": "appraisal", "zone": "zone", "branch": "branch",
                  "group": "party group", "member": "member", "user": "user",
                  "form": "assessment form", "template": "assessment form", "action": "action",
                  "scope": "scope", "posting": "posting", "objection": "objection",
                  "link": "public link", "delegation": "delegation"},
    },
}
GRADES = LABELS["zh"]["grade"]
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def label(kind: str, code: str, lang: str = "zh") -> str:
    """The word for `code` of `kind` (grade, role, step, event, item, thing, method,
    posting); unknown codes
    as they are."""
    return LABELS[lang][kind].get(code, code)


def period_title(period: str, lang: str = "zh") -> str:
    """`2026-10` → 2026年10月 (October 2026); `2026` → 2026年度 (Year 2026)."""
    parsed = Period.parse(period)
    if lang == "en":
        return (f"Year {parsed.year}" if parsed.month is None
                else f"{MONTHS_EN[parsed.month - 1]} {parsed.year}")
    return f"{parsed.year}年度" if parsed.is_year_end else f"{parsed.year}年{parsed.month}月"
