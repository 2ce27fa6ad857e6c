"""The administrator's pages over HTTP: users (list, new user, another's password), every
user's own password, and the assessment forms (a new version, a new form). Each form is
checked by the API's schema and command: the API's status, the error beside its field,
nothing recorded on failure, CSRF, and no page or link for those who may not use it."""

import re

import pytest

from service.web.session import COOKIE
from tests.e2e.pages import Pages
from tests.helpers import PASSWORD, Api

NAV = r"<nav[^>]*>(.*?)</nav>"
NEW_USER = {"username": "leader2", "password": "first-pass-1", "display_name": "二组组长",
            "member_id": "M3", "role": ["group_leader", "zone_evaluator", ""],
            "scope": ["G2", "Z3", ""]}
# The default form with five points moved from `thought` to `order`, and a new item.
REVISED = {"code": ["thought", "study", "talks", "order", "policy", "duty", "skills", "safety",
                    ""],
           "max": ["10", "15", "10", "20", "10", "20", "10", "5", ""]}


@pytest.fixture
def pages(api: Api) -> Pages:
    return Pages(api)


def error_of(html: str, field: str) -> str:
    """The error shown beside the field whose id is `field` (linked by aria-describedby)."""
    assert re.search(rf'aria-describedby="([^"]* )?{field}-error[ "]', html), field
    return found_in(rf'id="{field}-error">([^<]*)<', html)


def found_in(pattern: str, html: str) -> str:
    """The first group of the pattern's first match in the page (which must have one)."""
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return found.group(1)


def signs_in(pages: Pages, username: str, password: str) -> bool:
    """The API's sign-in with this password; its token kept for `pages.api` calls."""
    answer = pages.api.client.post("/auth/token", data={"username": username,
                                                        "password": password})
    if answer.status_code == 200:
        pages.api.tokens[username] = answer.json()["access_token"]
    return answer.status_code == 200


def test_an_administrator_creates_a_user_who_signs_in_with_their_roles(pages: Pages) -> None:
    pages.as_user("admin")
    answer = pages.post("/app/users", NEW_USER, form_page="/app/users")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/users?created=leader2"
    listed = pages.get(answer.headers["location"]).text
    assert "已创建用户: leader2" in listed
    row = found_in(r"<td>leader2</td>(.*?)</tr>", listed)
    assert "二组组长" in row and "李强" in row  # the member by name
    assert "党小组长: 二组" in row and "责任区评价人: 机电队" in row  # the scopes by name
    assert "first-pass-1" not in listed
    assert signs_in(pages, "leader2", "first-pass-1")
    me = pages.api.get("leader2", "/me").json()
    assert me == {"username": "leader2", "display_name": "二组组长", "member_id": "M3",
                  "roles": [{"role": "group_leader", "scope": "G2"},
                            {"role": "zone_evaluator", "scope": "Z3"}]}


@pytest.mark.parametrize("typed, field, error", [
    ({"password": "short"}, "create-password", "太短"),
    ({"username": "two words"}, "create-username", "格式不对"),
    ({"display_name": "  "}, "create-display_name", "必填"),
    ({"member_id": "M99"}, "create-member_id", "不存在"),
    ({"role": [""], "scope": ["B1"]}, "create-role-0", "格式不对"),
    ({"role": ["group_leader"], "scope": [""]}, "create-scope-0", "此角色须填范围"),
    ({"role": ["", "branch_secretary"], "scope": ["", "B9"]}, "create-scope-1", "不存在"),
    ({"role": ["admin"], "scope": ["B1"]}, "create-scope-0", "此角色的范围须留空"),
])
def test_a_new_user_refused_is_422_beside_the_field_and_records_nothing(
        pages: Pages, typed: dict, field: str, error: str) -> None:
    pages.as_user("admin")
    before = pages.recorded()
    answer = pages.post("/app/users", {**NEW_USER, **typed}, form_page="/app/users")
    assert answer.status_code == 422
    assert error_of(answer.text, field) == error
    assert "422 · 请更正标出的项目后再提交。" in answer.text
    assert 'value="二组组长"' in answer.text or "display_name" in typed  # kept as typed
    assert NEW_USER["password"] not in answer.text and "short" not in answer.text
    assert pages.recorded() == before


def test_a_taken_username_is_409_beside_it(pages: Pages) -> None:
    pages.as_user("admin")
    before = pages.recorded()
    answer = pages.post("/app/users", {**NEW_USER, "username": "m1"}, form_page="/app/users")
    assert answer.status_code == 409
    assert error_of(answer.text, "create-username") == "用户名已被使用"
    assert pages.recorded() == before


@pytest.mark.parametrize("path, data", [
    ("/app/users", NEW_USER),
    ("/app/users/password", {"username": "m1", "password": "other-pass-1"}),
    ("/app/account/password", {"current": "admin-password", "password": "other-pass-1",
                               "repeat": "other-pass-1"}),
    ("/app/forms", {"id": "F2", "name": "新表", **REVISED}),
    ("/app/forms/default", REVISED),
])
def test_a_writing_form_without_this_sessions_csrf_token_records_nothing(
        pages: Pages, path: str, data: dict) -> None:
    pages.as_user("admin")
    before = pages.recorded()
    for answer in pages.forged(path, data):
        assert answer.status_code == 403
        assert "未作任何记录" in answer.text
    assert pages.recorded() == before


@pytest.mark.parametrize("user", ["m1", "secretary", "inspector", "archivist"])
def test_only_administrators_have_the_users_and_forms_pages_and_their_links(
        pages: Pages, user: str) -> None:
    nav = found_in(NAV, pages.as_user(user).get("/app/inbox").text)
    assert "/app/users" not in nav and "/app/forms" not in nav
    assert 'href="/app/account"' in nav  # everyone's own password
    before = pages.recorded()
    for path in ("/app/users", "/app/forms"):
        assert pages.get(path).status_code == 403
    posts: list[tuple[str, dict]] = [
        ("/app/users", NEW_USER), ("/app/forms/default", REVISED),
        ("/app/users/password", {"username": "m2", "password": "other-pass-1"})]
    for path, data in posts:
        assert pages.post(path, data).status_code == 403, path
    assert pages.recorded() == before
    admin_nav = found_in(NAV, pages.as_user("admin").get("/app/inbox").text)
    assert 'href="/app/users"' in admin_nav and 'href="/app/forms"' in admin_nav


def test_a_user_changes_their_own_password_and_signs_in_with_it(pages: Pages) -> None:
    pages.as_user("m1")
    assert "张伟" in pages.get("/app/account").text
    new = {"current": PASSWORD, "password": "new-secret-9", "repeat": "new-secret-9"}
    answer = pages.post("/app/account/password", new, form_page="/app/account")
    assert answer.status_code == 303 and answer.headers["location"] == "/app/account?changed=1"
    # The session that changed it goes on with a new token; the old token's session ended.
    assert pages.get("/app/account").status_code == 303
    pages.api.client.cookies.clear()
    pages.api.client.cookies.set(COOKIE, answer.cookies[COOKIE])
    assert "密码已修改" in pages.get("/app/account?changed=1").text
    assert not signs_in(pages, "m1", PASSWORD)
    assert signs_in(pages, "m1", "new-secret-9")


@pytest.mark.parametrize("typed, field, error", [
    ({"current": "not-my-password"}, "own-current", "不正确"),
    ({"repeat": "new-secret-8"}, "own-repeat", "两次输入不一致"),
    ({"password": "short", "repeat": "short"}, "own-password", "太短"),
])
def test_a_refused_own_password_is_422_beside_the_field_and_records_nothing(
        pages: Pages, typed: dict, field: str, error: str) -> None:
    pages.as_user("m1")
    before = pages.recorded()
    data = {"current": PASSWORD, "password": "new-secret-9", "repeat": "new-secret-9", **typed}
    answer = pages.post("/app/account/password", data, form_page="/app/account")
    assert answer.status_code == 422
    assert error_of(answer.text, field) == error
    assert all(value not in answer.text for value in data.values())  # no password echoed
    assert pages.recorded() == before


def test_an_administrator_sets_another_users_password(pages: Pages) -> None:
    pages.as_user("admin")
    data = {"username": "m2", "password": "reset-pass-1"}
    answer = pages.post("/app/users/password", data, form_page="/app/users")
    assert answer.status_code == 303 and answer.headers["location"] == "/app/users?reset=m2"
    assert signs_in(pages, "m2", "reset-pass-1")
    before = pages.recorded()
    short = pages.post("/app/users/password", {**data, "password": "short"}, "/app/users")
    assert short.status_code == 422 and error_of(short.text, "reset-password") == "太短"
    unknown = pages.post("/app/users/password", {**data, "username": "nobody"}, "/app/users")
    assert unknown.status_code == 404 and error_of(unknown.text, "reset-username") == "不存在"
    assert pages.recorded() == before


def test_a_new_version_of_a_form_published_on_the_page_is_the_apis(pages: Pages) -> None:
    opened = pages.api.open("Z1", "2026-10")
    page = pages.as_user("admin").get("/app/forms")
    assert "版本 1" in page.text and "已开启的考核沿用开启时的考核表版本" in page.text
    answer = pages.post("/app/forms/default", REVISED, form_page="/app/forms")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/forms?published=default&version=2"
    form = pages.api.get("admin", "/forms/default").json()
    assert form["version"] == 2
    assert form["items"] == {"thought": 10, "study": 15, "talks": 10, "order": 20, "policy": 10,
                             "duty": 20, "skills": 10, "safety": 5}
    listed = pages.get(answer.headers["location"]).text
    assert "已发布新版本: default · 版本 2" in listed and "<td>safety</td>" in listed
    kept = pages.api.get("admin", f"/appraisals/{opened['id']}").json()
    assert kept["template_version"] == 1  # an appraisal keeps the version it was opened with


@pytest.mark.parametrize("rows, field, error", [
    ({"max": ["15", "15", "10", "20", "10", "20", "10", "5", ""]}, "revise-default-items",
     "各项满分合计须为 100"),
    ({"max": ["inf", "15", "10", "20", "10", "20", "10", "5", ""]}, "revise-default-items",
     "满分须大于 0、不超过 100，最多一位小数"),
    ({"max": ["10.55", "15", "10", "20", "10", "20", "10", "4.45", ""]},
     "revise-default-items", "满分须大于 0、不超过 100，最多一位小数"),
    ({"max": ["ten", "15", "10", "20", "10", "20", "10", "5", ""]}, "revise-default-max-0",
     "请填写数字"),
    ({"code": ["thought", "study", "talks", "order", "policy", "duty", "skills", "a b", ""]},
     "revise-default-code-7", "格式不对"),
    ({"code": ["thought", "study", "talks", "order", "policy", "duty", "skills", "study", ""]},
     "revise-default-code-7", "代码重复"),
    ({"code": [""] * 9, "max": [""] * 9}, "revise-default-items", "必填"),
])
def test_a_refused_form_version_is_422_beside_the_items_and_records_nothing(
        pages: Pages, rows: dict, field: str, error: str) -> None:
    pages.as_user("admin")
    before = pages.recorded()
    answer = pages.post("/app/forms/default", {**REVISED, **rows}, form_page="/app/forms")
    assert answer.status_code == 422
    assert error_of(answer.text, field) == error
    assert pages.api.get("admin", "/forms/default").json()["version"] == 1
    assert pages.recorded() == before


def test_a_new_form_on_the_page_is_the_apis_and_a_taken_id_409(pages: Pages) -> None:
    pages.as_user("admin")
    page = pages.get("/app/forms").text
    assert page.count('name="code" type="text" value="thought"') == 2  # the default's, to edit
    answer = pages.post("/app/forms", {"id": "surface", "name": "地面考核表", **REVISED},
                        form_page="/app/forms")
    assert answer.status_code == 303 and answer.headers["location"] == "/app/forms?created=surface"
    form = pages.api.get("admin", "/forms/surface").json()
    assert form["name"] == "地面考核表" and form["version"] == 1 and len(form["items"]) == 8
    before = pages.recorded()
    taken = pages.post("/app/forms", {"id": "default", "name": "另一个", **REVISED}, "/app/forms")
    assert taken.status_code == 409 and error_of(taken.text, "new-id") == "编号已被使用"
    assert 'value="另一个"' in taken.text  # kept as typed
    assert pages.recorded() == before


def test_non_finite_or_huge_maxima_are_422_in_the_api_too(pages: Pages) -> None:
    for body in ('{"items": {"a": Infinity}}', '{"items": {"a": NaN}}',
                 '{"items": {"a": 1e300}}', '{"items": {"a": 123456789012345678901234567890}}'):
        answer = pages.api.put("admin", "/forms/default", content=body,
                               headers={"Content-Type": "application/json"})
        assert answer.status_code == 422, body
        assert answer.json()["errors"] == {"items": "maxima"}


def test_the_pages_speak_english_after_the_switch(pages: Pages) -> None:
    pages.as_user("admin")
    pages.get("/app/language/en?next=/app/users")
    users = pages.get("/app/users").text
    assert "<h1>Users</h1>" in users and "Roles and scopes" in users and 'lang="en"' in users
    refused = pages.post("/app/users", {**NEW_USER, "password": "short"}, "/app/users")
    assert error_of(refused.text, "create-password") == "too short"
    forms = pages.get("/app/forms").text
    assert "Assessment forms" in forms and "0 to the maximum, one decimal at most" in forms
    account = pages.get("/app/account").text
    assert "My account" in account and "Change the password" in account
