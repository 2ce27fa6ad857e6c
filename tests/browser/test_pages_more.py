"""The ranking, organisation and administration pages in a real browser: a filtered ranking,
a re-assignment with its reason, a user registered, a branch's reward policy changed; every
control labelled; screenshots at 360 and 1280 px. (The archivist's PDF
is in test_demo_roles.py, on the demo mine.)"""

import re

from tests.browser.conftest import Site
from tests.browser.test_signing import shoot, sign_in, unlabelled
from tests.helpers import SCORES

LOWER = {**SCORES, "order": 15}  # 90.5


def test_a_reader_filters_the_ranking_by_group(browser, site: Site) -> None:
    site.api.publish("Z1", "2026-05")
    site.api.publish("Z2", "2026-05", scores=LOWER)
    page = sign_in(browser, "m4")
    page.get_by_role("link", name="排名公示").click()
    page.get_by_label("考核期").select_option("2026-05")
    page.get_by_label("党小组").select_option("G1")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(r"group_id=G1"))
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().startswith("1\t综采一队")
    assert "90.5" in rows.nth(1).inner_text() and "王芳" in rows.nth(1).inner_text()
    assert unlabelled(page) == []
    shoot(page, "ranking")


def test_an_administrator_reassigns_a_zone_with_a_reason(browser, site: Site) -> None:
    page = sign_in(browser, "admin", password="admin-password")
    page.get_by_role("link", name="组织管理").click()
    assert page.locator(".gap-row").count() == 0
    assert "陈静 (M5)" in page.locator(".gap").inner_text()  # a member without a zone
    page.get_by_text("调整责任党员: 机电队 (Z3)").click()
    form = page.locator('form[action="/app/organisation/zones/Z3/responsibles"]')
    form.get_by_label("陈静 (M5)").check()
    form.get_by_label("原因（必填）").fill("陈静调入机电队，与李强共同负责。")
    form.get_by_role("button", name="调整责任党员").click()
    assert "已调整责任党员" in page.get_by_role("status").inner_text()
    zone = site.api.get("admin", "/zones/Z3").json()
    assert zone["responsible_member_ids"] == ["M3", "M5"]
    assert unlabelled(page) == []
    shoot(page, "organisation")


def test_an_administrator_registers_a_user_and_a_secretary_sets_the_policy(
        browser, site: Site) -> None:
    admin = sign_in(browser, "admin", password="admin-password")
    admin.get_by_role("link", name="用户管理").click()
    form = admin.locator('form[action="/app/users"]')
    form.get_by_label("用户名").fill("clerk")
    form.get_by_label("初始密码（至少 8 位）").fill("clerk-password")
    form.get_by_label("姓名（显示名）").fill("档案员小刘")
    form.get_by_label("角色 1").select_option("archivist")
    form.get_by_role("button", name="创建用户").click()
    assert "已创建用户: clerk" in admin.get_by_role("status").inner_text()
    assert "档案员小刘" in admin.locator("table").inner_text()
    signed = site.api.client.post("/auth/token",
                                  data={"username": "clerk", "password": "clerk-password"})
    me = site.api.client.get("/me", headers={
        "Authorization": f"Bearer {signed.json()['access_token']}"}).json()
    assert me["roles"] == [{"role": "archivist", "scope": None}]
    assert unlabelled(admin) == []
    shoot(admin, "users")
    for link, name in (("考核表模板", "forms"), ("我的账户", "account")):
        admin.get_by_role("link", name=link).click()
        assert unlabelled(admin) == []
        shoot(admin, name)
    admin.get_by_role("button", name=re.compile("^退出")).click()  # one browser profile
    # Signing out ends every session of the admin's, the API client's too: it signs in again.
    site.api.tokens.pop("admin", None)
    secretary = sign_in(browser, "secretary")
    secretary.get_by_role("link", name="奖惩标准").click()
    secretary.get_by_label("优秀 (元)").fill("300")
    secretary.get_by_role("button", name="保存").click()
    assert "奖惩标准已保存" in secretary.get_by_role("status").inner_text()
    policy = site.api.get("secretary", "/branches/B1/reward-policy").json()
    assert float(policy["excellent"]) == 300
    assert unlabelled(secretary) == []
    shoot(secretary, "policy")
