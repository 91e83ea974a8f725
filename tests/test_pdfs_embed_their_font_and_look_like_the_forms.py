"""Every font of every generated PDF is embedded (a subset of the CJK TrueType font), so a document prints the
same on a machine without Chinese fonts; the forms have the real ones' parts: a photo box, signature and
seal areas, dates as 年 月 日, the school's sign-off on the application form once given."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from hub.ids import to_global_id
from tests.conftest import Client
from tests.exchange import download, pdf_text
from tests.seed import seed_reference, seed_volunteers
from tests.test_in_service_permissions_table import Placement, place, volunteer_actor
from tests.test_printable_documents import LZU, application_of

TWO_TERMS = ((date(2025, 8, 1), date(2026, 7, 31)), (date(2026, 8, 1), date(2027, 7, 31)))
SIGN_OFF = (
    """mutation($input: SignOffApplicationInput!) { signOffApplication(input: $input) { userErrors { message } } }"""
)


def fonts_of(pdf: bytes) -> list[tuple[str, bool]]:
    """(base font, embedded?) of every font every page uses; a composite font is embedded when its
    descendant's descriptor carries the font program."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources") or {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            descriptor_of = font["/DescendantFonts"][0].get_object() if font.get("/Subtype") == "/Type0" else font
            descriptor = descriptor_of.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font.get("/BaseFont")), embedded))
    return found


async def test_every_font_of_every_document_is_embedded(client: Client) -> None:
    await seed_reference(client.hub)
    ids = await place(client.hub, [Placement("621121", TWO_TERMS, "COMPLETED", certificate="XBJH-2027-000001")])
    await seed_volunteers(client.hub, 1, "10730", start=5)
    placed = await application_of(client, "placed-1")
    documents = [
        f"/documents/application-form.pdf?application={await application_of(client, 'vol-5')}",
        f"/documents/confirmation-notice.pdf?application={placed}",
        f"/documents/service-certificate.pdf?volunteer={to_global_id('Volunteer', ids[0])}",
    ]
    for path in documents:
        actor = {"level": "volunteer", "sub": "vol-5"} if "vol" not in path[-3:] and "application-form" in path else {}
        response = await download(client, path, **(actor or volunteer_actor(1)))
        assert response.status_code == 200, (path, response.text)
        fonts = fonts_of(response.content)
        assert fonts and all(embedded for _name, embedded in fonts), (path, fonts)
        assert len(response.content) < 400_000, (path, len(response.content))  # a subset, not the whole font
        if "certificate" in path:  # the QR code: its dark modules as filled squares, not one black block
            content = PdfReader(io.BytesIO(response.content)).pages[0].get_contents().get_data()
            squares = re.findall(rb"[\d.]+ [\d.]+ ([\d.]+) ([\d.]+) re f", content)
            assert len(squares) > 50 and max(float(w) for w, _h in squares) < 30, squares[:3]


async def test_the_application_form_has_the_parts_of_the_paper_one(client: Client) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 1, "10730")
    application = await application_of(client, "vol-1")
    form = f"/documents/application-form.pdf?application={application}"
    text = pdf_text(await download(client, form, **LZU))
    for part in ("贴照片处", "本人签名", "（盖章）", "年月日", "学校项目办意见"):
        assert part in text, part
    body = await client.gql(SIGN_OFF, {"input": {"applicationId": application, "decision": "APPROVE"}}, **LZU)
    assert not body.get("errors") and not body["data"]["signOffApplication"]["userErrors"], body
    signed = pdf_text(await download(client, form, **LZU))
    assert "同意" in signed and "审核人：ops-lzu" in signed  # the school's own copy shows who signed off, and when
