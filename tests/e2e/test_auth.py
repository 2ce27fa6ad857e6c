"""API.md "Running" and "Authentication and users": health, sign-in, /me, POST /users."""

from datetime import UTC, datetime, timedelta

import jwt

from tests.e2e.support import assert_problem
from tests.helpers import PASSWORD

NEW_USER = {"username": "newcomer", "password": PASSWORD, "display_name": "新同志",
            "member_id": None, "roles": []}


def test_health_answers_ok_without_authentication(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_sign_in_gives_a_bearer_token_that_opens_me(client):
    response = client.post("/auth/token", data={"username": "admin", "password": "admin-password"})
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer" and token["access_token"]
    me = client.get("/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json() == {"username": "admin", "display_name": me.json()["display_name"],
                         "member_id": None, "roles": [{"role": "admin", "scope": None}]}


def test_wrong_username_and_wrong_password_get_the_same_answer(api):
    wrong_password = api.client.post("/auth/token", data={"username": "m1", "password": "nope"})
    unknown_user = api.client.post("/auth/token",
                                   data={"username": "nobody", "password": PASSWORD})
    assert wrong_password.status_code in (400, 401)
    assert_problem(wrong_password, wrong_password.status_code)
    assert unknown_user.status_code == wrong_password.status_code
    assert unknown_user.json() == wrong_password.json()


def test_sign_in_without_the_form_fields_is_422(client):
    assert_problem(client.post("/auth/token", data={"username": "admin"}), 422)


def test_me_without_a_valid_token_is_401(client, subtests):
    for authorization in (None, "Bearer not-a-jwt", "Basic YWRtaW46eA==", "Bearer "):
        with subtests.test(authorization=authorization):
            headers = {"Authorization": authorization} if authorization else {}
            response = client.get("/me", headers=headers)
            assert_problem(response, 401)
            assert response.headers["www-authenticate"] == "Bearer"


def test_an_expired_or_foreign_token_is_401(client, settings):
    past = datetime.now(UTC) - timedelta(hours=1)
    expired = jwt.encode({"sub": "admin", "iat": past, "exp": past}, settings.secret_key,
                         algorithm="HS256")
    later = datetime.now(UTC) + timedelta(hours=1)
    foreign = jwt.encode({"sub": "admin", "exp": later}, "another-secret-" + "y" * 32,
                         algorithm="HS256")
    for token in (expired, foreign):
        assert_problem(client.get("/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_me_shows_the_user_with_member_and_scoped_roles(api):
    assert api.get("leader", "/me").json() == {
        "username": "leader", "display_name": "组长", "member_id": "M5",
        "roles": [{"role": "group_leader", "scope": "G1"}]}
    assert api.get("m1", "/me").json()["roles"] == []


def test_admin_creates_a_user_who_can_sign_in(api):
    body = {**NEW_USER, "member_id": "M3",
            "roles": [{"role": "group_leader", "scope": "G2"},
                      {"role": "inspector", "scope": None}]}
    response = api.post("admin", "/users", json=body)
    assert response.status_code == 201, response.text
    assert response.json() == {"username": "newcomer", "display_name": "新同志",
                               "member_id": "M3", "roles": body["roles"]}
    assert api.get("newcomer", "/me").json()["roles"] == body["roles"]


def test_only_an_admin_creates_users(api, subtests):
    for user in ("secretary", "inspector", "m1"):
        with subtests.test(user=user):
            assert_problem(api.post(user, "/users", json=NEW_USER), 403)
    assert api.post("admin", "/users", json=NEW_USER).status_code == 201  # nothing was taken


def test_a_second_user_with_the_same_username_is_409(api):
    assert_problem(api.post("admin", "/users", json={**NEW_USER, "username": "m1"}), 409)


# (member_id, roles, why). Each costs an argon2 hash (the route hashes first): kept short.
REFUSED = [
    ("M99", [], "unknown member"),
    (None, [{"role": "zone_evaluator", "scope": "Z99"}], "unknown zone"),
    (None, [{"role": "branch_secretary", "scope": "B99"}], "unknown branch"),
    (None, [{"role": "zone_evaluator", "scope": "G1"}], "a group is not a zone"),
    (None, [{"role": "group_leader", "scope": "Z1"}], "a zone is not a group"),
    (None, [{"role": "zone_evaluator", "scope": None}], "needs a zone"),
    (None, [{"role": "branch_secretary", "scope": None}], "needs a branch"),
    (None, [{"role": "admin", "scope": "B1"}], "admin is over everything"),
    (None, [{"role": "inspector", "scope": "G1"}], "inspector: a branch or null"),
    (None, [{"role": "chairman", "scope": None}], "no such role"),
]


def test_an_unknown_member_or_a_wrong_scope_is_422_and_creates_nobody(api, subtests):
    for member_id, roles, why in REFUSED:
        with subtests.test(why):
            body = {**NEW_USER, "member_id": member_id, "roles": roles}
            assert_problem(api.post("admin", "/users", json=body), 422)
    assert api.post("admin", "/users", json=NEW_USER).status_code == 201


def test_each_role_is_accepted_with_its_kind_of_scope(api, subtests):
    for number, roles in enumerate([
        [{"role": "inspector", "scope": None}], [{"role": "inspector", "scope": "B2"}],
        [{"role": "archivist", "scope": None}], [{"role": "admin", "scope": None}],
        [{"role": "zone_evaluator", "scope": "Z4"}, {"role": "group_leader", "scope": "G3"},
         {"role": "branch_secretary", "scope": "B2"}],
    ]):
        with subtests.test(roles=roles):
            body = {**NEW_USER, "username": f"user{number}", "roles": roles}
            response = api.post("admin", "/users", json=body)
            assert response.status_code == 201, response.text
            assert response.json()["roles"] == roles


def test_a_user_body_of_the_wrong_shape_is_422(api, subtests):
    for change in ({"password": "short"}, {"username": ""}, {"username": "has space"},
                   {"display_name": ""}, {"roles": "admin"}, {"roles": [{"scope": None}]}):
        with subtests.test(change=change):
            assert_problem(api.post("admin", "/users", json={**NEW_USER, **change}), 422)
