"""The reminders' rules without I/O: which targets a user may choose (SSRF, header
injection), how a choice is merged and shown back, the backoff, DingTalk's signature and
the digest's text."""

import base64
import hashlib
import hmac
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from domain.errors import InvalidError
from domain.reminders import Channel, check_choice, check_webhook, masked, retry_after
from reports import digest_text
from service.channels import robot_payload, signed_url
from service.settings import Settings

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef-123"
DING = "https://oapi.dingtalk.com/robot/send?access_token=tok123"


@pytest.mark.parametrize("url", [WECOM, "https://QYAPI.weixin.qq.com:443/cgi-bin/x?key=1"])
def test_the_official_host_over_https_is_taken(url: str) -> None:
    assert check_webhook(Channel.WECOM, url, ()) == url


@pytest.mark.parametrize("url", [
    "http://qyapi.weixin.qq.com/x", "https://qyapi.weixin.qq.com.evil.cn/x",
    "https://a@qyapi.weixin.qq.com/x", "https://qyapi.weixin.qq.com@10.0.0.1/x",
    "https://10.0.0.1#@qyapi.weixin.qq.com", "https://qyapi.weixin.qq.com:8443/x",
    "https://qyapi.weixin.qq.com/x y", "https://qyapi.weixin.qq.com/\u00e9",
    "https://10.0.0.1\\@qyapi.weixin.qq.com/", "ftp://qyapi.weixin.qq.com/x",
    "//qyapi.weixin.qq.com/x", DING, WECOM + "x" * 500])
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(InvalidError):
        check_webhook(Channel.WECOM, url, ())


def test_an_origin_the_operator_allows_is_taken_exactly() -> None:
    allowed = {"http://127.0.0.1:8080"}
    assert check_webhook(Channel.DINGTALK, "http://127.0.0.1:8080/send", allowed)
    with pytest.raises(InvalidError):
        check_webhook(Channel.DINGTALK, "http://127.0.0.1:8081/send", allowed)


def test_a_choice_keeps_targets_left_out_and_removes_empty_ones() -> None:
    first = check_choice({"channels": ["wecom", "email"], "email": "a@b.cn", "wecom_url": WECOM},
                         None, ())
    assert first["channels"] == ["email", "wecom"]  # in the channels' order
    second = check_choice({"channels": ["wecom"], "email": ""}, first, ())
    assert second == {**first, "channels": ["wecom"], "email": None}
    with pytest.raises(InvalidError):  # the e-mail's channel without an address
        check_choice({"channels": ["email"]}, second, ())


@pytest.mark.parametrize("address", ["a@b.cn\r\nBcc: c@d.cn", "a@b.cn, c@d.cn", "<a@b.cn>",
                                     "a b@c.cn", "a@", "张@b.cn", "a@b.cn\n"])
def test_an_address_is_plain_or_refused(address: str) -> None:
    with pytest.raises(InvalidError):
        check_choice({"channels": ["email"], "email": address}, None, ())


def test_keys_and_secrets_are_shown_cut_short() -> None:
    shown = masked({"channels": ["dingtalk"], "email": None, "wecom_url": WECOM,
                    "dingtalk_url": DING, "dingtalk_secret": "SECabcdef"})
    assert shown["wecom_url"] == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd…"
    assert shown["dingtalk_url"].endswith("access_token=tok1…")
    assert shown["dingtalk_secret"] == "SEC…"


def test_failed_deliveries_back_off_then_are_given_up() -> None:
    assert [retry_after(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=5),
                                                   timedelta(minutes=30)]
    assert retry_after(4) is None


def test_dingtalks_signature_is_the_documented_one() -> None:
    url = signed_url(DING, "SECsecret", now_ms=1_700_000_000_000)
    query = parse_qs(urlsplit(url).query)
    mac = hmac.new(b"SECsecret", b"1700000000000\nSECsecret", hashlib.sha256).digest()
    assert query == {"access_token": ["tok123"], "timestamp": ["1700000000000"],
                     "sign": [base64.b64encode(mac).decode()]}
    assert signed_url(DING, None) == DING


def test_each_robot_gets_its_own_markdown_message() -> None:
    assert robot_payload(Channel.WECOM, "t", "x") == {"msgtype": "markdown",
                                                      "markdown": {"content": "x"}}
    assert robot_payload(Channel.DINGTALK, "t", "x") == {
        "msgtype": "markdown", "markdown": {"title": "t", "text": "x"}}


def test_a_long_digest_fits_a_robots_message_and_counts_the_rest() -> None:
    lines = [digest_text.Line("2026-10", f"Z{i}", "综采一队" * 5, "branch_approval",
                              date(2026, 11, 12), "overdue") for i in range(1000)]
    counts = {"total": 1000, "overdue": 1000, "due": 0, "pending": 0}
    _, text = digest_text.markdown("书记", date(2026, 11, 13), counts, lines)
    assert len(text.encode()) <= digest_text.ROBOT_BYTES
    assert "另有 985 项" in text and "[逾期]" in text
    mail = digest_text.email_text("书记", date(2026, 11, 13), counts, lines)
    assert mail.count("[逾期]") == digest_text.EMAIL_ITEMS and "另有 800 项" in mail


def test_a_digest_links_to_the_inbox_where_the_public_address_is_known() -> None:
    lines = [digest_text.Line("2026-10", "Z1", "综采一队", "group_review", date(2026, 11, 10),
                              "overdue", "组长")]
    counts = {"total": 1, "overdue": 1, "due": 0, "pending": 0}
    inbox = Settings(public_url="https://zones.example.cn/").inbox_url
    assert inbox == "https://zones.example.cn/app/inbox"
    _, text = digest_text.markdown("代签人", date(2026, 11, 13), counts, lines, inbox)
    assert text.endswith("[到“我的待办”办理](https://zones.example.cn/app/inbox)")
    assert "代组长签" in text
    mail = digest_text.email_text("代签人", date(2026, 11, 13), counts, lines, inbox)
    assert "在“我的待办”中办理：https://zones.example.cn/app/inbox" in mail
    assert Settings().inbox_url is None
    assert "https://" not in digest_text.email_text("代签人", date(2026, 11, 13), counts, lines)
    for bad in ("zones.example.cn", "ftp://zones.example.cn", "https://zones example.cn"):
        with pytest.raises(ValidationError):
            Settings(public_url=bad)
