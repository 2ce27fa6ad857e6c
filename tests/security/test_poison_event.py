"""Issue 14, "read models can't be poisoned": an event a read model cannot take, written
straight into the store (on SQLite and PostgreSQL), fails that view alone.

The crafted events are the domain's own event classes with data the workflow never records,
encoded by the application's mapper and inserted by its recorder, as an older version, a bug
or an operator's hand could have left them. The view marked failed stays where it stopped;
writes, start-up and the other views go on; its reads answer 503 naming it; `/health` and
`appraisal projections check` report it; a rebuild repairs it once the cause is gone.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from typer.testing import CliRunner

from service.app import create_app
from service.cli import app as cli_app
from service.settings import Settings
from store.engines import engines, event_store_env
from tests.e2e.pages import Pages
from tests.helpers import SCORES, Api, Observer
from workflows.application import Workflows

PERIOD = "2026-10"


def craft(api: Api, settings: Settings, appraisal_id: str, reward: str) -> int:
    """Write a branch approval of `reward` for the appraisal straight into the store, by
    another application on it (no workflow, no check), as its last event; its position in
    the log, which the test's client then echoes (it reads after that event)."""
    workflows = Workflows(env=event_store_env(settings.url))
    try:
        appraisal = workflows.repository.get(UUID(appraisal_id))
        appraisal.approve(comment="", reward=reward, state="published", actor="secretary",
                          role="branch_secretary", timestamp=datetime.now(UTC))
        stored = [workflows.mapper.to_stored_event(e) for e in appraisal.collect_events()]
        workflows.recorder.insert_events(stored)
        position = workflows.recorder.max_notification_id() or 0
        api.client.seen = max(api.client.seen, position)  # type: ignore[attr-defined]
        return position
    finally:
        workflows.close()


def remove(settings: Settings, appraisal_id: str) -> None:
    """What an operator does about the crafted event: delete its row (the appraisal's last)
    from the events table."""
    workflows = Workflows(env=event_store_env(settings.url))
    table = workflows.recorder.events_table_name  # type: ignore[attr-defined]
    workflows.close()
    stream = UUID(appraisal_id).hex if settings.is_sqlite else appraisal_id  # as each stores it
    db = engines(settings.url)
    try:
        with db.writer.begin() as conn:
            last = text(f"SELECT max(originator_version) FROM {table} "
                        "WHERE originator_id = :id")
            version = conn.execute(last, {"id": stream}).scalar_one()
            conn.execute(text(f"DELETE FROM {table} WHERE originator_id = :id "
                              "AND originator_version = :version"),
                         {"id": stream, "version": version})
    finally:
        db.dispose()


def projections(settings: Settings, *args: str) -> Any:
    env = {"APPRAISAL_DATABASE_URL": settings.database_url,
           "APPRAISAL_SECRET_KEY": settings.secret_key}
    return CliRunner().invoke(cli_app, ["projections", *args], env=env)


def reviewed(api: Api, zone_id: str = "Z1") -> str:
    """A B1/G1 zone's appraisal signed up to its group review (scored 93.5): its id."""
    doc = api.open(zone_id, PERIOD)
    member = {"Z1": "m1", "Z2": "m2"}[zone_id]
    for user, action in ((member, "self-check"), ("evaluator", "zone-evaluation"),
                         ("leader", "group-review")):
        response = api.post(user, f"/appraisals/{doc['id']}/{action}",
                            json={"scores": SCORES, "comment": "意见"})
        assert response.status_code == 200, response.text
    return str(doc["id"])


def assert_view_failed(response: Any, view: str, position: int) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["status"], body["view"], body["position"]) == (
        "/problems/view-failed", 503, view, position)
    assert f"'{view}' failed on event {position}" in body["detail"]


def assert_the_other_views_current(api: Api) -> None:
    """Writes work, and the views that did not fail show them: an appraisal of another
    branch's zone is opened and signed, and the index, the inbox and the directory answer."""
    doc = api.open("Z4", PERIOD)
    signed = api.post("m4", f"/appraisals/{doc['id']}/self-check",
                      json={"scores": SCORES, "comment": "自查"})
    assert signed.status_code == 200, signed.text
    listed = api.get("admin", "/appraisals", params={"zone_id": "Z4", "period": PERIOD})
    assert listed.status_code == 200, listed.text
    assert [(d["id"], d["state"]) for d in listed.json()["items"]] == [
        (doc["id"], "zone_evaluation")]
    assert api.get("secretary2", "/inbox").status_code == 200
    zones = api.get("admin", "/zones")
    assert zones.status_code == 200 and len(zones.json()["items"]) == 4
    assert api.get("admin", "/coverage").status_code == 200
    assert api.get("archivist", "/archives/2026").status_code == 200


def test_a_poison_event_fails_its_view_alone_until_a_rebuild_after_the_cause_is_gone(
        api: Api, settings: Settings) -> None:
    appraisal_id = reviewed(api)
    # A fraction of a fen: no policy names one, and the ranking will not round it.
    position = craft(api, settings, appraisal_id, "0.005")

    ranking = api.get("inspector", f"/rankings/{PERIOD}")
    assert_view_failed(ranking, "ranking", position)
    page = Pages(api).as_user("inspector").get(f"/app/rankings?period={PERIOD}")
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    assert "暂时无法显示" in page.text and "ranking" in page.text
    assert_the_other_views_current(api)
    assert_view_failed(api.get("inspector", f"/rankings/{PERIOD}"), "ranking", position)

    health = api.client.get("/health")
    assert health.status_code == 200
    failed = health.json()["views"]
    assert health.json()["status"] == "ok" and set(failed) == {"ranking"}
    assert (failed["ranking"]["status"], failed["ranking"]["position"]) == ("failed", position)
    # The kind of error only: anyone may read /health, and the text quotes the event's data.
    assert failed["ranking"]["error"] == "ValueError" and "0.005" not in health.text

    # A new process starts, and answers as the first one does.
    with Observer(create_app(settings)) as restarted:
        again = Api(restarted, tokens=api.tokens)
        assert_view_failed(again.get("m1", f"/rankings/{PERIOD}"), "ranking", position)
        assert again.get("m1", "/zones").status_code == 200

    checked = projections(settings, "check")
    assert checked.exit_code == 1, checked.output
    assert f"ranking failed at event {position}: ValueError" in checked.output
    assert "1 failed on an event: ranking" in checked.output

    # The cause still there: a rebuild (here in two parts) marks it failed at the same event.
    rebuilt = projections(settings, "rebuild", "--view", "ranking", "--workers", "2")
    assert rebuilt.exit_code == 1, rebuilt.output
    assert f"ranking failed at event {position}" in rebuilt.output
    assert_view_failed(api.get("inspector", f"/rankings/{PERIOD}"), "ranking", position)
    assert api.client.get("/health").json()["views"]["ranking"]["position"] == position

    # The operator removes the event; a rebuild of every view clears the failure.
    remove(settings, appraisal_id)
    rebuilt = projections(settings, "rebuild", "--workers", "1")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert api.client.get("/health").json() == {"status": "ok"}
    ranking = api.get("inspector", f"/rankings/{PERIOD}")
    assert ranking.status_code == 200, ranking.text
    assert ranking.json()["entries"] == [] and ranking.json()["unpublished"] == 2
    checked = projections(settings, "check")
    assert checked.exit_code == 0, checked.output


def test_a_reward_too_large_for_an_integer_of_fen_is_ranked_exactly(
        api: Api, settings: Settings) -> None:
    # 1e17 yuan was accepted as a policy before amounts were bounded: 1e19 fen overflowed
    # the ranking's integer column and stopped every read of the service.
    appraisal_id = reviewed(api)
    craft(api, settings, appraisal_id, "1E+17")
    ranking = api.get("inspector", f"/rankings/{PERIOD}")
    assert ranking.status_code == 200, ranking.text
    assert [(e["zone_id"], e["reward"]) for e in ranking.json()["entries"]] == [
        ("Z1", 10**17)]
    assert api.client.get("/health").json() == {"status": "ok"}
    assert api.get("admin", "/zones").status_code == 200
    with Observer(create_app(settings)) as restarted:
        assert Api(restarted, tokens=api.tokens).get(
            "m1", f"/rankings/{PERIOD}").json()["entries"][0]["reward"] == 10**17


def test_a_view_failed_on_one_event_takes_the_events_before_it(
        api: Api, settings: Settings) -> None:
    first = reviewed(api, "Z1")
    second = reviewed(api, "Z2")
    craft(api, settings, second, "200")  # published before the poison, in the same batch
    position = craft(api, settings, first, "1E+40")  # more digits than a reward can have
    assert_view_failed(api.get("inspector", f"/rankings/{PERIOD}"), "ranking", position)
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.engines.reader.connect() as conn:
        stood = conn.execute(text("SELECT position FROM projection_positions "
                                  "WHERE name = 'ranking'")).scalar_one()
        rewards = dict(conn.execute(text("SELECT zone_id, reward FROM ranking_entries"))
                       .tuples().all())
    assert stood == position - 1 and rewards == {"Z1": None, "Z2": "200"}


def test_a_ranking_made_by_an_older_version_starts_over_at_start_up(
        api: Api, settings: Settings) -> None:
    # The store of a version that kept rewards in integer fen: its table lacks the column.
    craft(api, settings, reviewed(api), "200")
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    runtime.follower.catch_up()
    with runtime.engines.writer.begin() as conn:
        conn.execute(text("ALTER TABLE ranking_entries DROP COLUMN reward"))
        conn.execute(text("ALTER TABLE ranking_entries ADD COLUMN reward_cents BIGINT"))
    with Observer(create_app(settings)) as restarted:
        # The start waits for nothing: the client's echo makes the read wait for the worker.
        restarted.seen = api.client.seen  # type: ignore[attr-defined]
        ranking = Api(restarted, tokens=api.tokens).get("m1", f"/rankings/{PERIOD}")
        assert ranking.status_code == 200, ranking.text
        assert [(e["zone_id"], e["reward"]) for e in ranking.json()["entries"]] == [("Z1", 200)]
