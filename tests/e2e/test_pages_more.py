"""The ranking, archives and organisation pages over HTTP: the API's answers and bytes, its
checks (who may, 403, 422), CSRF on each writing form, sign-in CSRF, the navigation by role."""

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from service.web.session import COOKIE
from tests.e2e.pages import Pages
from tests.helpers import ORGANISATION, PASSWORD, SCORES, Api

ROW = re.compile(r'<tr><td class="num">(\d+)</td>.*?<small class="muted">(\w+)</small>.*?'
                 r'<td class="num">([\d.]+)</td>', re.S)
NAV = re.compile(r'<nav[^>]*>(.*?)</nav>', re.S)
MEMBER_NAMES = {m["id"]: m["name"] for m in ORGANISATION["/members"]}
LOWER = {**SCORES, "order": 15}  # 90.5


@pytest.fixture
def pages(api: Api) -> Pages:
    return Pages(api)


@pytest.fixture
def ranked(api: Api) -> None:
    """Z1 (93.5) and Z2 (90.5) published in 2026-10, Z3 open: a ranking with a tail."""
    api.publish("Z1", "2026-10")
    api.publish("Z2", "2026-10", scores=LOWER)
    api.open("Z3", "2026-10")


def nav_links(html: str) -> list[str]:
    return re.findall(r'<a href="(/app/[a-z]+)"', NAV.search(html).group(1))


@pytest.mark.usefixtures("ranked")
@pytest.mark.parametrize("query", [{}, {"group_id": "G1"}, {"branch_id": "B1", "line": "开掘线"},
                                   {"branch_id": "B2"}])
def test_the_ranking_page_lists_what_the_api_ranks(pages: Pages, query: dict[str, str]) -> None:
    page = pages.as_user("m4").get(f"/app/rankings?{urlencode(query)}")  # any reader
    assert page.status_code == 200
    api = pages.api.get("m4", "/rankings/2026-10", params=query).json()
    assert ROW.findall(page.text) == [(str(e["rank"]), e["zone_id"], str(e["score"]))
                                      for e in api["entries"]]
    assert f"尚未公示: <strong>{api['unpublished']}</strong>" in page.text
    for entry in api["entries"]:  # the responsible members by name
        assert all(MEMBER_NAMES[m] in page.text for m in entry["responsible_member_ids"])


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.mark.usefixtures("ranked")
def test_the_ranking_pages_spreadsheet_is_the_apis(pages: Pages) -> None:
    query = "period=2026-10&group_id=G1"
    assert f'href="/app/rankings.xlsx?{query.replace("&", "&amp;")}"' in pages.as_user("m1").get(
        "/app/rankings?group_id=G1").text
    page = pages.get(f"/app/rankings.xlsx?{query}")
    api = pages.api.get("m1", f"/rankings/2026-10?format=xlsx&{query[15:]}")
    assert page.status_code == api.status_code == 200
    # The same sheet; the files' bytes may differ by their timestamps when a second ticks.
    assert rows_of(page.content) == rows_of(api.content)
    assert page.headers["content-disposition"] == api.headers["content-disposition"]


def test_every_page_is_in_the_navigation_of_those_who_may_use_it(pages: Pages) -> None:
    everyone = ["/app/inbox", "/app/rankings", "/app/board", "/app/appraisals"]
    expected = {
        "m1": everyone,
        "inspector2": [*everyone, "/app/postings", "/app/findings", "/app/progress",
                       "/app/overdue", "/app/archives"],
        "archivist": [*everyone, "/app/findings", "/app/progress", "/app/overdue",
                      "/app/archives"],
        "secretary": [*everyone, "/app/postings", "/app/findings", "/app/progress",
                      "/app/overdue", "/app/organisation", "/app/policy", "/app/deadlines",
                      "/app/delegations"],
        "admin": [*everyone, "/app/postings", "/app/findings", "/app/progress", "/app/overdue",
                  "/app/archives", "/app/organisation", "/app/policy", "/app/deadlines",
                  "/app/users", "/app/forms", "/app/reminders", "/app/delegations"],
        "leader": [*everyone, "/app/delegations"],  # a signer names their deputy (代签)
    }
    for user, links in expected.items():  # and everyone's own account, last
        assert nav_links(pages.as_user(user).get("/app/inbox").text) == [*links,
                                                                         "/app/account"], user
    pages.as_user("m1")
    assert pages.get("/app/archives").status_code == 403
    assert pages.get("/app/archives/file?year=2026").status_code == 403
    assert pages.get("/app/organisation").status_code == 403
    assert pages.get("/app/postings").status_code == 403
    assert pages.get("/app/findings").status_code == 403
    assert pages.get("/app/progress").status_code == 403


def test_the_progress_page_draws_each_overseen_branch_and_gives_the_apis_sheet(
        pages: Pages) -> None:
    pages.api.publish("Z1")
    shown = pages.as_user("secretary").get("/app/progress?period=2026-10")
    assert shown.status_code == 200
    assert "综采支部" in shown.text and "地面支部" not in shown.text  # B1 only
    assert 'class="part-published"' in shown.text and "已公示 1" in shown.text
    sheet = pages.get("/app/progress.xlsx?period=2026-10")
    api = pages.api.get("secretary", "/progress", params={"period": "2026-10",
                                                          "format": "xlsx"})
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK" == api.content[:2]
    everyone = pages.as_user("inspector").get("/app/progress?period=2026-10").text
    assert "综采支部" in everyone and "地面支部" in everyone
    assert pages.get("/app/progress?period=2026-13").status_code == 422


def archive_query(**query: str) -> str:
    return urlencode({k: v for k, v in query.items() if v})


def test_an_archivist_downloads_each_form_with_the_apis_bytes_and_sha256(pages: Pages) -> None:
    pages.api.publish("Z1", "2026-10")
    as_of = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    checked = pages.as_user("archivist").get(
        f"/app/archives?{archive_query(year='2026', as_of=as_of, check='1')}")
    assert checked.status_code == 200
    assert "appraisal archive verify FILE" in checked.text
    for form in ("json", "xlsx", "pdf"):
        page = pages.get(f"/app/archives/file?{archive_query(year='2026', form=form, as_of=as_of)}")
        api = pages.api.get("archivist", "/archives/2026", params={"format": form,
                                                                  "as_of": as_of})
        assert page.status_code == api.status_code == 200, page.text
        assert page.content == api.content
        sha256 = hashlib.sha256(api.content).hexdigest()
        assert page.headers["etag"] == api.headers["etag"] == f'"{sha256}"'
        assert f'data-form="{form}">{sha256}</code>' in checked.text
    made = pages.api.get("archivist", "/archives/2026", params={"as_of": as_of}).json()
    checkpoint = made["manifest"]["ledger"]["checkpoint"]  # the one the files were made against
    assert f'<dd class="checkpoint">{checkpoint["size"]} · 根哈希 <code class="hash">' \
           f'{checkpoint["root"]}</code> · SM3</dd>' in checked.text


def test_an_as_of_typed_in_the_page_is_beijing_time(pages: Pages) -> None:
    pages.api.publish("Z1", "2026-10")
    beijing = (datetime.now(UTC) + timedelta(hours=8, minutes=-1)).strftime("%Y-%m-%dT%H:%M:%S")
    page = pages.as_user("archivist").get(
        f"/app/archives/file?{archive_query(year='2026', as_of=beijing)}")
    api = pages.api.get("archivist", "/archives/2026", params={"as_of": f"{beijing}+08:00"})
    assert page.content == api.content


def test_an_inspector_produces_only_their_branchs_archive(pages: Pages) -> None:
    pages.as_user("inspector2")
    form = pages.get("/app/archives").text
    assert re.findall(r'<option value="(\w*)"', form) == ["B2"]
    assert pages.get("/app/archives/file?year=2026&branch_id=B2").status_code == 200
    assert pages.get("/app/archives/file?year=2026&branch_id=B1").status_code == 403
    assert pages.get("/app/archives/file?year=2026").status_code == 403
    assert pages.get("/app/archives?year=2026&branch_id=B1&check=1").status_code == 403


def test_a_bad_year_or_a_future_as_of_is_422_beside_the_field(pages: Pages) -> None:
    pages.as_user("archivist")
    bad_year = pages.get("/app/archives/file?year=20x6")
    assert bad_year.status_code == 422
    assert re.search(r'id="year-error"[^>]*>格式不对<', bad_year.text)
    future = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    answer = pages.get(f"/app/archives?year=2026&as_of={future}&check=1")
    assert answer.status_code == 422
    assert re.search(r'id="as_of-error"[^>]*>不能晚于现在<', answer.text)


def test_the_organisation_page_is_for_administrators_and_secretaries_open_periods(
        pages: Pages) -> None:
    admin = pages.as_user("admin").get("/app/organisation?branch_id=B1").text
    assert "张伟 (M1)" in admin and "/app/organisation/zones/Z1/responsibles" in admin
    assert "陈静 (M5)" in admin  # a member without a zone: a coverage gap
    secretary = pages.as_user("secretary").get("/app/organisation").text
    assert "/app/organisation/open" in secretary and "responsibles" not in secretary
    for user in ("inspector", "m1", "archivist"):
        assert pages.as_user(user).get("/app/organisation").status_code == 403, user


def zone_history(api: Api) -> list[dict]:
    return api.get("admin", "/zones/Z1/history").json()["assignments"]


def test_an_administrator_reassigns_a_zone_with_a_reason(pages: Pages) -> None:
    pages.as_user("admin")
    refused = pages.post("/app/organisation/zones/Z1/responsibles",
                         {"member_ids": ["M5"], "reason": "  ", "branch_id": "B1"})
    assert refused.status_code == 422
    assert re.search(r'id="Z1-reason-error"[^>]*>必填<', refused.text)
    assert len(zone_history(pages.api)) == 1
    done = pages.post("/app/organisation/zones/Z1/responsibles",
                      {"member_ids": ["M1", "M5"], "reason": "陈静调入综采一队",
                       "branch_id": "B1"})
    assert done.status_code == 303
    assert pages.api.get("admin", "/zones/Z1").json()["responsible_member_ids"] == ["M1", "M5"]
    assert zone_history(pages.api)[-1]["reason"] == "陈静调入综采一队"
    assert pages.as_user("secretary").post(
        "/app/organisation/zones/Z1/responsibles",
        {"member_ids": ["M1"], "reason": "书记无权调整"}).status_code == 403
    assert len(zone_history(pages.api)) == 2


def test_a_secretary_opens_a_period_and_it_waits_in_the_members_inbox(pages: Pages) -> None:
    answer = pages.as_user("secretary").post("/app/organisation/open",
                                             {"branch_id": "B1", "period": "2026-11"})
    assert answer.status_code == 303
    assert "opened=3" in answer.headers["location"]
    assert "2026年11月" in pages.as_user("m1").get("/app/inbox").text
    bad = pages.as_user("secretary").post("/app/organisation/open",
                                          {"branch_id": "B1", "period": "2026-13"})
    assert bad.status_code == 422
    assert pages.as_user("secretary").post("/app/organisation/open", {
        "branch_id": "B2", "period": "2026-12"}).status_code == 403
    assert pages.api.get("admin", "/appraisals?period=2026-12").json()["items"] == []


@pytest.mark.parametrize("path, data", [
    ("/app/organisation/zones/Z1/responsibles", {"member_ids": ["M5"], "reason": "调整",
                                                 "branch_id": "B1"}),
    ("/app/organisation/open", {"branch_id": "B1", "period": "2026-11"}),
])
def test_a_writing_form_without_this_sessions_csrf_token_records_nothing(
        pages: Pages, path: str, data: dict) -> None:
    pages.as_user("admin")
    for csrf in ({}, {"csrf": "0" * 64}):
        answer = pages.api.client.post(path, data={**data, **csrf})
        assert answer.status_code == 403
        assert "未作任何记录" in answer.text
    assert len(zone_history(pages.api)) == 1
    assert pages.api.get("admin", "/appraisals?period=2026-11").json()["items"] == []


def test_signing_in_needs_the_token_its_form_was_given(pages: Pages) -> None:
    client = pages.api.client
    client.base_url = "https://testserver"
    form = {"username": "m1", "password": PASSWORD}
    forged = client.post("/app/sign-in", data=form)  # another site's form: no cookie, no token
    assert forged.status_code == 403 and COOKIE not in client.cookies
    pages.get("/app/sign-in")  # the form's cookie, but a token of another form
    assert client.post("/app/sign-in", data={**form, "csrf": "0" * 64}).status_code == 403
    assert COOKIE not in client.cookies
    assert pages.sign_in("m1", PASSWORD).status_code == 303
    assert "appraisal_sign_in" in client.cookies  # SameSite=Strict, short-lived, form only


def test_a_signer_is_shown_by_name(pages: Pages) -> None:
    doc = pages.api.publish("Z1", "2026-10")
    history = pages.as_user("inspector").get(f"/app/appraisals/{doc['id']}/history").text
    assert "操作人: 张伟" in history and "操作人: 书记" in history
    appraisal = pages.get(f"/app/appraisals/{doc['id']}").text
    assert "签署 评价员" in appraisal and "签署 组长" in appraisal
