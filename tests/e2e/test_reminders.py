"""Reminders that arrive, on both backends: the channels chosen through the API (a User
event, webhook keys never shown back in full), the digests sent to a real SMTP server and to
a real HTTP server in the robots' formats (企业微信 markdown; 钉钉 markdown, signed), every
delivery recorded, a re-run sending nothing twice, a failing robot tried again after its
backoff and sent once, then given up after the last try; the administrators' list, the
metric and `appraisal remind`'s exit status."""

import base64
import hashlib
import hmac
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from domain.users import User
from service.cases.reminders import remind
from service.cli import app as cli
from service.settings import Settings
from store.reminders import Key
from tests.e2e.pages import Pages
from tests.e2e.receivers import Mailbox, Robots, mailbox, robots
from tests.e2e.support import act, advance, assert_problem
from tests.helpers import SCORES, Api

DAY = date(2026, 11, 6)
WECOM_PATH = "/cgi-bin/webhook/send?key=0f2c6a4e-1111-2222-3333-444455556666"
SECRET = "SEC0123456789abcdef"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    yield from mailbox()


@pytest.fixture
def robot() -> Iterator[Robots]:
    yield from robots()


@pytest.fixture
def settings(settings: Settings, smtp: Mailbox, robot: Robots) -> Settings:
    """The small mine's copy, with the local SMTP server and the robots' origin allowed."""
    return settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_from": "kaohe@example.cn",
        "webhook_origins": robot.origin, "remind_timeout_seconds": 5})


def choose(api: Api, user: str, body: dict[str, Any], as_user: str | None = None) -> Any:
    return api.put(as_user or user, f"/users/{user}/reminders", json=body)


@pytest.fixture
def chosen(api: Api, robot: Robots) -> dict[str, Any]:
    """m1 by e-mail, the evaluator by 企业微信, the leader by 钉钉 (signed); one appraisal
    waiting for each of them."""
    choose(api, "m1", {"channels": ["email"], "email": "zhangwei@example.cn"}
           ).raise_for_status()
    choose(api, "evaluator", {"channels": ["wecom"],
                              "wecom_url": robot.origin + WECOM_PATH}).raise_for_status()
    choose(api, "leader", {"channels": ["dingtalk"], "dingtalk_secret": SECRET,
                           "dingtalk_url": robot.origin + "/robot/send?access_token=abc123"}
           ).raise_for_status()
    api.open("Z1")
    act(api, "m2", api.open("Z2"), "self-check", {"scores": SCORES}).raise_for_status()
    advance(api, api.open("Z1", "2026-09"), "group_review")
    return {}


def runtime(api: Api) -> Any:
    return api.client.app.state.runtime


def test_a_user_chooses_channels_recorded_as_an_event_keys_never_shown(api: Api,
                                                                        robot: Robots) -> None:
    url = robot.origin + WECOM_PATH
    response = choose(api, "m1", {"channels": ["email", "wecom"], "email": "a@example.cn",
                                  "wecom_url": url})
    assert response.status_code == 200, response.text
    shown = response.json()
    assert shown["channels"] == ["email", "wecom"] and shown["email"] == "a@example.cn"
    assert shown["wecom_url"] == robot.origin + "/cgi-bin/webhook/send?key=0f2c…"
    assert "0f2c6a4e-1111" not in api.get("m1", "/users/m1/reminders").text
    # Targets left out are kept; the channels alone change.
    assert choose(api, "m1", {"channels": ["email"]}).json()["wecom_url"] is not None
    history = list(runtime(api).workflows.events.get(User.create_id("m1")))
    assert [type(e).__name__ for e in history].count("RemindersChosen") == 2


def test_only_the_user_or_an_administrator_chooses(api: Api) -> None:
    body = {"channels": ["email"], "email": "x@example.cn"}
    assert_problem(choose(api, "m1", body, as_user="m2"), 403)
    assert_problem(api.get("m2", "/users/m1/reminders"), 403)
    assert choose(api, "m1", body, as_user="admin").status_code == 200
    assert_problem(choose(api, "nobody", body, as_user="admin"), 404)


@pytest.mark.parametrize("field,value", [
    ("wecom_url", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),  # not https
    ("wecom_url", "https://evil.example/cgi-bin/webhook/send?key=k"),
    ("wecom_url", "https://qyapi.weixin.qq.com@evil.example/send"),  # userinfo trick
    ("wecom_url", "https://qyapi.weixin.qq.com.evil.example/send"),
    ("wecom_url", "https://evil.example#@qyapi.weixin.qq.com/"),
    ("wecom_url", "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send"),
    ("dingtalk_url", "https://qyapi.weixin.qq.com/robot/send"),  # the other robot's host
    ("dingtalk_url", "https://127.0.0.1/robot/send"),
    ("email", "a@example.cn\r\nBcc: victim@example.cn"),
    ("email", "Name <a@example.cn>"),
])
def test_targets_outside_the_rules_are_refused_and_nothing_recorded(api: Api, field: str,
                                                                    value: str) -> None:
    channel = {"wecom_url": "wecom", "dingtalk_url": "dingtalk", "email": "email"}[field]
    before = runtime(api).workflows.recorder.max_notification_id()
    assert_problem(choose(api, "m1", {"channels": [channel], field: value}), 422)
    assert runtime(api).workflows.recorder.max_notification_id() == before


def test_digests_arrive_by_email_and_by_both_robots(api: Api, chosen: dict, smtp: Mailbox,
                                                    robot: Robots) -> None:
    summary = remind(runtime(api), DAY)
    assert (summary.sent, summary.failed, summary.gave_up) == (3, 0, 0)
    ((sender, to, message),) = smtp.received
    assert (sender, to) == ("kaohe@example.cn", ["zhangwei@example.cn"])
    assert message["Subject"] == "【待办提醒】2026-11-06 您有 1 项考核待办，其中逾期 1 项"
    assert "综采一队（Z1）· 自查 · 截止 2026-11-05" in message.get_content()
    by_path = {path: (query, body) for path, query, body in robot.posts}
    query, wecom = by_path["/cgi-bin/webhook/send"]
    assert query == {"key": ["0f2c6a4e-1111-2222-3333-444455556666"]}
    assert list(wecom) == ["msgtype", "markdown"] and wecom["msgtype"] == "markdown"
    assert list(wecom["markdown"]) == ["content"]
    assert "评价员" in wecom["markdown"]["content"]
    assert "掘进二队（Z2）· 责任区评价" in wecom["markdown"]["content"]
    query, dingtalk = by_path["/robot/send"]
    assert dingtalk["msgtype"] == "markdown"
    assert dingtalk["markdown"]["title"] == "待办提醒 2026-11-06"
    assert "2026-09 综采一队（Z1）· 党小组长考核" in dingtalk["markdown"]["text"]
    stamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected] and query["access_token"] == ["abc123"]
    listed = api.get("admin", "/reminders", params={"day": DAY.isoformat()}).json()
    assert listed["counts"]["sent"] == 3
    assert {(r["username"], r["channel"], r["status"], r["attempts"], r["items"])
            for r in listed["items"]} == {("m1", "email", "sent", 1, 1),
                                          ("evaluator", "wecom", "sent", 1, 1),
                                          ("leader", "dingtalk", "sent", 1, 1)}


def test_a_re_run_sends_nothing_twice(api: Api, chosen: dict, smtp: Mailbox,
                                      robot: Robots) -> None:
    remind(runtime(api), DAY)
    again = remind(runtime(api), DAY)
    assert (again.sent, again.already) == (0, 3)
    assert len(smtp.received) == 1 and len(robot.posts) == 2
    # A new day is a new digest.
    assert remind(runtime(api), DAY + timedelta(days=1)).sent == 3


def test_a_failing_robot_is_retried_after_its_backoff_and_sent_once(
        api: Api, chosen: dict, robot: Robots) -> None:
    robot.script = [(500, {"error": "busy"}), (200, {"errcode": 93000, "errmsg": "invalid"}),
                    (502, {})]
    start = datetime.now(UTC)
    first = remind(runtime(api), DAY, now=start)
    assert (first.sent, first.failed) == (1, 2)  # the e-mail went; both robots failed
    assert remind(runtime(api), DAY, now=start + timedelta(seconds=30)).already == 3
    second = remind(runtime(api), DAY, now=start + timedelta(seconds=61))
    assert (second.sent, second.failed) == (1, 1)  # one try each: one failed again
    third = remind(runtime(api), DAY, now=start + timedelta(minutes=7))
    assert third.sent == 1
    assert len(robot.posts) == 5  # 2 failed, 1 failed and 2 taken: each robot took it once
    rows = api.get("admin", "/reminders", params={"day": DAY.isoformat()}).json()["items"]
    robots_rows = {r["channel"]: (r["status"], r["attempts"]) for r in rows
                   if r["channel"] != "email"}
    assert sorted(robots_rows.values()) == [("sent", 2), ("sent", 3)]
    assert remind(runtime(api), DAY, now=start + timedelta(hours=2)).sent == 0


def test_a_robot_that_keeps_failing_is_given_up_after_the_last_try(
        api: Api, chosen: dict, robot: Robots) -> None:
    robot.script = [(200, {"errcode": 310000, "errmsg": "sign not match"})] * 8
    start = datetime.now(UTC)
    outcomes = [remind(runtime(api), DAY, now=start + timedelta(minutes=m))
                for m in (0, 1.5, 7, 40, 80)]
    assert [(o.failed, o.gave_up) for o in outcomes] == [(2, 0), (2, 0), (2, 0), (0, 2),
                                                         (0, 0)]
    rows = api.get("admin", "/reminders", params={"day": DAY.isoformat()}).json()["items"]
    given_up = [r for r in rows if r["status"] == "gave_up"]
    assert len(given_up) == 2 and all(r["attempts"] == 4 for r in given_up)
    assert "310000" in given_up[0]["error"]


def test_a_dry_run_sends_and_records_nothing(api: Api, chosen: dict, smtp: Mailbox) -> None:
    summary = remind(runtime(api), DAY, dry_run=True)
    assert sorted(summary.planned) == [("evaluator", "wecom"), ("leader", "dingtalk"),
                                       ("m1", "email")]
    assert smtp.received == []
    assert api.get("admin", "/reminders", params={"day": DAY.isoformat()}).json()["items"] == []


def test_the_record_is_for_administrators_and_counted_in_the_metrics(
        api: Api, chosen: dict) -> None:
    assert_problem(api.get("m1", "/reminders"), 403)
    assert_problem(api.get("admin", "/reminders", params={"day": "2026-13-01"}), 422)
    remind(runtime(api))  # today's
    metrics = api.get("admin", "/metrics").text
    assert 'appraisal_reminder_deliveries{status="sent"} 3.0' in metrics


def test_the_command_says_what_it_did_and_exits_1_on_a_failure(
        api: Api, chosen: dict, settings: Settings, robot: Robots) -> None:
    env = {"APPRAISAL_DATABASE_URL": settings.database_url,
           "APPRAISAL_SECRET_KEY": settings.secret_key or "",
           "APPRAISAL_SMTP_HOST": "127.0.0.1", "APPRAISAL_SMTP_PORT": str(settings.smtp_port),
           "APPRAISAL_WEBHOOK_ORIGINS": robot.origin}
    bad = CliRunner().invoke(cli, ["remind", "--day", "2026-11-31"], env=env)
    assert bad.exit_code == 2
    robot.script = [(500, {})]
    ran = CliRunner().invoke(cli, ["remind", "--day", DAY.isoformat()], env=env)
    assert ran.exit_code == 1, ran.output
    assert "sent 2, failed 1 (to retry)" in ran.output


def test_a_user_chooses_channels_on_their_account_page(api: Api, robot: Robots) -> None:
    pages = Pages(api).as_user("m1")
    page = pages.get("/app/account").text
    assert "待办提醒" in page and 'name="channel" value="wecom"' in page
    url = robot.origin + WECOM_PATH
    answer = pages.post("/app/account/reminders", {
        "channel": ["email", "wecom"], "email": "zhangwei@example.cn", "wecom_url": url},
        form_page="/app/account")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/app/account?reminded=1"
    shown = pages.get("/app/account?reminded=1").text
    assert "提醒方式已保存" in shown and 'value="zhangwei@example.cn"' in shown
    assert "key=0f2c…" in shown and "0f2c6a4e-1111" not in shown
    # Left empty, the saved webhook is kept; the API says the same as the page.
    pages.post("/app/account/reminders", {"channel": ["wecom"], "email": ""},
               form_page="/app/account")
    choice = api.get("m1", "/users/m1/reminders").json()
    assert choice["channels"] == ["wecom"] and choice["email"] is None
    assert choice["wecom_url"].endswith("key=0f2c…")


def test_a_refused_target_comes_back_on_the_page_with_nothing_recorded(api: Api) -> None:
    pages = Pages(api).as_user("m1")
    before = pages.recorded()
    answer = pages.post("/app/account/reminders", {
        "channel": ["wecom"], "wecom_url": "https://evil.example/send?key=k"},
        form_page="/app/account")
    assert answer.status_code == 422
    assert "只能是企业微信或钉钉的官方地址" in answer.text
    assert "evil.example" not in answer.text  # a webhook's key is not echoed
    assert pages.recorded() == before


def test_administrators_read_the_days_deliveries_on_a_page(api: Api, chosen: dict) -> None:
    remind(runtime(api), DAY)
    page = Pages(api).as_user("admin").get(f"/app/reminders?day={DAY.isoformat()}")
    assert page.status_code == 200
    assert "提醒记录" in page.text and "企业微信" in page.text and "已发送 3" in page.text
    assert Pages(api).as_user("m1").get("/app/reminders").status_code == 403


def test_a_run_that_died_between_sending_and_recording_never_sends_again(
        api: Api, chosen: dict, smtp: Mailbox) -> None:
    # What a run leaves when it dies after its claim (and perhaps its sending): `sending`.
    runtime(api).deliveries.claim(Key("m1", DAY.isoformat(), "email"), 1, "0" * 64,
                                  datetime.now(UTC))
    summary = remind(runtime(api), DAY, now=datetime.now(UTC) + timedelta(hours=3))
    assert (summary.sent, summary.already) == (2, 1)
    assert smtp.received == []  # at most once: the e-mail may have gone, it is not resent
    rows = api.get("admin", "/reminders", params={"day": DAY.isoformat()}).json()["items"]
    assert [(r["username"], r["status"]) for r in rows if r["channel"] == "email"] == [
        ("m1", "sending")]


def test_two_runs_at_once_send_each_digest_once(api: Api, chosen: dict, smtp: Mailbox,
                                                robot: Robots) -> None:
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: remind(runtime(api), DAY), range(2)))
    assert sum(r.sent for r in runs) == 3 and sum(r.already for r in runs) == 3
    assert len(smtp.received) == 1 and len(robot.posts) == 2
