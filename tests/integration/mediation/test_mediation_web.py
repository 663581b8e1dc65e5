"""The mediator web client: sign in with a demo account, a signed HttpOnly SameSite=Lax cookie,
only the own partner's cases with personal data masked in the list, CSRF-checked forms."""

from __future__ import annotations

import re

from tests.integration.mediation.helpers import deliver, new_id, routed, row


async def _sign_in(p, mediator_id: str = "P12-M02", password: str = "mediator-demo"):
    return await p.client.post("/ui/login", data={"mediator_id": mediator_id, "password": password})


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def test_a_mediator_signs_in_and_sees_only_own_partners_cases(platform, clock):
    p = platform
    own, other = new_id(), new_id()
    await deliver(p, routed(own, partner_id="P12", at=clock.now()), routed(other, partner_id="P13", at=clock.now()))

    refused = await _sign_in(p, password="wrong")
    assert refused.status_code == 401 and "courtmed_ui" not in refused.headers.get("set-cookie", "")

    signed = await _sign_in(p)
    assert signed.status_code == 303 and signed.headers["location"] == "/ui/cases"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Path=/ui/" in cookie

    listing = await p.client.get("/ui/cases")
    assert listing.status_code == 200
    assert own in listing.text and other not in listing.text
    assert "张*" in listing.text and "张三" not in listing.text  # names masked in the list
    assert "370202198001011232" not in listing.text
    assert (await p.client.get(f"/ui/cases/{other}")).status_code == 404

    # the cookie is for the web client only: the JSON API stays bearer-only
    assert (await p.client.get("/v1/mediations")).status_code == 401

    page = await p.client.get(f"/ui/cases/{own}")
    assert page.status_code == 200 and 'action="/ui/cases/' in page.text
    forged = await p.client.post(f"/ui/cases/{own}/accept", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert (await row(p, own)).status == "offered"
    accepted = await p.client.post(f"/ui/cases/{own}/accept", data={"csrf": _csrf(page.text)})
    assert accepted.status_code == 303
    after = await row(p, own)
    assert after.status == "accepted"
    page = await p.client.get(f"/ui/cases/{own}")
    assert "mediator P12-M02" in page.text  # the audit trail names who accepted

    logout = await p.client.post("/ui/logout", data={"csrf": _csrf(page.text)})
    assert logout.status_code == 303
    p.client.cookies.clear()
    assert (await p.client.get("/ui/cases")).headers["location"] == "/ui/login"


async def test_the_outcome_form_records_a_settlement(platform, clock):
    p = platform
    case_id = new_id()
    await deliver(p, routed(case_id, at=clock.now()))
    auth = p.auth("partner", partner_id="P12")
    await p.client.post(f"/v1/mediations/{case_id}/accept", headers=auth)
    await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P12-M02"}, headers=auth)
    await _sign_in(p)
    page = await p.client.get(f"/ui/cases/{case_id}")
    parties = re.findall(r'name="signed_by" value="([^"]+)"', page.text)
    missing_terms = await p.client.post(f"/ui/cases/{case_id}/outcome", data={
        "csrf": _csrf(page.text), "result": "settled", "signed_by": parties, "terms": ""})
    assert missing_terms.status_code == 422 and "agreement.terms" in missing_terms.text
    done = await p.client.post(f"/ui/cases/{case_id}/outcome", data={
        "csrf": _csrf(page.text), "result": "settled", "signed_by": parties,
        "terms": "被申请人于4月30日前支付10000元\n双方再无其他争议", "apply_for_judicial_confirmation": "on"})
    assert done.status_code == 303
    settled = await row(p, case_id)
    assert (settled.status, settled.handoff_type) == ("settled", "judicial_confirmation")
