"""Sessions that end (issue 14, item 5) and the administrator's changes to a user (item 4):
a password set, roles changed, the user disabled or signed out end every token and page
session issued before; one's own password needs the current one; the signing secret."""

import os
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from projections.check import check
from projections.users import list_accounts
from service import actors
from service.app import create_app
from service.settings import Settings, SettingsError
from service.web.session import COOKIE
from tests.e2e.pages import Pages
from tests.e2e.support import assert_problem
from tests.helpers import PASSWORD, Api, Observer

NEW = "another-pass-1"
# Each way a session of the user (the victim) ends: who acts, and the request they make.
ENDINGS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "own password change": ("m1", "PUT", "/users/m1/password",
                            {"password": NEW, "current_password": PASSWORD}),
    "admin reset": ("admin", "PUT", "/users/m1/password", {"password": NEW}),
    "role change": ("admin", "PUT", "/users/m1/roles",
                    {"roles": [{"role": "zone_evaluator", "scope": "Z3"}]}),
    "disable": ("admin", "POST", "/users/m1/disable", {}),
    "logout": ("m1", "POST", "/auth/logout", {}),
}


def end_session(api: Api, how: str) -> None:
    user, method, path, body = ENDINGS[how]
    answer = api.client.request(method, path, headers=api.headers(user),
                                **({"json": body} if body else {}))
    assert answer.status_code in (200, 204), answer.text


def me_with(api: Api, token: str) -> Any:
    return api.client.get("/me", headers={"Authorization": f"Bearer {token}"})


def recorded(api: Api) -> int:
    return api.client.app.state.runtime.workflows.recorder.max_notification_id() or 0


@pytest.mark.parametrize("how", list(ENDINGS))
def test_an_api_token_stops_working_when_its_session_ends(api: Api, how: str) -> None:
    token, other = api.token("m1"), api.token("m2")
    assert me_with(api, token).status_code == 200
    end_session(api, how)
    assert_problem(me_with(api, token), 401)
    assert me_with(api, other).status_code == 200  # nobody else's session ended


@pytest.mark.parametrize("how", ["disable", "logout"])
def test_a_session_ended_in_another_api_process_ends_here_within_a_second(
        api: Api, settings: Settings, how: str) -> None:
    # This process keeps a checked token for a second (service.actors): a change made by
    # another process on the same store reaches it when that second is over.
    token = api.token("m1")
    with Observer(create_app(settings)) as other:
        assert me_with(api, token).status_code == 200  # checked here, and kept
        end_session(Api(other, tokens=api.tokens), how)
        assert_problem(me_with(Api(other, tokens=api.tokens), token), 401)  # there: at once
        time.sleep(actors.SECONDS)
        assert_problem(me_with(api, token), 401)


@pytest.mark.parametrize("how", list(ENDINGS))
def test_a_page_session_ends_with_it(api: Api, how: str) -> None:
    pages = Pages(api).as_user("m1")
    assert pages.get("/app/inbox").status_code == 200
    end_session(api, how)
    answer = pages.get("/app/inbox")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/app/sign-in")


def test_signing_out_of_the_pages_ends_the_users_api_tokens_too(api: Api) -> None:
    token = api.token("m1")
    pages = Pages(api).as_user("m1")
    assert pages.post("/app/sign-out", {}).status_code == 303
    api.client.cookies.set(COOKIE, token)  # the cookie as it was, kept by someone
    assert pages.get("/app/inbox").status_code == 303
    assert_problem(me_with(api, token), 401)


def test_the_sessions_cookie_is_host_prefixed_secure_and_for_the_whole_site(api: Api) -> None:
    api.client.base_url = "https://testserver"
    answer = Pages(api).sign_in("m1", PASSWORD)
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-appraisal_session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_after_a_password_change_only_the_new_password_signs_in(api: Api) -> None:
    end_session(api, "admin reset")
    wrong = api.client.post("/auth/token", data={"username": "m1", "password": PASSWORD})
    assert_problem(wrong, 401)
    right = api.client.post("/auth/token", data={"username": "m1", "password": NEW})
    assert me_with(api, right.json()["access_token"]).json()["username"] == "m1"


@pytest.mark.parametrize("body, status", [
    ({"password": NEW}, 422),  # without the current password
    ({"password": NEW, "current_password": "not-the-password"}, 403),
])
def test_ones_own_password_changes_only_with_the_current_one(
        api: Api, body: dict, status: int) -> None:
    before = recorded(api)
    problem = assert_problem(api.put("m1", "/users/m1/password", json=body), status)
    if status == 422:
        assert problem["errors"] == {"current_password": "missing"}
    assert recorded(api) == before
    assert me_with(api, api.token("m1")).status_code == 200  # nothing ended


def test_an_administrator_needs_the_current_password_for_their_own_only(api: Api) -> None:
    assert_problem(api.put("admin", "/users/admin/password", json={"password": NEW}), 422)
    assert api.put("admin", "/users/m2/password", json={"password": NEW}).status_code == 200
    assert api.put("m1", "/users/m2/password", json={"password": NEW}).status_code == 403


def test_a_role_change_takes_effect_at_the_next_sign_in(api: Api) -> None:
    roles = [{"role": "group_leader", "scope": "G2"}, {"role": "inspector", "scope": None}]
    answer = api.put("admin", "/users/secretary/roles", json={"roles": roles})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"username": "secretary", "display_name": "书记", "member_id": None,
                             "roles": roles}
    api.tokens.pop("secretary")
    assert api.get("secretary", "/me").json()["roles"] == roles
    # No longer B1's secretary: may not open its appraisals.
    refused = api.post("secretary", "/appraisals", json={"zone_id": "Z1", "period": "2026-10"})
    assert_problem(refused, 403)


def test_all_roles_can_be_removed(api: Api) -> None:
    assert api.put("admin", "/users/inspector/roles", json={"roles": []}).status_code == 200
    api.tokens.pop("inspector")
    assert api.get("inspector", "/me").json()["roles"] == []
    assert_problem(api.get("inspector", "/coverage"), 403)


def test_user_changes_answer_401_404_422_403_in_that_order(api: Api) -> None:
    bad = {"roles": "admin"}
    good = {"roles": []}
    assert_problem(api.client.put("/users/nobody/roles", json=bad), 401)
    assert_problem(api.put("m1", "/users/nobody/roles", json=bad), 404)
    assert_problem(api.put("m1", "/users/m2/roles", json=bad), 422)
    assert_problem(api.put("m1", "/users/m2/roles", json=good), 403)
    assert_problem(api.post("m1", "/users/nobody/disable"), 404)
    assert_problem(api.post("secretary", "/users/m2/disable"), 403)
    assert_problem(api.put("m1", "/users/nobody/password", json={"password": "x"}), 404)


@pytest.mark.parametrize("roles", [
    [{"role": "zone_evaluator", "scope": "Z99"}], [{"role": "group_leader", "scope": None}],
    [{"role": "admin", "scope": "B1"}], [{"role": "chairman", "scope": None}],
])
def test_a_role_change_is_checked_as_a_new_users_roles_are(api: Api, roles: list) -> None:
    before = recorded(api)
    assert_problem(api.put("admin", "/users/m1/roles", json={"roles": roles}), 422)
    assert recorded(api) == before
    assert me_with(api, api.token("m1")).status_code == 200


def test_a_disabled_user_cannot_sign_in_and_is_told_as_a_wrong_password_is(api: Api) -> None:
    answer = api.post("admin", "/users/m1/disable")
    assert answer.status_code == 200
    assert answer.json()["disabled"] is True and answer.json()["username"] == "m1"
    disabled = api.client.post("/auth/token", data={"username": "m1", "password": PASSWORD})
    wrong = api.client.post("/auth/token", data={"username": "m2", "password": "nope-nope"})
    assert_problem(disabled, 401)
    assert disabled.json() == wrong.json()
    before = recorded(api)
    assert api.post("admin", "/users/m1/disable").status_code == 200  # again: nothing more
    assert recorded(api) == before


def test_an_administrator_cannot_disable_themself(api: Api) -> None:
    assert_problem(api.post("admin", "/users/admin/disable"), 403)
    assert api.get("admin", "/me").status_code == 200


def test_the_administrators_pages_change_roles_and_disable(api: Api) -> None:
    pages = Pages(api).as_user("admin")
    token = api.token("m2")
    changed = pages.post("/app/users/roles", {"username": "m1", "role": ["group_leader", ""],
                                              "scope": ["G1", ""]}, form_page="/app/users")
    assert changed.status_code == 303 and changed.headers["location"] == "/app/users?roles=m1"
    gone = pages.post("/app/users/disable", {"username": "m2"}, form_page="/app/users")
    assert gone.status_code == 303
    listed = pages.get("/app/users").text
    assert "已调整角色: m1" not in listed  # the notice is only on the redirect's page
    row = listed.split("<td>m2</td>", 1)[1].split("</tr>", 1)[0]
    assert "已停用" in row
    assert "党小组长" in listed.split("<td>m1</td>", 1)[1].split("</tr>", 1)[0]
    assert_problem(me_with(api, token), 401)
    api.client.cookies.set("appraisal_lang", "en")
    english = pages.get("/app/users").text
    assert "Change roles" in english and "Disable the user" in english


def test_a_page_role_change_with_an_unknown_scope_is_422_beside_it(api: Api) -> None:
    pages = Pages(api).as_user("admin")
    before = recorded(api)
    answer = pages.post("/app/users/roles", {"username": "m1", "role": ["group_leader"],
                                             "scope": ["G99"]}, form_page="/app/users")
    assert answer.status_code == 422 and 'id="roles-scope-0-error">不存在<' in answer.text
    assert recorded(api) == before


def test_an_expired_or_old_format_token_sends_the_page_to_sign_in(api: Api,
                                                                  settings: Settings) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    claims = [{"sub": "m1", "ses": 0, "iat": past, "exp": past},
              {"sub": "m1", "exp": past + timedelta(hours=1)}]  # before session counts
    for claim in claims:
        token = jwt.encode(claim, settings.signing_key(), algorithm="HS256")
        assert_problem(me_with(api, token), 401)
        api.client.cookies.set(COOKIE, token)
        assert api.client.get("/app/inbox", follow_redirects=False).status_code == 303


def test_tokens_last_an_hour_by_default(api: Api) -> None:
    assert Settings().token_minutes == 60
    token = api.client.post("/auth/token", data={"username": "m1", "password": PASSWORD})
    claims = jwt.decode(token.json()["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3600


def test_a_configured_key_shorter_than_32_bytes_is_refused_at_start_up(tmp_path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/a.db", secret_key="s" * 31)
    with pytest.raises(SettingsError, match="32 bytes"):
        settings.signing_key()
    with pytest.raises(SettingsError), Observer(create_app(settings)):
        pass
    assert Settings(secret_key="密" * 11).signing_key()  # 33 bytes of UTF-8


def test_the_generated_secret_is_written_once_whole_and_private(tmp_path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/a.db")
    barrier = threading.Barrier(8)
    read: list[str] = []

    def start() -> None:
        barrier.wait()
        read.append(settings.signing_key())

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(read)) == 1 and len(read[0]) >= 64
    secret = tmp_path / "a.secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert sorted(os.listdir(tmp_path)) == ["a.secret"]  # no temporary file left


def test_the_account_list_follows_role_changes_and_disabling_as_a_rebuild_would(
        api: Api) -> None:
    roles = [{"role": "archivist", "scope": None}]
    assert api.put("admin", "/users/m1/roles", json={"roles": roles}).status_code == 200
    assert api.put("admin", "/users/m1/roles", json={"roles": []}).status_code == 200
    assert api.post("admin", "/users/m2/disable").status_code == 200
    runtime = api.client.app.state.runtime
    runtime.follower.catch_up()
    with runtime.engines.reader.connect() as conn:
        listed = {user["username"]: user for user in list_accounts(conn)}
    assert listed["m1"]["roles"] == [] and not listed["m1"]["disabled"]
    assert listed["m2"]["disabled"] and listed["leader"]["roles"] == [
        {"role": "group_leader", "scope": "G1"}]
    assert check(runtime.follower).differences == []
