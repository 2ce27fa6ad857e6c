"""The pages work under their content security policy (service/headers.py) in a real browser:
the browser refuses nothing on the pages that run a script or draw a chart, the appraisal
form's live total (the one script) still counts, and the ranking's bars still have lengths."""

import re

from tests.browser.conftest import Site
from tests.browser.test_signing import fill_scores, open_from_inbox, sign_in
from tests.helpers import SCORES


def refusals(context) -> list[str]:
    """What the browser says it refused under the policy, as it happens, on every page."""
    refused: list[str] = []
    context.on("console", lambda message: refused.append(message.text)
               if "Content Security Policy" in message.text else None)
    return refused


def test_the_appraisal_forms_live_total_runs_under_the_policy(browser, site: Site) -> None:
    refused = refusals(browser)
    opened = site.api.open("Z2", "2025-04")
    member = sign_in(browser, "m2")
    open_from_inbox(member, "掘进二队")
    assert "frame-ancestors 'none'" in member.evaluate(
        "() => fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    fill_scores(member, "self-check", SCORES)
    assert member.locator("[data-total]").inner_text() == "93.5"
    assert member.locator("[data-grade]").inner_text() == "优秀"
    assert refused == []
    # Out of m2's inbox again: the site is shared, and other tests open Z2 from that inbox.
    site.api.post("m2", f"/appraisals/{opened['id']}/self-check", json={"scores": SCORES})


def test_the_rankings_bars_are_drawn_under_the_policy(browser, site: Site) -> None:
    refused = refusals(browser)
    site.api.publish("Z1", "2025-05")
    secretary = sign_in(browser, "secretary")
    secretary.goto("/app/rankings?period=2025-05")
    bar = secretary.locator("svg.bar-track rect.grade-excellent")
    track = secretary.locator("svg.bar-track").first.bounding_box()
    assert bar.get_attribute("width") == "100%"
    assert bar.bounding_box()["width"] == track["width"] > 0
    assert re.match(r"rgb\(26, 107, 50\)", bar.evaluate("e => getComputedStyle(e).fill"))
    assert refused == []
