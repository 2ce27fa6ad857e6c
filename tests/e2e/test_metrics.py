"""Operators' view: GET /metrics (who may read it, what it counts, the read models' lag) and
the request id every answer carries and every access-log line names, on both backends."""

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service.app import create_app
from service.logs import JsonFormatter
from service.settings import Settings
from store.engines import event_store_env
from tests.e2e.support import act, assert_problem
from tests.helpers import SCORES, Api, Observer
from workflows.application import Workflows

SELF_CHECK = {"scores": SCORES, "comment": "自查"}


def scrape(api: Api, user: str = "admin") -> dict[tuple[str, tuple], float]:
    """Every sample of the admin's scrape, by name and sorted labels."""
    response = api.get(user, "/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def sample(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def by_view(samples: dict, name: str) -> dict[str, float]:
    return {dict(labels)["view"]: value for (found, labels), value in samples.items()
            if found == name}


def record_elsewhere(settings: Settings) -> None:
    """An event recorded by another application on the same store (another process, as far
    as this one can tell): no view of this app has applied it."""
    workflows = Workflows(env=event_store_env(settings.url))
    try:
        workflows.register_first("ops", "not-a-hash", "运维", None, [], "cli")
    finally:
        workflows.close()


def test_metrics_answer_the_text_format_to_an_admin(api):
    samples = scrape(api)
    assert sample(samples, "appraisal_sign_offs_total", action="self-check") == 0
    assert ("appraisal_event_store_commit_seconds_count", ()) in samples


def test_metrics_are_refused_to_a_member_and_ask_a_stranger_for_a_token(api):
    body = assert_problem(api.get("m1", "/metrics"), 403)
    assert "appraisal_" not in json.dumps(body)
    assert_problem(api.client.get("/metrics"), 401)
    assert_problem(api.client.get("/metrics", headers={"Authorization": "Bearer forged"}), 401)


def test_metrics_answer_an_allowed_address_without_a_token_and_no_other(settings):
    allowing = settings.model_copy(update={"metrics_allow": "10.0.0.0/8, 2001:db8::/32"})
    for client, status in ((("10.1.2.3", 4000), 200), (("2001:db8::7", 4000), 200),
                           (("::ffff:10.9.9.9", 4000), 200), (("192.168.1.2", 4000), 401),
                           (("127.0.0.1", 4000), 401)):  # loopback is not trusted unasked
        with Observer(create_app(allowing), client=client) as test_client:
            response = test_client.get("/metrics")
            assert response.status_code == status, (client, response.text)


def test_a_sign_off_counts_once_for_its_step_and_its_request_by_route_template(api):
    doc = api.open()
    before = scrape(api)
    key = {"Idempotency-Key": "metrics-1"}
    assert act(api, "m1", doc, "self-check", SELF_CHECK, **key).status_code == 200
    assert act(api, "m1", doc, "self-check", SELF_CHECK, **key).status_code == 200  # replay
    after = scrape(api)
    for action in ("self-check", "zone-evaluation"):
        rose = (sample(after, "appraisal_sign_offs_total", action=action)
                - sample(before, "appraisal_sign_offs_total", action=action))
        assert rose == (1 if action == "self-check" else 0), action
    template = "/appraisals/{appraisal_id}/self-check"
    assert sample(after, "appraisal_http_requests_total", method="POST", route=template,
                  status="200") == 2
    assert sample(after, "appraisal_http_request_duration_seconds_count", method="POST",
                  route=template) == 2
    assert sample(after, "appraisal_event_store_commit_seconds_count") > sample(
        before, "appraisal_event_store_commit_seconds_count")
    routes = {dict(labels).get("route") for _, labels in after} - {None}
    assert not any(doc["id"] in route for route in routes), routes  # no id in any label


def other_methods(samples: dict) -> float:
    return sum(value for (name, labels), value in samples.items()
               if name == "appraisal_http_requests_total" and dict(labels)["method"] == "OTHER")


def test_requests_by_unknown_methods_are_counted_together_never_as_series_of_their_own(api):
    before = scrape(api)
    for n in range(20):
        assert api.client.request(f"BREW{n}", "/me").status_code == 405
    after = scrape(api)
    assert not any(dict(labels).get("method", "").startswith("BREW") for _, labels in after)
    assert other_methods(after) - other_methods(before) == 20


def test_projection_lag_is_zero_once_caught_up_and_counts_an_event_not_yet_applied(
        api, settings):
    api.client.app.state.runtime.follower.catch_up()
    caught_up = scrape(api)
    events = by_view(caught_up, "appraisal_projection_lag_events")
    assert events and set(events.values()) == {0}
    assert set(by_view(caught_up, "appraisal_projection_lag_seconds").values()) == {0}
    assert set(by_view(caught_up, "appraisal_projection_failed").values()) == {0}

    record_elsewhere(settings)
    behind = scrape(api)
    assert by_view(behind, "appraisal_projection_lag_events") == dict.fromkeys(events, 1)
    assert all(s > 0 for s in by_view(behind, "appraisal_projection_lag_seconds").values())


def test_the_request_id_given_is_echoed_on_answers_and_problems(api):
    given = {"X-Request-ID": "trace-42.a_b"}
    assert api.get("admin", "/me", headers=given).headers["x-request-id"] == "trace-42.a_b"
    for response in (api.client.get("/me", headers=given),  # 401
                     api.get("admin", "/nowhere", headers=given),  # 404
                     api.post("admin", "/branches", content=b"{oops",
                              headers={**given, "Content-Type": "application/json"}),  # 422
                     api.post("admin", "/branches", content=b"x" * (2 * 1024 * 1024),
                              headers=given)):  # 413, refused before the app
        assert response.status_code >= 400
        assert response.headers["x-request-id"] == "trace-42.a_b"


def test_a_request_id_is_made_when_none_or_a_hostile_one_is_given(api):
    made = api.get("admin", "/me").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    for hostile in ("a b", "x" * 200, "<script>", "id\t2", "", "a,b"):
        answered = api.get("admin", "/me", headers={"X-Request-ID": hostile})
        echoed = answered.headers["x-request-id"]
        assert echoed != hostile and re.fullmatch(r"[0-9a-f]{32}", echoed), hostile
    two = [api.get("admin", "/me").headers["x-request-id"] for _ in range(2)]
    assert two[0] != two[1]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unexpected_failure_answers_with_the_request_id_too(settings):
    app = create_app(settings)

    def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "r-500"})
    assert_problem(response, 500)
    assert response.headers["x-request-id"] == "r-500"


def test_an_access_log_line_is_json_naming_the_request(api, caplog):
    caplog.set_level(logging.INFO, logger="appraisal.access")
    doc = api.open()
    response = api.get("m1", f"/appraisals/{doc['id']}", headers={"X-Request-ID": "log-1"})
    (record,) = [r for r in caplog.records
                 if r.name == "appraisal.access" and getattr(r, "request_id", "") == "log-1"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response.headers["x-request-id"] == "log-1"
    assert line["level"] == "INFO" and line["logger"] == "appraisal.access"
    assert line["method"] == "GET" and line["path"] == "/appraisals/{appraisal_id}"
    assert line["status"] == 200 and line["user"] == "m1"
    assert line["duration_ms"] > 0 and line["time"].endswith("+00:00")
    assert doc["id"] not in line["message"]


def test_a_sign_offs_access_log_line_names_its_signer(api, caplog):
    # Sign-offs run on threads of their own (service.app): the request's context goes too.
    caplog.set_level(logging.INFO, logger="appraisal.access")
    doc = api.open()
    given = {"X-Request-ID": "log-2"}
    assert act(api, "m1", doc, "self-check", SELF_CHECK, **given).status_code == 200
    (record,) = [r for r in caplog.records
                 if r.name == "appraisal.access" and getattr(r, "request_id", "") == "log-2"]
    line = json.loads(JsonFormatter().format(record))
    assert (line["path"], line["status"], line["user"]) == (
        "/appraisals/{appraisal_id}/self-check", 200, "m1")
