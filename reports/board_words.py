"""What the posted result list (board_pdf) says, in Chinese and in English.

The process's own words (grades, steps) come from reports.labels; these are the sentences
only a posting has. A posting page of the web could say the same from here.
"""

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "{branch}{period}党员责任区考核结果公示",
        "reposted": "（更正后重新公示）",
        "replaces": "本次公示更正并替代编号为 {replaces} 的公示，原公示作废，以本次公示为准。",
        "superseded": "本公示已被更正后重新发布的公示替代，不再有效。",
        "intro": "经责任区自查、责任区评价、党小组长考核和党支部审核，现将{period}党员责任区"
                 "考核结果公示如下：",
        "continued": "（续）",
        "none": "本期没有可公示的考核结果。",
        "count": "{grade} {n} 个",
        "count_separator": "，",
        "distribution": "等次分布：{counts}，共 {total} 个责任区。",
        "window": "公示期：{opens}至{ends}",
        "closed": "公示期已结束。",
        "objection": "公示期间，对考核结果如有异议，可向党支部书记当面或书面提出，也可通过公示"
                     "页面在线提出，须写明理由。党支部将逐件核实并答复。",
        "pending": "另有 {n} 个责任区的考核尚未完成，未列入本次公示，完成后另行公示。",
        "seal": "中共{branch}（盖章）",
        "number": "公示编号：{id}",
        "page": "第 {n} 页 共 {m} 页",
    },
    "en": {
        "title": "{branch}: party-member responsibility zone appraisal results, {period} "
                 "(public notice)",
        "reposted": "(re-posted after correction)",
        "replaces": "This notice corrects and replaces notice {replaces}, which is void.",
        "superseded": "This notice has been replaced by a corrected notice and is no longer "
                      "valid.",
        "intro": "After the zones' self-checks, the zone evaluations, the group leaders' reviews "
                 "and the branch's approval, the results for {period} are posted as follows:",
        "continued": " (continued)",
        "none": "No results to post for this period.",
        "count": "{grade} {n}",
        "count_separator": ", ",
        "distribution": "Grades: {counts}; total {total}.",
        "window": "Posting period: {opens} to {ends}",
        "closed": "The posting period has ended.",
        "objection": "During the posting period, anyone who disagrees with a result may raise "
                     "an objection with the branch secretary, in person or in writing, or "
                     "online on the posting page, stating the reasons. The branch will check "
                     "each objection and reply.",
        "pending": "The appraisals of {n} more zones are not finished; they are not on this "
                   "list and will be posted when they are.",
        "seal": "CPC {branch} (seal)",
        "number": "Notice {id}",
        "page": "Page {n} of {m}",
    },
}
HEADERS: dict[str, tuple[str, ...]] = {
    "zh": ("排名", "责任区", "责任党员", "党小组", "得分", "等次", "奖惩（元）"),
    "en": ("Rank", "Zone", "Responsible members", "Party group", "Score", "Grade",
           "Reward or penalty (yuan)"),
}
