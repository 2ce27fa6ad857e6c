"""The pages' own words, in Chinese (the default) and English, and the reader's choice.

The service's codes (grades, roles, steps, events, items) are named by `reports.labels`, so a
page calls a grade what the spreadsheet and the archive call it; this table holds only what
the pages add: titles, buttons, hints and the field errors of the form.
"""

from collections.abc import Callable

from fastapi import Request

from reports.labels import label, period_title
from workflows.process import REASONED, STEP_OF

LANGUAGES = ("zh", "en")
COOKIE = "appraisal_lang"

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "overview": "进度一览", "progress_all": "全部支部", "part_not_opened": "未开启",
        "part_self_check": "自查", "part_zone_evaluation": "责任区评价",
        "part_group_review": "党小组长考核", "part_branch_approval": "党支部审核",
        "part_published": "已公示", "final_results": "已定稿", "open_objections": "未答复异议",
        "zones_total": "责任区数", "gap_zones": "无责任党员的责任区",
        "gap_members": "未分配责任区的党员", "gap_groups": "无责任区的党小组",
        "counted_at": "统计时间",
        "reminders": "待办提醒", "reminders_hint": "每天把等待您办理的考核（逾期的在前）发给您。",
        "reminder_email": "电子邮箱", "reminder_wecom_url": "企业微信群机器人 Webhook 地址",
        "reminder_dingtalk_url": "钉钉群机器人 Webhook 地址",
        "reminder_dingtalk_secret": "钉钉加签密钥（SEC 开头，未开启加签可不填）",
        "reminder_kept_hint": "留空则保留已保存的；已保存的只显示开头。",
        "save_reminders": "保存提醒方式", "reminders_saved": "提醒方式已保存",
        "reminder_log": "提醒记录", "reminder_day": "日期", "reminder_channel": "方式",
        "reminder_attempts": "尝试次数", "reminder_items": "待办数", "reminder_error": "错误",
        "reminder_last": "最后一次", "no_deliveries": "当天没有提醒记录。",
        "reminder_saved_as": "已保存",
        "app": "党员责任区考核", "sign_in": "登录", "sign_out": "退出", "username": "用户名",
        "password": "密码", "bad_login": "用户名或密码错误", "inbox": "我的待办",
        "inbox_empty": "没有等待您处理的考核。", "period": "考核期", "zone": "责任区",
        "step": "待办环节", "waited": "已等待", "open": "打开", "appraisal": "考核表",
        "history": "审计轨迹", "responsibles": "责任党员", "branch": "支部", "group": "党小组",
        "item": "考核项目", "max": "满分", "total": "合计", "grade": "等级",
        "your_step": "您现在可以办理", "comment": "说明（考核方式、依据）",
        "submit": "提交", "approve": "审核通过并公示", "reason": "原因（必填）",
        "return": "退回上一环节", "reopen": "重新打开（更正）",
        # Cancelling an appraisal opened by mistake (撤销), and a cancelled one.
        "cancel": "撤销考核（误开启）", "part_cancelled": "已撤销",
        "cancel_hint": "只有尚无任何环节签署时才能撤销（退回过的也算已签署）。撤销后它不再"
                       "出现在待办和排名中，记录保留在审计轨迹里；需要时可重新开启这一考核期。",
        "cancelled_notice": "这份考核已撤销",
        "cancelled_again": "重新开启这一考核期即可重新开始。",
        "no_action": "当前没有您可办理的环节。",
        "read_only": "各环节提交情况（只读）", "signed_by": "签署", "not_yet": "尚未提交",
        "state": "状态", "score": "得分", "as_of": "查看历史时点", "version": "版本",
        "instant": "时间（北京时间）", "show": "查看", "now": "回到当前",
        "then_banner": "这是考核表在历史时点的样子，只读。", "who": "操作人", "role": "角色",
        "when": "时间", "changes": "变更", "reason_label": "原因", "comment_label": "说明",
        "language": "English", "technical_detail": "技术细节", "back": "返回",
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
        "verify_text": "下载后用下面的命令核验：它核对系统日志仍能证明检查点包含各考核表的"
                       "记录，并按文件清单重新生成档案逐字节比对；"
                       "同一年度、范围和截至时间，任何时候重新生成都得到相同的字节和 SHA-256。",
        "pinned": "已固定截至时间，下面的下载可重复得到相同的文件。",
        "organisation": "组织管理", "open_period": "开启考核", "members": "党员",
        "zones": "责任区", "coverage": "覆盖缺口", "no_gaps": "全员覆盖，没有缺口。",
        "zones_without_responsible": "无责任党员的责任区",
        "members_without_zone": "未分配责任区的党员", "groups_without_zone": "无责任区的党小组",
        "reassign": "调整责任党员", "reassigned": "已调整责任党员",
        "open_for": "为支部的全部责任区开启考核", "opened": "已开启", "already_open": "已开启过",
        "nobody": "无",
        "users": "用户管理", "user_list": "用户", "new_user": "新建用户", "create_user": "创建用户",
        "initial_password": "初始密码（至少 8 位）", "display_name": "姓名（显示名）",
        "member_id": "党员编号（可不填）", "member": "党员", "roles": "角色和范围",
        "scope_hint": "范围填支部、党小组或责任区的编号：支部书记填支部，党小组长填党小组，"
                      "责任区评价人填责任区；管理员、档案管理员留空，督查留空为全部。",
        "user": "用户", "set_password": "设置密码", "new_password": "新密码（至少 8 位）",
        "user_created": "已创建用户", "password_set": "已设置密码", "account": "我的账户",
        "current_password": "当前密码", "repeat_password": "再次输入新密码",
        "change_password": "修改密码", "password_changed": "密码已修改",
        "sign_in_throttled": "登录失败次数过多，请稍后再试。",
        "sign_in_busy": "此刻登录的人太多，请稍等片刻再试。",
        "change_roles": "调整角色", "roles_changed": "已调整角色",
        "roles_hint": "这里填写的角色和范围替换该用户原有的全部角色；不填任何角色即撤销全部角色。"
                      "调整后该用户须重新登录。",
        "disable_user": "停用用户", "user_disabled": "已停用用户",
        "disable_hint": "停用后该用户不能再登录，已登录的会话立即失效；其签署记录保持不变。",
        "status": "状态", "enabled": "正常", "disabled": "已停用",
        # 代签: deputies, their delegations, and steps signed on someone's behalf.
        "delegations": "代签", "delegation_new": "指定代签人", "principal": "被代签人",
        "deputy_username": "代签人（用户名）", "from_day": "开始日期", "to_day": "结束日期（含）",
        "delegation_grant": "指定代签", "delegation_list": "代签授权",
        "delegation_note": "代签人在授权期内可以代被代签人办理其考核环节（自查除外）；"
                           "签署记录同时写明两人，两人都不得签署同一考核表的其他环节。"
                           "本人、所在支部的书记或管理员可以指定和撤销。",
        "on_behalf": "{deputy} 代 {principal}签", "for_principal": "代 {principal}",
        "acting_for": "您将代 {principal} 办理：签署记录同时写明您和 {principal}。",
        "delegation_active": "生效中", "delegation_upcoming": "未开始",
        "delegation_ended": "已结束", "delegation_revoked": "已撤销",
        "delegation_granted": "已指定代签人", "granted_by": "授权人",
        "delegation_revoke": "撤销代签", "no_delegations": "没有与您相关的代签授权。",
        "forms": "考核表模板", "form_items": "考核项目", "code": "代码", "scoring": "计分方式",
        "scoring_rule": "0 至满分，最多一位小数", "publish_version": "发布新版本",
        "items_hint": "各项满分合计须为 100；代码和满分都留空的行不计入。",
        "new_form": "新建考核表", "form_id": "编号（字母、数字、- _ .）", "form_name": "名称",
        "create_form": "创建考核表", "form_created": "已创建考核表",
        "version_published": "已发布新版本",
        "version_note": "已开启的考核沿用开启时的考核表版本；新版本只用于此后开启的考核。",
        "new_branch": "新建支部", "new_group": "新建党小组", "new_member": "新增党员",
        "new_zone": "新建责任区", "org_id": "编号（字母、数字、- _ .）", "org_name": "名称",
        "member_name": "姓名", "zone_area": "区域", "zone_teams": "班组（每行一个）",
        "reward_policy": "奖惩标准", "policy_in_force": "现行奖惩标准（元）",
        "policy_change": "修改奖惩标准", "policy_saved": "奖惩标准已保存", "yuan": "元",
        "policy_note": "新标准只用于今后公示的结果；已公示结果的奖惩不会改写。",
        "policy_save": "保存",
        "included": "已纳入检查点 {n}，尚无见证方联署",
        "included_cosigned": "已纳入检查点 {n}，由 {names} 联署",
        "not_included": "尚未纳入检查点", "name_sep": "、", "checkpoint": "日志检查点",
        "root_hash": "根哈希", "no_checkpoint": "无（档案不含考核表）",
        "proofs_note": "清单附有 {k} 份考核表在该检查点中的纳入证明，可离线核验。",
        # 公示: the secretary's postings, the board, objections and their answers.
        "postings": "公示管理", "board": "公示栏", "ranked_now": "当前已审核通过并排名的结果",
        "pending_now": "尚未审核通过的责任区", "post_new": "发布公示",
        "window_days": "公示期（工作日）",
        "post_partial": "尽管还有 {n} 个责任区未审核通过，仍然公示",
        "posted_ok": "已发布公示", "closed_ok": "已定稿：公示结果成为最终结果",
        "no_postings": "这一考核期还没有公示。", "posting_no": "第 {n} 次公示",
        "window": "公示期", "window_dates": "{opens} 至 {last}（北京时间）",
        "window_open_now": "公示期内，可以提出异议。", "window_over": "公示期已结束。",
        "results": "公示结果", "zones_count": "{n} 个责任区", "posted_by": "发布人",
        "pending_at_posting": "公示时尚未审核通过的责任区：{n} 个",
        "board_pdf": "打印公示栏（PDF）", "open_board": "查看公示栏",
        "close_posting": "公示期满，定稿",
        "close_hint": "公示期结束、全部异议都已答复后才能定稿；定稿后结果成为最终结果。",
        "public_link": "公开链接（供没有账号的职工群众查看）",
        "link_active": "这一考核期的公开链接现在有效。",
        "link_none": "这一考核期没有有效的公开链接。",
        "issue_link": "生成公开链接", "issue_again": "重新生成公开链接（原链接随即失效）",
        "revoke_link": "停用公开链接", "link_revoked": "公开链接已停用",
        "link_once": "请现在就复制保存：这个链接只显示这一次，系统不保存它。",
        "link_issued": "已生成公开链接", "objections": "异议", "no_objections": "没有异议。",
        "objector": "提出人", "contact": "联系方式", "raised_at": "提出时间",
        "answer_label": "答复", "answer_objection": "答复异议", "upheld": "异议成立",
        "dismissed": "异议不成立", "outcome": "答复结果", "answer_submit": "提交答复",
        "waiting_answer": "待答复",
        "upheld_note": "异议成立：该责任区的结果已退回党小组长考核，"
                       "更正并审核通过后须重新发布公示。",
        "dismissed_note": "已答复：异议不成立，结果维持。",
        "repost_note": "有异议成立：相关结果更正并审核通过后，请重新发布公示；这次公示不再定稿。",
        "read_only_postings": "只读：公示由支部书记发布，异议由支部书记答复。",
        "object": "提出异议", "object_title": "对考核结果提出异议",
        "object_reason": "异议理由（必填）", "object_submit": "提交异议",
        "objection_raised": "异议已提交，支部将核实并答复。",
        "superseded_note": "这次公示的结果已更正并重新公示。", "see_latest": "查看最新公示",
        "closed_note": "公示期满，结果已定稿。", "no_board": "这一支部在这一考核期还没有公示。",
        "your_name": "姓名（必填）", "your_contact": "联系方式（电话等，必填，只有支部能看到）",
        "public_note": "这是公开的公示栏，任何人都可以查看，并可以对结果提出异议。",
        "not_in_window": "这一结果现在不在公示期内，不能提出异议。",
        "posting_label": "公示",
        "objection_id": "异议", "method_label": "检查方式", "finding_date": "检查日期",
        "finding_text": "发现的问题", "rectification_text": "整改情况", "attachments": "附件",
        "final_label": "已定稿", "findings": "督导检查",
        "open_only": "只看待整改", "record_finding": "记录督导检查发现",
        "record_submit": "记录发现",
        "files_hint": "照片或 PDF（可选，最多 10 个，每个不超过 10 MB）",
        "rectify_submit": "提交整改情况", "to_rectify": "待整改",
        "no_findings": "没有符合条件的督导检查发现。", "finding_recorded": "已记录督导检查发现",
        "finding_rectified": "已提交整改情况",
        # A year-end appraisal's months (domain.yearend).
        "months_title": "各月考核结果（年度考核依据）", "month": "月份", "month_none": "未公示",
        "months_read": "开启年度考核时各月的公示结果；点得分可查看当时读取的版本。",
        "monthly_average": "月均分", "months_published": "已公示 {n} 个月",
        "excellent_months": "优秀月数", "unqualified_months": "不合格月数",
        "month_average": "月均", "from_months": "各项已按各月党小组考核分的平均值预填，"
                                                  "仅作起点，请按年度实际情况修改。",
        # Deadlines (截止日期) and the overdue list (逾期清单).
        "deadlines": "截止日期", "deadlines_saved": "截止日期已保存",
        "deadlines_in_force": "现行截止日期", "deadlines_set": "设置截止日期",
        "deadlines_note": "支部自定的日期优先，其次是管理员为全部支部设的日期，其余为默认日期"
                          "（考核期次月的固定日期，由系统配置）。",
        "deadlines_hint": "只填要修改的环节，留空的环节保持不变；后一环节不能早于前一环节。",
        "source_branch": "支部设定", "source_organisation": "全部支部", "source_default": "默认",
        "overdue": "逾期清单", "every_period": "全部考核期", "today_is": "今天（北京时间）",
        "overdue_count": "逾期", "due_date": "截止日期", "days_overdue": "逾期天数",
        "overdue_none": "没有逾期的考核。", "deadline_due": "即将到期", "deadline_overdue": "逾期",
        # 批量办理 (bulk sign-off).
        "bulk": "批量办理", "bulk_step": "办理环节", "select_all": "全选", "select": "选择",
        "bulk_none": "没有等待您办理这一环节的考核。", "previous_total": "上一环节合计",
        "bulk_hint": "勾选要一并办理的考核，核对后确认；每份考核表各自检查、各自记录。"
                     "一次最多 {most} 份。",
        "bulk_review": "核对所选", "bulk_check": "请核对以下考核，确认后逐份办理",
        "offered_scores": "将提交的分数（上一环节的）", "bulk_confirm": "确认办理",
        "bulk_taken": "已办理", "bulk_outcome": "办理结果", "bulk_more": "继续批量办理",
        "bulk_more_waiting": "还有更多等待办理：这里列出最早的 {most} 份，办理后再继续。",
    },
    "en": {
        "overview": "Progress at a glance", "progress_all": "All branches",
        "part_not_opened": "Not opened",
        "part_self_check": "Self-check", "part_zone_evaluation": "Zone evaluation",
        "part_group_review": "Group review", "part_branch_approval": "Branch approval",
        "part_published": "Published", "final_results": "Final", "open_objections":
        "Objections open", "zones_total": "Zones", "gap_zones": "Zones without a responsible",
        "gap_members": "Members without a zone", "gap_groups": "Groups without a zone",
        "counted_at": "Counted at",
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
        "cancel": "Cancel (opened by mistake)", "part_cancelled": "Cancelled",
        "cancel_hint": "Only while no step has been signed (a step signed and then returned "
                       "counts as signed). A cancelled appraisal leaves the inboxes and the "
                       "ranking and stays in the audit trail; the period can be opened again.",
        "cancelled_notice": "This appraisal was cancelled",
        "cancelled_again": "Opening this period again starts it afresh.",
        "no_action": "No step is yours to take now.", "read_only": "Submissions (read-only)",
        "signed_by": "Signed by", "not_yet": "Not yet submitted", "state": "State",
        "score": "Score", "as_of": "View as it stood", "version": "Version",
        "instant": "Time (Beijing)", "show": "Show", "now": "Back to now",
        "then_banner": "This is the appraisal as it stood then; read-only.", "who": "Who",
        "role": "Role", "when": "When", "changes": "Changes", "reason_label": "Reason",
        "comment_label": "Comment", "language": "中文", "technical_detail": "Technical detail",
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
        "verify_text": "Verify a downloaded file with the command below: it checks that "
                       "the log still proves the checkpoint includes every appraisal's "
                       "history, produces the archive again from the file's manifest and "
                       "compares the bytes. The "
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
        "users": "Users", "user_list": "Users", "new_user": "New user",
        "create_user": "Create the user", "initial_password": "Password (8 characters at least)",
        "display_name": "Display name", "member_id": "Member id (optional)",
        "member": "Member", "roles": "Roles and scopes",
        "scope_hint": "The scope is the id of a branch, party group or zone: a branch for a "
                      "secretary, a group for a group leader, a zone for a zone evaluator; "
                      "empty for an administrator or archivist, and for an inspector of "
                      "everything.",
        "user": "User", "set_password": "Set a password",
        "new_password": "New password (8 characters at least)", "user_created": "User created",
        "reminders": "Reminders",
        "reminders_hint": "Every day, what waits for you (overdue first) is sent to you.",
        "reminder_email": "E-mail address", "reminder_wecom_url": "WeCom group robot webhook",
        "reminder_dingtalk_url": "DingTalk group robot webhook",
        "reminder_dingtalk_secret": "DingTalk signing secret (SEC…; optional)",
        "reminder_kept_hint": "Left empty, the saved one is kept; saved ones show their "
                              "start only.",
        "save_reminders": "Save the reminders", "reminders_saved": "Reminders saved",
        "reminder_log": "Reminders sent", "reminder_day": "Day", "reminder_channel": "Channel",
        "reminder_attempts": "Tries", "reminder_items": "Items", "reminder_error": "Error",
        "reminder_last": "Last", "no_deliveries": "No reminders that day.",
        "reminder_saved_as": "Saved",
        "password_set": "Password set", "account": "My account",
        "current_password": "Current password", "repeat_password": "New password again",
        "change_password": "Change the password", "password_changed": "Password changed",
        "sign_in_throttled": "Too many failed sign-ins; try again later.",
        "sign_in_busy": "Many people are signing in right now; try again in a moment.",
        "change_roles": "Change roles", "roles_changed": "Roles changed",
        "roles_hint": "The roles and scopes given here replace all the user's roles; give none "
                      "to remove them all. The user signs in again afterwards.",
        "disable_user": "Disable the user", "user_disabled": "User disabled",
        "disable_hint": "A disabled user cannot sign in and their sessions end at once; what "
                        "they signed stays on record.",
        "status": "Status", "enabled": "Active", "disabled": "Disabled",
        "delegations": "Deputies", "delegation_new": "Name a deputy", "principal": "Principal",
        "deputy_username": "Deputy (username)", "from_day": "From", "to_day": "To (included)",
        "delegation_grant": "Name the deputy", "delegation_list": "Delegations",
        "delegation_note": "In the days given, a deputy takes the principal's steps (not a "
                           "self-check); the record names both, and neither may sign another "
                           "step of the same appraisal. The principal, their branch's "
                           "secretary or an administrator names and revokes deputies.",
        "on_behalf": "{deputy} on behalf of {principal}", "for_principal": "for {principal}",
        "acting_for": "You act for {principal}: the record names you both.",
        "delegation_active": "In force", "delegation_upcoming": "To come",
        "delegation_ended": "Ended", "delegation_revoked": "Revoked",
        "delegation_granted": "Deputy named", "granted_by": "Granted by",
        "delegation_revoke": "Revoke", "no_delegations": "No delegation concerns you.",
        "forms": "Assessment forms", "form_items": "Items", "code": "Code",
        "scoring": "Scoring", "scoring_rule": "0 to the maximum, one decimal at most",
        "publish_version": "Publish a new version",
        "items_hint": "The maxima must add up to 100; rows without a code or a maximum are "
                      "left out.",
        "new_form": "New form", "form_id": "Id (letters, digits, - _ .)", "form_name": "Name",
        "create_form": "Create the form", "form_created": "Form created",
        "version_published": "New version published",
        "version_note": "Appraisals already open keep the version of the form they were "
                        "opened with; a new version applies to those opened after it.",
        "new_branch": "New branch", "new_group": "New party group", "new_member": "New member",
        "new_zone": "New zone", "org_id": "Id (letters, digits, - _ .)", "org_name": "Name",
        "member_name": "Name", "zone_area": "Area", "zone_teams": "Teams (one a line)",
        "reward_policy": "Reward policy", "policy_in_force": "Policy in force (yuan)",
        "policy_change": "Change the policy", "policy_saved": "Reward policy saved",
        "yuan": "yuan",
        "policy_note": "A new policy applies to results published from now on; rewards "
                       "already published are not rewritten.",
        "policy_save": "Save",
        "included": "Included in checkpoint {n}, not yet cosigned",
        "included_cosigned": "Included in checkpoint {n}, cosigned by {names}",
        "not_included": "Not yet in a checkpoint", "name_sep": ", ",
        "checkpoint": "Log checkpoint", "root_hash": "root hash",
        "no_checkpoint": "None (the archive holds no appraisal)",
        "proofs_note": "The manifest carries the inclusion proofs of its {k} appraisals in "
                       "this checkpoint, to be verified offline.",
        "postings": "Postings", "board": "Board", "ranked_now": "Results approved and ranked now",
        "pending_now": "Zones not yet approved", "post_new": "Post the results",
        "window_days": "Window (working days)", "post_partial": "Post although {n} zones are not "
        "approved yet", "posted_ok": "Posted", "closed_ok": "Closed: the results are final",
        "no_postings": "Nothing is posted for this period yet.", "posting_no": "Posting {n}",
        "window": "Window", "window_dates": "{opens} to {last} (Beijing time)",
        "window_open_now": "In the window: objections may be raised.",
        "window_over": "The window is over.", "results": "Results posted",
        "zones_count": "{n} zones", "posted_by": "Posted by",
        "pending_at_posting": "Zones not yet approved when posted: {n}",
        "board_pdf": "Printable board (PDF)", "open_board": "Open the board",
        "close_posting": "Close: make the results final",
        "close_hint": "A posting closes once its window is over and every objection is "
                      "answered; its results are final then.",
        "public_link": "Public link (for staff without accounts)",
        "link_active": "A public link to this period works now.",
        "link_none": "No public link to this period works now.",
        "issue_link": "Issue a public link",
        "issue_again": "Issue a new public link (the old one stops working)",
        "revoke_link": "Revoke the public link", "link_revoked": "Public link revoked",
        "link_once": "Copy it now: this link is shown only this once, and the system does not "
                     "keep it.",
        "link_issued": "Public link issued", "objections": "Objections",
        "no_objections": "No objections.", "objector": "Raised by", "contact": "Contact",
        "raised_at": "Raised", "answer_label": "Answer", "answer_objection": "Answer",
        "upheld": "Upheld", "dismissed": "Dismissed", "outcome": "Outcome",
        "answer_submit": "Answer", "waiting_answer": "Waiting for an answer",
        "upheld_note": "Upheld: the zone's result went back to the group review; once "
                       "corrected and approved, post the results again.",
        "dismissed_note": "Answered: dismissed, the result stands.",
        "repost_note": "An objection was upheld: once those results are corrected and "
                       "approved, post again; this posting will not be closed.",
        "read_only_postings": "Read-only: the branch secretary posts and answers objections.",
        "object": "Raise an objection", "object_title": "Object to a result",
        "object_reason": "Reason (required)", "object_submit": "Raise the objection",
        "objection_raised": "Objection raised: the branch will check it and answer.",
        "superseded_note": "These results were corrected and posted again.",
        "see_latest": "See the latest posting", "closed_note": "The window is over: the "
        "results are final.", "no_board": "This branch has posted nothing for this period.",
        "your_name": "Your name (required)",
        "your_contact": "How to reach you (phone…, required; only the branch sees it)",
        "public_note": "This is the public board: anyone may read it and object to a result.",
        "not_in_window": "This result is not in its window now: no objection can be raised.",
        "posting_label": "Posting",
        "objection_id": "Objection", "method_label": "Method", "finding_date": "Date",
        "finding_text": "Finding", "rectification_text": "Rectification",
        "attachments": "Attachments", "final_label": "Final", "findings": "Supervision",
        "open_only": "Awaiting rectification only",
        "record_finding": "Record a supervision finding",
        "record_submit": "Record the finding",
        "files_hint": "Photos or PDFs (optional, up to 10, 10 MB each at most)",
        "rectify_submit": "Submit the rectification", "to_rectify": "Awaiting rectification",
        "no_findings": "No findings match.", "finding_recorded": "The finding is recorded",
        "finding_rectified": "The rectification is recorded",
        "months_title": "Monthly results (the year-end's evidence)", "month": "Month",
        "month_none": "Not published",
        "months_read": "Each month's published result when the year-end was opened; a score "
                       "links to the version read.",
        "monthly_average": "Monthly average", "months_published": "{n} months published",
        "excellent_months": "Months excellent", "unqualified_months": "Months unqualified",
        "month_average": "Monthly avg", "from_months": "Each item starts from the average of "
                                                      "the months' group reviews, offered as a "
                                                      "starting point: edit it for the year.",
        "deadlines": "Deadlines", "deadlines_saved": "Deadlines saved",
        "deadlines_in_force": "Deadlines in force", "deadlines_set": "Set deadlines",
        "deadlines_note": "A branch's own dates come first, then those an administrator set "
                          "for every branch, then the defaults (configured days of the month "
                          "after the period).",
        "deadlines_hint": "Fill in only the steps to change; empty ones stay as they are. A "
                          "later step is never due before an earlier one.",
        "source_branch": "the branch's", "source_organisation": "every branch's",
        "source_default": "default",
        "overdue": "Overdue", "every_period": "every period", "today_is": "Today (Beijing)",
        "overdue_count": "Overdue", "due_date": "Due", "days_overdue": "Days overdue",
        "overdue_none": "Nothing is overdue.", "deadline_due": "Due soon",
        "deadline_overdue": "Overdue",
        "bulk": "Bulk sign-off", "bulk_step": "Step", "select_all": "Select all",
        "select": "Select", "bulk_none": "Nothing waits for you at this step.",
        "previous_total": "Previous step's total",
        "bulk_hint": "Tick the appraisals to sign together, review, then confirm; each is "
                     "checked and recorded on its own. At most {most} at once.",
        "bulk_review": "Review the selection",
        "bulk_check": "Check the appraisals below; on confirming, each is signed in turn",
        "offered_scores": "Scores to submit (the previous step's)", "bulk_confirm": "Confirm",
        "bulk_taken": "Signed", "bulk_outcome": "Outcome", "bulk_more": "More in bulk",
        "bulk_more_waiting": "More wait: the oldest {most} are listed; sign them, then go on.",
    },
}
# The domain's field errors (domain.scoring, workflows.appraisals), as a reader says them.
FIELD_ERRORS = {
    "zh": {"out of range": "超出 0 到满分的范围", "one decimal": "最多一位小数",
           "username taken": "用户名已被使用", "short": "太短", "too long": "太长",
           "scope needed": "此角色须填范围", "no scope": "此角色的范围须留空",
           "wrong": "不正确", "own": "请在“我的账户”中办理自己的账户",
           "mismatch": "两次输入不一致", "sum": "各项满分合计须为 100",
           "maxima": "满分须大于 0、不超过 100，最多一位小数", "duplicate": "代码重复",
           "not a number": "请填写数字", "missing": "必填", "not finite": "请填写数字",
           "empty": "必填", "future": "不能晚于现在", "format": "格式不对",
           "not a time": "请填写日期和时间", "month": "没有这个月份",
           "taken": "编号已被使用", "unknown": "不存在", "amount": "以元为单位，最多两位小数",
           "amount range": "须在 -100000 到 100000 元之间", "before 1970": "不能早于 1970 年",
           "characters": "含有无法保存的字符", "no time zone": "须注明时区",
           "too large": "文件超过 10 MB", "count": "最多 10 个文件", "kind": "只能是照片或 PDF",
           "range": "不在允许的日期范围内", "order": "后一环节的截止日期不能早于前一环节",
           "steps": "至少填写一个环节的日期",
           "host": "只能是企业微信或钉钉的官方地址（https）",
           "past": "不能早于今天", "before from": "不能早于开始日期", "self": "不能指定本人",
           "not signer": "此人不签署任何考核环节"},
    "en": {"out of range": "must be from 0 to the maximum", "one decimal": "one decimal at most",
           "username taken": "this username is already taken", "short": "too short",
           "too long": "too long", "scope needed": "this role needs a scope",
           "no scope": "this role's scope must be empty", "wrong": "not correct",
           "own": "not your own account: use My account",
           "mismatch": "the two do not match", "sum": "the maxima must add up to 100",
           "maxima": "above 0, 100 at most, one decimal at most",
           "duplicate": "this code is given twice",
           "not a number": "enter a number", "missing": "required", "not finite": "enter a number",
           "empty": "required", "future": "cannot be in the future",
           "format": "wrong format", "not a time": "enter a date and time",
           "month": "no such month", "taken": "this id is already taken",
           "unknown": "does not exist", "amount": "yuan, two decimals at most",
           "amount range": "from -100,000 to 100,000 yuan", "before 1970": "cannot be before 1970",
           "characters": "has characters that cannot be stored",
           "no time zone": "must name its time zone",
           "too large": "a file is over 10 MB", "count": "10 files at most",
           "kind": "photos and PDFs only",
           "range": "outside the dates allowed", "order": "a later step cannot be due earlier",
           "steps": "give at least one step's date",
           "host": "only the robot service's own https address",
           "past": "cannot be before today", "before from": "cannot be before the start",
           "self": "not the principal themself",
           "not signer": "signs no step"},
}


def field_error(code: str, lang: str) -> str:
    """A domain field error as a reader says it; an unknown one as it is."""
    return FIELD_ERRORS[lang].get(code, code)


def action_label(action: str, lang: str) -> str:
    """What an action is called: a step's name for the action that signs it, the button's
    words for a return or a reopening; an unknown action as it is."""
    if action in REASONED:
        return TEXT[lang][action]
    return label("step", STEP_OF[action], lang) if action in STEP_OF else action


def language(request: Request) -> str:
    """The reader's choice, kept in a cookie; Chinese unless they switched."""
    chosen = request.cookies.get(COOKIE, "zh")
    return chosen if chosen in LANGUAGES else "zh"


def words(lang: str) -> dict[str, Callable[..., str]]:
    """What the templates call: `t('inbox')`, `label('grade', g)`, `role(r)`, `period(p)`,
    `field_error`."""
    return {
        "t": lambda key: TEXT[lang][key],
        "label": lambda kind, code: label(kind, code, lang),
        "role": lambda code: label("role", code, lang),
        "period": lambda code: period_title(code, lang),
        "field_error": lambda code: field_error(code, lang),
    }
