"""The 督导检查 pages over HTTP: an inspector records a finding with a photo on a zone or from
an appraisal's page, the branch secretary answers it (整改), both read the list and download
the files. Each form is the API's use case and refusal: without the session's CSRF token, by
a member, by an inspector or a secretary of another branch, nothing is recorded."""

import hashlib
from typing import Any

from tests.e2e.files import pdf, png
from tests.e2e.pages import Pages
from tests.e2e.support import opened_in
from tests.helpers import Api

PAGE = "/app/findings"


def send(pages: Pages, user: str, path: str, data: dict[str, Any],
         *files: tuple[str, bytes, str], csrf: bool = True) -> Any:
    """A multipart form with its files, as the page sends it."""
    pages.as_user(user)
    token = {"csrf": pages.csrf("/app/account")} if csrf else {}
    return pages.api.client.post(path, data={**token, **data},
                                 files=[("files", f) for f in files] or None,
                                 follow_redirects=False)


def recorded(pages: Pages, user: str = "inspector", **fields: str) -> Any:
    data = {"zone_id": "Z1", "method": "on_site", "date": "2026-11-03",
            "text": "掘进工作面支护不规范", **fields}
    return send(pages, user, PAGE, data, ("现场.png", png(), "image/png"))


def findings(api: Api, user: str = "secretary", **params: str) -> list[dict[str, Any]]:
    response = api.get(user, "/findings", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_an_inspector_records_a_finding_with_a_photo_and_the_secretary_answers_it(
        api: Api) -> None:
    pages = Pages(api)
    form = pages.as_user("inspector").get("/app/findings/new")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    assert "综采一队 (Z1)" in form.text and "材料库 (Z4)" in form.text  # every branch's
    for word in ("平时督查", "听取汇报", "实地检视", "重点抽查", "查阅资料"):
        assert word in form.text
    done = recorded(pages)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{PAGE}?done=recorded"
    [found] = findings(api)
    photo = found["attachments"][0]
    assert photo["sha256"] == hashlib.sha256(png()).hexdigest()
    assert (found["zone_id"], found["method"], found["period"]) == ("Z1", "on_site", None)

    listing = pages.as_user("secretary").get(PAGE)
    assert listing.status_code == 200
    for shown in ("综采一队", "实地检视", "2026-11-03", "掘进工作面支护不规范", "现场.png",
                  ">待整改</span>", "组织干部科", 'action="/app/findings/rectification"'):
        assert shown in listing.text, shown
    link = f"/app/findings/{found['id']}/attachments/{photo['sha256']}"
    assert f'href="{link}"' in listing.text
    read = pages.get(link)
    assert read.status_code == 200 and read.content == png()
    assert read.headers["content-type"] == "image/png"
    assert read.headers["x-content-type-options"] == "nosniff"

    answered = send(pages, "secretary", "/app/findings/rectification",
                    {"finding_id": found["id"], "text": "已重新支护并复查"},
                    ("整改报告.pdf", pdf(), "application/pdf"))
    assert answered.status_code == 303, answered.text
    [done_one] = findings(api)
    assert done_one["rectification"]["text"] == "已重新支护并复查"
    assert done_one["rectification"]["actor"] == "secretary"
    paper = done_one["rectification"]["attachments"][0]
    listing = pages.get(PAGE)
    assert "已重新支护并复查" in listing.text and ">待整改</span>" not in listing.text
    assert pages.get(f"/app/findings/{found['id']}/attachments/{paper['sha256']}").content \
        == pdf()
    assert "没有符合条件" in pages.get(f"{PAGE}?open=1").text
    again = send(pages, "secretary", "/app/findings/rectification",
                 {"finding_id": found["id"], "text": "再答一次"})
    assert again.status_code == 409
    assert findings(api)[0]["rectification"]["text"] == "已重新支护并复查"


def test_a_finding_on_an_appraisal_from_its_page(api: Api) -> None:
    pages = Pages(api)
    doc = opened_in(api, "zone_evaluation")
    page = pages.as_user("inspector").get(f"/app/appraisals/{doc['id']}")
    link = f"/app/findings/new?appraisal_id={doc['id']}"
    assert f'href="{link}"' in page.text and "记录督导检查发现" in page.text
    assert link not in pages.as_user("m1").get(f"/app/appraisals/{doc['id']}").text
    form = pages.as_user("inspector").get(link)
    assert form.status_code == 200 and f'value="{doc["id"]}"' in form.text
    done = send(pages, "inspector", PAGE, {"appraisal_id": doc["id"], "method": "records",
                                           "date": "2026-11-02", "text": "台账缺页"},
                ("a.png", png(), "image/png"))
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith(f"/app/appraisals/{doc['id']}")
    [found] = findings(api)
    assert (found["appraisal_id"], found["period"], found["method"]) == (
        doc["id"], "2026-10", "records")
    shown = pages.get(f"/app/appraisals/{doc['id']}").text
    assert "台账缺页" in shown and f"/app/findings/{found['id']}/attachments/" in shown
    listing = pages.get(f"{PAGE}?branch_id=B1&period=2026-10")
    assert "台账缺页" in listing.text and "2026年10月" in listing.text


def test_a_refused_form_records_nothing(api: Api) -> None:
    pages = Pages(api)
    before = pages.recorded()
    data = {"zone_id": "Z1", "method": "on_site", "date": "2026-11-03", "text": "x"}
    for answer in (send(pages, "inspector", PAGE, data, ("a.png", png(), "image/png"),
                        csrf=False),
                   api.client.post(PAGE, data={**data, "csrf": "0" * 64},
                                   files=[("files", ("a.png", png(), "image/png"))],
                                   follow_redirects=False)):
        assert answer.status_code == 403
        assert "text/html" in answer.headers["content-type"]
    bad = send(pages, "inspector", PAGE, data, ("a.png", b"not a photo", "image/png"))
    assert bad.status_code == 422 and "只能是照片或 PDF" in bad.text
    empty = send(pages, "inspector", PAGE, {**data, "text": " "})
    assert empty.status_code == 422 and "必填" in empty.text
    future = send(pages, "inspector", PAGE, {**data, "date": "2999-01-01"})
    assert future.status_code == 422
    assert pages.recorded() == before
    assert findings(api) == []


def test_members_and_other_branches_are_refused(api: Api) -> None:
    pages = Pages(api)
    assert recorded(pages).status_code == 303
    [found] = findings(api)
    before = pages.recorded()
    file = f"/app/findings/{found['id']}/attachments/{found['attachments'][0]['sha256']}"
    for path in (PAGE, "/app/findings/new"):
        assert pages.as_user("m2").get(path).status_code == 403
    assert pages.as_user("m1").get(file).status_code == 200  # Z1's own responsible member
    assert pages.as_user("m2").get(file).status_code == 403
    assert pages.as_user("inspector2").get(file).status_code == 403
    assert pages.get(f"{PAGE}?branch_id=B1").status_code == 403
    assert "掘进工作面" not in pages.get(PAGE).text  # B2's findings only
    assert pages.get("/app/findings/new?zone_id=Z1").status_code == 403
    assert "综采一队" not in pages.get("/app/findings/new").text
    assert recorded(pages, "inspector2").status_code == 403
    assert recorded(pages, "m2").status_code == 403
    assert recorded(pages, "secretary").status_code == 403  # secretaries answer, not record
    for user in ("secretary2", "inspector", "m1"):
        answer = send(pages, user, "/app/findings/rectification",
                      {"finding_id": found["id"], "text": "越权答复"})
        assert answer.status_code == 403, user
    assert pages.recorded() == before
    assert "/app/findings" not in pages.as_user("m1").get("/app/inbox").text
    assert 'href="/app/findings"' in pages.as_user("secretary").get("/app/inbox").text
