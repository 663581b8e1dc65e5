"""The mediators' workbench over HTTP, on the real PostgreSQL: first sign-in sets the password, the
growing delay after wrong passwords, server-side sign-out and idle timeout, CSRF, cross-partner 404,
confirmation before what cannot be undone, refusals in Chinese beside their field with what was typed
kept, personal data shown only to whom it is for, and the security headers."""

from __future__ import annotations

import re
from datetime import timedelta

from services.mediation.web.session import COOKIE
from tests.integration.mediation.helpers import APPLICANT, RESPONDENT, deliver, new_id, routed, row

NEW_PASSWORD = "调解-Workbench-2026"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def sign_in(p, mediator_id: str = "P12-M02", *, first: bool = True) -> str:
    """Sign in; on the first time, choose the own password. Answers the CSRF token of the session."""
    answer = await p.client.post("/ui/login", data={"mediator_id": mediator_id,
                                                    "password": "mediator-demo" if first else NEW_PASSWORD})
    assert answer.status_code == 303, answer.text
    if first:
        assert answer.headers["location"] == "/ui/password"
        form = await p.client.get("/ui/password")
        chosen = await p.client.post("/ui/password", data={
            "csrf": _csrf(form.text), "current_password": "mediator-demo", "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD})
        assert chosen.status_code == 303 and chosen.headers["location"] == "/ui/today"
    return _csrf((await p.client.get("/ui/today")).text)


async def test_the_first_sign_in_sets_the_own_password_before_any_page(platform):
    p = platform
    first = await p.client.post("/ui/login", data={"mediator_id": "P12-M02", "password": "mediator-demo"})
    assert first.headers["location"] == "/ui/password"
    assert (await p.client.get("/ui/today")).headers["location"] == "/ui/password"
    form = await p.client.get("/ui/password")
    weak = await p.client.post("/ui/password", data={"csrf": _csrf(form.text), "current_password": "mediator-demo",
                                                     "new_password": "short", "repeat_password": "short"})
    assert weak.status_code == 422 and "新密码至少10个字符" in weak.text
    assert 'aria-describedby="password-new_password-error"' in weak.text
    ok = await p.client.post("/ui/password", data={"csrf": _csrf(form.text), "current_password": "mediator-demo",
                                                   "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD})
    assert ok.headers["location"] == "/ui/today"
    assert (await p.client.get("/ui/today")).status_code == 200
    p.client.cookies.clear()
    # the demo password no longer opens the account
    again = await p.client.post("/ui/login", data={"mediator_id": "P12-M02", "password": "mediator-demo"})
    assert again.status_code == 401 and "调解员编号或密码不正确" in again.text
    assert (await p.client.post("/ui/login", data={"mediator_id": "P12-M02", "password": NEW_PASSWORD})
            ).headers["location"] == "/ui/today"


async def test_the_sixth_wrong_password_in_a_minute_is_refused_and_logged_without_it(platform, clock, capsys):
    p = platform
    for attempt in range(5):
        wrong = await p.client.post("/ui/login", data={"mediator_id": "P12-M01", "password": f"guess-{attempt}"})
        assert wrong.status_code in (401, 429)
    sixth = await p.client.post("/ui/login", data={"mediator_id": "P12-M01", "password": "guess-6"})
    assert sixth.status_code == 429 and int(sixth.headers["retry-after"]) >= 1
    assert "密码错误次数过多" in sixth.text
    # locked: even the right password waits for the lock to end
    right = await p.client.post("/ui/login", data={"mediator_id": "P12-M01", "password": "mediator-demo"})
    assert right.status_code == 429
    # another case of the same id is the same id
    assert (await p.client.post("/ui/login", data={"mediator_id": "p12-m01", "password": "x"})).status_code == 429
    clock.advance(timedelta(minutes=20))
    assert (await p.client.post("/ui/login", data={"mediator_id": "P12-M01", "password": "mediator-demo"})
            ).status_code == 303
    logged = capsys.readouterr()
    assert "guess-" not in logged.out + logged.err and "mediator-demo" not in logged.out + logged.err


async def test_sign_out_and_the_idle_timeout_end_the_session_on_the_server(platform, clock):
    p = platform
    csrf = await sign_in(p)
    copied = p.client.cookies.get(COOKIE, path="/ui/")
    assert (await p.client.post("/ui/logout", data={"csrf": csrf})).headers["location"] == "/ui/login"
    p.client.cookies.clear()
    p.client.cookies.set(COOKIE, copied, path="/ui/")
    assert (await p.client.get("/ui/today")).headers["location"] == "/ui/login"

    p.client.cookies.clear()
    await sign_in(p, first=False)
    clock.advance(timedelta(minutes=20))
    assert (await p.client.get("/ui/today")).status_code == 200  # active: the idle clock restarts
    clock.advance(timedelta(minutes=31))
    assert (await p.client.get("/ui/today")).headers["location"] == "/ui/login"
    clock.advance(timedelta(seconds=-60 * 30))  # a clock set back does not revive a revoked session
    assert (await p.client.get("/ui/today")).headers["location"] == "/ui/login"


async def test_pages_carry_the_security_headers(platform):
    p = platform
    for path in ("/ui/login", "/ui/static/workbench.css"):
        answer = await p.client.get(path)
        assert "script-src" not in answer.headers["content-security-policy"]
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
    assert (await p.client.get("/ui/login")).headers["cache-control"] == "no-store"


async def test_own_partners_cases_only_csrf_and_confirmation_before_accepting(platform, clock):
    p = platform
    own, other = new_id(), new_id()
    await deliver(p, routed(own, partner_id="P12", at=clock.now()), routed(other, partner_id="P13", at=clock.now()))
    csrf = await sign_in(p)
    cookie = (await p.client.post("/ui/login", data={"mediator_id": "P12-M02", "password": NEW_PASSWORD})
              ).headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/ui/" in cookie
    csrf = _csrf((await p.client.get("/ui/today")).text)

    listing = await p.client.get("/ui/cases")
    assert own in listing.text and other not in listing.text
    assert "张*" in listing.text and "张三" not in listing.text  # names masked in the list
    assert (await p.client.get(f"/ui/cases/{other}")).status_code == 404
    assert (await p.client.post(f"/ui/cases/{other}/accept", data={"csrf": csrf, "confirmed": "yes"})
            ).status_code == 404
    assert (await p.client.get("/v1/mediations")).status_code == 401  # the cookie is no bearer token

    offer = await p.client.get(f"/ui/cases/{own}")
    assert "370202198001011232" not in offer.text and "3702**" in offer.text  # masked before acceptance
    assert "待答复" in offer.text and "offered" not in offer.text
    assert "12,500.00元" in offer.text and "市南区人民法院" in offer.text
    assert (await p.client.post(f"/ui/cases/{own}/accept", data={"csrf": "forged"})).status_code == 403
    ask = await p.client.post(f"/ui/cases/{own}/accept", data={"csrf": csrf})
    assert ask.status_code == 200 and "确认接受本案" in ask.text and 'value="yes"' in ask.text
    assert (await row(p, own)).status == "offered"  # asking changed nothing
    done = await p.client.post(f"/ui/cases/{own}/accept", data={"csrf": csrf, "confirmed": "yes"})
    assert done.status_code == 303 and (await row(p, own)).status == "accepted"
    page = await p.client.get(f"/ui/cases/{own}")
    assert "370202198001011232" in page.text  # accepted: the partner sees the id numbers
    assert "调解员 P12-M02" in page.text  # the trail names who accepted


async def test_refusals_are_in_chinese_beside_their_field_and_keep_what_was_typed(platform, clock):
    p = platform
    case_id = new_id()
    await deliver(p, routed(case_id, at=clock.now()))
    auth = p.auth("partner", partner_id="P12")
    await p.client.post(f"/v1/mediations/{case_id}/accept", headers=auth)
    await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P12-M02"}, headers=auth)
    csrf = await sign_in(p)
    page = await p.client.get(f"/ui/cases/{case_id}")
    assert 'checked' not in page.text  # nothing pre-ticked
    assert "P12-M01" in page.text and "应当回避" in page.text  # the conflicted mediator, and why

    terms = "被申请人于4月30日前支付10000元"
    unsigned = await p.client.post(f"/ui/cases/{case_id}/outcome", data={
        "csrf": csrf, "result": "settled", "signed_by": [APPLICANT], "terms": terms})
    assert unsigned.status_code == 422
    assert "调解协议须经每位当事人签字" in unsigned.text
    assert 'aria-describedby="outcome-signed_by-error"' in unsigned.text
    assert terms in unsigned.text and "signed_by" not in re.sub(r"<[^>]+>", "", unsigned.text)
    assert (await row(p, case_id)).status == "in_mediation"

    extension = await p.client.post(f"/ui/cases/{case_id}/extend", data={"csrf": csrf, "days": "10",
                                                                        "consents": [APPLICANT]})
    assert extension.status_code == 422 and "须经每位当事人同意" in extension.text
    assert 'id="extend-days" name="days" type="number" value="10"' in extension.text

    ask = await p.client.post(f"/ui/cases/{case_id}/outcome", data={
        "csrf": csrf, "result": "settled", "signed_by": [APPLICANT, RESPONDENT], "terms": terms,
        "apply_for_judicial_confirmation": "on"})
    assert ask.status_code == 200 and "确认记录调解结果" in ask.text and "申请司法确认" in ask.text
    assert (await row(p, case_id)).status == "in_mediation"
    back = await p.client.post(f"/ui/cases/{case_id}/outcome", data={
        "csrf": csrf, "result": "settled", "signed_by": [APPLICANT, RESPONDENT], "terms": terms,
        "apply_for_judicial_confirmation": "on", "confirmed": "no"})
    assert back.status_code == 200 and terms in back.text
    done = await p.client.post(f"/ui/cases/{case_id}/outcome", data={
        "csrf": csrf, "result": "settled", "signed_by": [APPLICANT, RESPONDENT], "terms": terms,
        "apply_for_judicial_confirmation": "on", "confirmed": "yes"})
    assert done.status_code == 303
    settled = await row(p, case_id)
    assert (settled.status, settled.handoff_type) == ("settled", "judicial_confirmation")


async def test_phones_are_shown_to_the_assigned_mediator_only(platform, clock):
    p = platform
    case_id = new_id()
    envelope = routed(case_id, at=clock.now())
    envelope.data["case"]["parties"][0]["phone"] = "13800000000"
    await deliver(p, envelope)
    auth = p.auth("partner", partner_id="P12")
    await p.client.post(f"/v1/mediations/{case_id}/accept", headers=auth)
    await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P12-M02"}, headers=auth)
    await sign_in(p, "P12-M01")
    assert "13800000000" not in (await p.client.get(f"/ui/cases/{case_id}")).text
    p.client.cookies.clear()
    await sign_in(p, "P12-M02")
    assert "13800000000" in (await p.client.get(f"/ui/cases/{case_id}")).text
