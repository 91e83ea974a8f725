"""Printable PDFs with Chinese text: the application form (报名登记表), the confirmation notice (确认通知书)
and the service certificate (服务证书). The text is extracted from each PDF and checked for the names and
numbers; each shows the downloading caller what GraphQL would show them (R2a)."""

from __future__ import annotations

from datetime import date

from hub.ids import to_global_id
from hub.rules.idnumbers import mask_id_number
from tests.conftest import Client
from tests.exchange import download, pdf_text
from tests.seed import id_number, seed_reference, seed_volunteers
from tests.test_in_service_permissions_table import NATIONAL, Placement, county_actor, place, volunteer_actor

LZU = {"level": "school", "code": "10730", "sub": "ops-lzu"}
PKU = {"level": "school", "code": "10001", "sub": "ops-pku"}
TWO_TERMS = ((date(2025, 8, 1), date(2026, 7, 31)), (date(2026, 8, 1), date(2027, 7, 31)))
NUMBER = "XBJH-2027-000123"


async def application_of(client: Client, subject: str) -> str:
    rows = await client.sql(
        "SELECT a.id FROM applications a JOIN volunteers v ON v.id = a.volunteer_id WHERE v.subject = :s", s=subject
    )
    return to_global_id("Application", rows[0][0])


async def test_the_application_form_carries_what_the_volunteer_declared(client: Client) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 1, "10730")
    form = f"/documents/application-form.pdf?application={await application_of(client, 'vol-1')}"
    own = pdf_text(await download(client, form, level="volunteer", sub="vol-1"))
    for expected in ("报名登记表", "志愿者1", id_number(1), "13900000001", "兰州大学", "甘肃省", "云南省", "本人签名"):
        assert expected in own, expected
    school = pdf_text(await download(client, form, **LZU))
    assert "志愿者1" in school and mask_id_number(id_number(1)) in school and id_number(1) not in school
    assert "13900000001" in school  # R2a: the school office reads its students' phones
    national = pdf_text(await download(client, form, **NATIONAL))
    assert "13900000001" not in national and id_number(1) not in national


async def test_a_document_of_a_record_the_caller_may_not_read_is_refused_as_graphql_refuses_it(
    client: Client,
) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 2, "10730")
    application = await application_of(client, "vol-1")
    form = f"/documents/application-form.pdf?application={application}"
    for actor in (PKU, {"level": "volunteer", "sub": "vol-2"}, county_actor("621121")):
        response = await download(client, form, **actor)
        graphql = await client.gql("query($id: ID!) { node(id: $id) { id } }", {"id": application}, **actor)
        refusal = graphql["errors"][0]["extensions"]["code"] if graphql.get("errors") else "NOT_FOUND"
        assert response.json()["code"] == refusal, actor
        assert response.status_code == {"FORBIDDEN": 403, "NOT_FOUND": 404}[refusal]
    anonymous = await download(client, form)
    assert anonymous.status_code == 401
    missing = await download(client, "/documents/application-form.pdf", **LZU)
    assert missing.status_code == 400


async def test_the_confirmation_notice_names_the_serving_province_and_its_number(client: Client) -> None:
    await seed_reference(client.hub)
    await place(client.hub, [Placement("621121")])
    await seed_volunteers(client.hub, 1, "10730", start=5)
    notice = f"/documents/confirmation-notice.pdf?application={await application_of(client, 'placed-1')}"
    text = pdf_text(await download(client, notice, **volunteer_actor(1)))
    for expected in ("确认通知书", "确认编号：P-1", "在岗1", "兰州大学", "服务地为甘肃省通渭县", id_number(1)):
        assert expected in text, expected
    not_recruited = f"/documents/confirmation-notice.pdf?application={await application_of(client, 'vol-5')}"
    response = await download(client, not_recruited, level="volunteer", sub="vol-5")
    assert (response.status_code, response.json()["code"]) == (409, "INVALID_STATE")


async def test_the_service_certificate_carries_its_verification_number(client: Client) -> None:
    await seed_reference(client.hub)
    ids = await place(
        client.hub,
        [Placement("621121", TWO_TERMS, "COMPLETED", certificate=NUMBER), Placement("621121")],
    )
    certificate = f"/documents/service-certificate.pdf?volunteer={to_global_id('Volunteer', ids[0])}"
    text = pdf_text(await download(client, certificate, **volunteer_actor(1)))
    for expected in (
        "服务证书",
        f"证书编号：{NUMBER}",
        "在岗1",
        "兰州大学",
        "甘肃省通渭县",
        "服务2年",
        "2027年7月31日",
    ):
        assert expected in text, expected
    assert f"http://hub/certificates/{NUMBER}" in text  # the address the QR code holds
    page = await client.http.get(f"/certificates/{NUMBER}")  # public: no token
    assert page.status_code == 200 and "在岗1" in page.text and "有效" in page.text
    assert (await client.http.get("/certificates/XBJH-0000-000000")).status_code == 404
    by_county = pdf_text(await download(client, certificate, **county_actor("621121")))
    assert NUMBER in by_county
    serving = f"/documents/service-certificate.pdf?volunteer={to_global_id('Volunteer', ids[1])}"
    response = await download(client, serving, **volunteer_actor(2))
    assert (response.status_code, response.json()["code"]) == (409, "INVALID_STATE")
