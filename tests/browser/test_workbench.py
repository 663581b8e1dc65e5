"""A mediator does the whole job in the workbench, in headless Chromium, on the platform as `make run`
serves it: from the offer to the settlement (the clerk's API then shows the case settled and handed
off to the court), and a decline that takes the case off the list. Every page passes the
accessibility and phone-width checks; screenshots at 1280 and 390 px go to var/screenshots/."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from playwright.async_api import Page, expect

from shared.clock import BEIJING, SystemClock
from tests.browser.checks import audit, every_check
from tests.browser.conftest import SCREENSHOTS, Live
from tests.support.cases import case_body

CLERK = {"court_code": "370202"}
NEW_PASSWORD = "调解工作台-2026-安全"


async def _file(live: Live, ref: str, **changes) -> str:
    """The clerk files a property-service case the parties want mediated at P24; answers its id."""
    p = live.platform
    body = case_body(**{"external_ref": ref, "preferred_partner_id": "P24", **changes})
    answer = await p.client.post("/v1/cases", json=body, headers={**p.auth("clerk", **CLERK), "Idempotency-Key": ref})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def _clerk_view(live: Live, case_id: str) -> dict:
    p = live.platform
    return (await p.client.get(f"/v1/cases/{case_id}", headers=p.auth("clerk", **CLERK))).json()


async def _until(live: Live, case_id: str, done, timeout: float = 60.0) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        view = await _clerk_view(live, case_id)
        if done(view) or loop.time() > deadline:
            return view
        await asyncio.sleep(0.2)


async def _shots(page: Page, name: str) -> None:
    """The page at laptop and at phone width, whole."""
    size = page.viewport_size
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    await page.set_viewport_size(size)


async def _sign_in_first_time(page: Page, live: Live, mediator_id: str) -> None:
    await page.goto(f"{live.base}/ui/")
    await every_check(page, "sign-in page")
    await page.get_by_label("调解员编号").fill(mediator_id)
    await page.get_by_label("密码").fill("mediator-demo")
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("设置您自己的密码")
    await every_check(page, "password page")
    await page.get_by_label("当前密码（初始密码）").fill("mediator-demo")
    await page.get_by_label("新密码（至少10个字符）").fill("short")
    await page.get_by_label("再次输入新密码").fill("short")
    await page.get_by_role("button", name="保存新密码").click()
    await expect(page.locator("#password-new_password-error")).to_contain_text("至少10个字符")
    await every_check(page, "password page with an error")
    await page.get_by_label("当前密码（初始密码）").fill("mediator-demo")
    await page.get_by_label("新密码（至少10个字符）").fill(NEW_PASSWORD)
    await page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="保存新密码").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("今日待办")


async def _confirm(page: Page, title: str) -> None:
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await every_check(page, f"confirmation: {title}")
    await page.get_by_role("button", name="确认提交").click()


async def test_a_mediator_takes_a_case_from_offer_to_settlement(live: Live, browser):
    case_id = await _file(live, "BROWSER-SETTLE")
    await _until(live, case_id, lambda v: v["status"] == "routed" and v.get("partner_id") == "P24")
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                        timezone_id="Asia/Shanghai")
    page = await context.new_page()
    await _sign_in_first_time(page, live, "P24-M01")

    # today: the offer to answer, with how long is left
    await expect(page.locator("section", has=page.get_by_role("heading", name="待答复的分派（3个工作日内答复，2021年规则第12条）"))
                 .get_by_role("link")).to_contain_text("剩")
    await every_check(page, "today")
    await _shots(page, "today")
    await page.get_by_role("link", name="全部案件").click()
    await page.get_by_label("按案号或当事人姓名查找").fill("张三")
    await page.get_by_role("button", name="查找").click()
    await every_check(page, "case list")
    await page.locator(f'a[href="/ui/cases/{case_id}"]').first.click()

    # the offer: what a partner decides on, id numbers masked until it accepts
    await expect(page.get_by_text("物业费纠纷")).to_be_visible()
    await expect(page.get_by_text("12,500.00元")).to_be_visible()
    await expect(page.get_by_text("市南区人民法院")).to_be_visible()
    assert "370202198001011232" not in await page.content()
    await every_check(page, "case page (offer)")
    await _shots(page, "case-offer")
    await page.get_by_role("button", name="接受本案").click()
    await _confirm(page, "确认接受本案")
    await expect(page.get_by_role("status")).to_contain_text("已接受本案")
    assert "370202198001011232" in await page.content()

    # assign: the mediator with a conflict is not offered (no conflicts at P24: both offered)
    await page.get_by_label("调解员", exact=True).select_option("P24-M01")
    await page.get_by_role("button", name="指派").click()
    await expect(page.get_by_role("status")).to_contain_text("已指派调解员")
    await expect(page.get_by_text("13800000000").first).to_be_visible()  # the assigned mediator sees the phone

    # first contact (2021 Art 15)
    await page.get_by_label("联系的当事人").select_option(label="申请人 张三 · 13800000000")
    await page.get_by_label("联系方式").select_option(label="电话")
    await page.get_by_role("button", name="保存联系记录").click()
    await expect(page.get_by_role("status")).to_contain_text("已记录联系")

    # a session tomorrow at 10:00 Beijing time
    tomorrow = (SystemClock().now().astimezone(BEIJING) + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    await page.get_by_label("调解时间（北京时间）").fill(tomorrow)
    await page.get_by_role("button", name="安排调解").click()
    await expect(page.locator("#session-location-error")).to_contain_text("请填写调解地点")  # kept, in Chinese
    await expect(page.get_by_label("调解时间（北京时间）")).to_have_value(tomorrow)
    await every_check(page, "case page with a refused session")
    await page.get_by_label("调解地点").fill("市南区人民调解中心第二调解室")
    await page.get_by_role("button", name="安排调解").click()
    await expect(page.get_by_role("status")).to_contain_text("已安排调解")

    # appraisal: pause, then resume (2021 Art 26)
    await page.get_by_label("鉴定评估事项（可不填）").fill("房屋渗漏原因鉴定")
    await page.get_by_role("button", name="暂停期限").click()
    await expect(page.get_by_text("鉴定评估中，期限暂停")).to_be_visible()
    await every_check(page, "case page (paused)")
    await page.get_by_role("button", name="恢复期限").click()
    await expect(page.get_by_role("status")).to_contain_text("期限已恢复")

    # extension: each party's consent ticked by hand, nothing pre-ticked; one is not enough
    consents = page.locator('input[name="consents"]')
    assert [await c.is_checked() for c in await consents.all()] == [False, False]
    await page.get_by_label("延长天数").fill("10")
    await consents.first.check()
    await page.get_by_role("button", name="延长期限").click()
    await expect(page.locator("#extend-consents-error")).to_contain_text("须经每位当事人同意")
    await expect(page.get_by_label("延长天数")).to_have_value("10")
    for consent in await consents.all():
        await consent.check()
    await page.get_by_role("button", name="延长期限").click()
    await _confirm(page, "确认延长调解期限")
    await expect(page.get_by_role("status")).to_contain_text("已延长调解期限")
    await every_check(page, "case page (in mediation)")

    # the outcome: nothing pre-ticked; settled, signed by both, judicial confirmation asked
    outcome = page.locator("section", has=page.get_by_role("heading", name="记录调解结果"))
    assert not [b for b in await outcome.locator("input[type=checkbox], input[type=radio]").all()
                if await b.is_checked()]
    await outcome.scroll_into_view_if_needed()
    await _shots(page, "case-outcome-form")
    await page.get_by_label("调解成功，达成协议").check()
    await page.get_by_label("调解协议条款（每行一条）").fill("被申请人于12月31日前退还多收物业费2000元\n双方再无其他争议")
    for box in await outcome.locator('input[name="signed_by"]').all():
        await box.check()
    await page.get_by_label("双方共同申请司法确认（30日内，民诉法第205条）").check()
    await page.get_by_role("button", name="记录结果").click()
    await expect(page.get_by_text("移交法院：申请司法确认。")).to_be_visible()
    await _confirm(page, "确认记录调解结果")
    await expect(page.get_by_role("status")).to_contain_text("已记录调解结果")
    await every_check(page, "case page (settled)")

    # the clerk's API: settled, then handed off to the court
    view = await _until(live, case_id, lambda v: v["status"] in ("handed_off", "closed"))
    assert view["status"] in ("handed_off", "closed"), view["status"]
    types = [e["type"] for e in view["timeline"]]
    for expected in ("mediation.accepted", "mediation.mediator_assigned", "mediation.session_scheduled",
                     "mediation.extended", "mediation.settled", "handoff.sent"):
        assert expected in types, (expected, types)
    await context.close()


async def test_a_decline_and_the_gates_hold(live: Live, browser):
    declined = await _file(live, "BROWSER-DECLINE")
    elsewhere = await _file(live, "BROWSER-P12", category="commercial_contract", preferred_partner_id="P12")
    await _until(live, declined, lambda v: v["status"] == "routed")
    await _until(live, elsewhere, lambda v: v["status"] == "routed")
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = await context.new_page()
    await _sign_in_first_time(page, live, "P24-M02")

    await page.locator(f'a[href="/ui/cases/{declined}"]').first.click()
    await page.get_by_role("button", name="拒绝本案").click()  # no reason: refused beside the field
    await expect(page.locator("#decline-reason-error")).to_contain_text("请写明不接受本案的理由")
    await every_check(page, "case page with a refused decline")
    await page.get_by_label("不接受的理由").fill("本会承办人员与申请人系同一小区业主，存在利害关系")
    await page.get_by_role("button", name="拒绝本案").click()
    await _confirm(page, "确认拒绝本案")
    await page.get_by_role("link", name="全部案件").click()
    await expect(page.get_by_role("heading", level=2)).to_contain_text("共")
    assert declined not in await page.content()
    await _until(live, declined, lambda v: v.get("partner_id") not in (None, "P24"))

    # another partner's case: 404, as an unknown one
    answer = await page.goto(f"{live.base}/ui/cases/{elsewhere}")
    assert answer.status == 404
    await every_check(page, "not found page")

    # a form posted without its CSRF token is refused
    await page.goto(f"{live.base}/ui/today")
    forged = await page.request.post(f"{live.base}/ui/logout", form={})
    assert forged.status == 403

    # sign out: the copied cookie is refused afterwards
    copied = await context.cookies()
    await page.get_by_role("button", name="退出").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("调解员登录")
    thief = await browser.new_context()
    await thief.add_cookies(copied)
    stolen = await thief.new_page()
    await stolen.goto(f"{live.base}/ui/today")
    await expect(stolen.get_by_role("heading", level=1)).to_have_text("调解员登录")
    await thief.close()

    # wrong passwords: the sixth in a minute is refused (429), with the reason beside the field
    for attempt in range(6):
        await page.get_by_label("调解员编号").fill("P24-M02")
        await page.get_by_label("密码").fill(f"wrong-{attempt}")
        async with page.expect_response(f"{live.base}/ui/login") as answered:
            await page.get_by_role("button", name="登录").click()
        status = (await answered.value).status
    assert status == 429
    await expect(page.locator("#login-password-error")).to_contain_text("密码错误次数过多")
    await audit(page, "sign-in page, locked")
    await context.close()
