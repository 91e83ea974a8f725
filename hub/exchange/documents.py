"""Printable PDFs with Chinese text: the application form (报名登记表) a volunteer prints for the school's
sign-off (R21), the confirmation notice (确认通知书) of a recruited volunteer (R23), and the service
certificate (服务证书) with the number anyone can verify (R31).

The facts come from the schema, asked as the downloading caller (so a document shows what GraphQL would
show them, R2a masking included). The text is set in ReportLab's built-in CID font STSong-Light, which
needs no font file: the PDF names the font and every reader supplies it, and the text extracts as text."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hub.auth import Actor
from hub.enums import Degree, Gender, label
from hub.exchange.calls import Refused, ask
from hub.exchange.tables import NO, YES

FONT = "STSong-Light"
PROGRAM = "大学生志愿服务西部计划"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=TA_CENTER, wordWrap="CJK")
SUBTITLE = ParagraphStyle("subtitle", fontName=FONT, fontSize=12, leading=18, alignment=TA_CENTER, wordWrap="CJK")
BODY = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, wordWrap="CJK", firstLineIndent=24)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=11, leading=16, wordWrap="CJK")


@dataclass(frozen=True)
class Document:
    """One printable document: its file name stem and how its pages are made for a caller."""

    title: str
    param: str
    make: Callable[[Any, Actor | None, str], Any]


def _pdf(title: str, flowables: list[Any]) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, title=title, author=PROGRAM, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm
    )
    doc.build(flowables)
    return out.getvalue()


def _grid(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table([[Paragraph(cell or "", CELL) for cell in row] for row in rows], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("BACKGROUND", (2, 0), (2, -1), colors.whitesmoke),
            ]
        )
    )
    return table


async def _node(hub: Any, actor: Actor | None, document: str, node_id: str, kind: str) -> dict[str, Any]:
    node = (await ask(hub, actor, document, {"id": node_id}))["node"]
    if not node:
        raise Refused("NOT_FOUND", f"no {kind} {node_id!r} that you may read")
    return node


APPLICATION = """query($id: ID!) { node(id: $id) { ... on Application {
  year submittedAt acceptsAdjustment status preferences { name } school { code name }
  volunteer { name gender birthDate idNumber phone degree graduateTeachingGroup hasWorkExperience
    volunteerExperience } } } }"""


async def application_form(hub: Any, actor: Actor | None, application_id: str) -> bytes:
    """报名登记表: what the volunteer declared, with room for the signature and the school's sign-off (R21)."""
    app = await _node(hub, actor, APPLICATION, application_id, "application")
    if "volunteer" not in app:
        raise Refused("NOT_FOUND", f"{application_id!r} is not an application")
    person = app["volunteer"]
    wishes = "、".join(p["name"] for p in app["preferences"])
    w = [34 * mm, 58 * mm, 24 * mm, 54 * mm]
    grid = _grid(
        [
            ["姓名", person["name"], "性别", label(Gender(person["gender"]), "zh")],
            ["出生日期", person["birthDate"], "学历", label(Degree(person["degree"]), "zh")],
            ["身份证号码", person["idNumber"], "手机号码", person["phone"] or ""],
            ["毕业学校", f"{app['school']['name']}（{app['school']['code']}）", "报名日期", app["submittedAt"][:10]],
            ["服务省份志愿", wishes, "服从调剂", YES if app["acceptsAdjustment"] else NO],
            [
                "研究生支教团",
                YES if person["graduateTeachingGroup"] else NO,
                "工作经历",
                _yes(person["hasWorkExperience"]),
            ],
            ["志愿服务经历", person["volunteerExperience"] or "无", "", ""],
            ["本人承诺", "以上信息真实准确。本人签名：", "日期", ""],
            ["学校项目办意见", "（盖章）", "日期", ""],
        ],
        w,
    )
    grid.setStyle(TableStyle([("SPAN", (1, 6), (3, 6)), ("BACKGROUND", (1, 6), (3, 6), colors.white)]))
    return _pdf(
        "报名登记表",
        [
            Paragraph(f"{PROGRAM}报名登记表", TITLE),
            Paragraph(f"{app['year']}年度", SUBTITLE),
            Spacer(1, 8 * mm),
            grid,
        ],
    )


def _yes(value: bool) -> str:
    return "有" if value else "无"


CONFIRMATION = """query($id: ID!) { node(id: $id) { ... on Application {
  year school { name } volunteer { name idNumber }
  recruitmentAgreement { confirmationNumber signedAt servingProvince { name } } } } }"""


async def confirmation_notice(hub: Any, actor: Actor | None, application_id: str) -> bytes:
    """确认通知书: the recruited volunteer's confirmation, with its number (R23)."""
    app = await _node(hub, actor, CONFIRMATION, application_id, "application")
    agreement = app.get("recruitmentAgreement")
    if not agreement:
        raise Refused("INVALID_STATE", "the application has no recruitment agreement (R23) yet")
    person = app["volunteer"]
    text = (
        f"{person['name']}同学（{app['school']['name']}，身份证号码{person['idNumber']}）：经本人报名、学校推荐、"
        f"选拔和体检，你已被确认为{app['year']}年度{PROGRAM}志愿者，服务省份为{agreement['servingProvince']['name']}。"
        "请凭本通知书按时参加服务省组织的岗前培训，并到服务县报到。"
    )
    return _pdf(
        "确认通知书",
        [
            Paragraph(f"{PROGRAM}确认通知书", TITLE),
            Paragraph(f"确认编号：{agreement['confirmationNumber']}", SUBTITLE),
            Spacer(1, 10 * mm),
            Paragraph(text, BODY),
            Spacer(1, 16 * mm),
            Paragraph(f"{agreement['servingProvince']['name']}{PROGRAM}项目办公室", SUBTITLE),
            Paragraph(agreement["signedAt"][:10], SUBTITLE),
        ],
    )


CERTIFICATE = """query($id: ID!) { node(id: $id) { ... on Volunteer {
  name certificateNumber school { name } agreements { startsOn endsOn county { name province { name } } } } } }"""
VERIFY = """query($number: String!) { verifyCertificate(number: $number) {
  number name yearsServed completedOn province { name } } }"""


async def service_certificate(hub: Any, actor: Actor | None, volunteer_id: str) -> bytes:
    """服务证书: the completed service (R31), with the number verifyCertificate answers to."""
    person = await _node(hub, actor, CERTIFICATE, volunteer_id, "volunteer")
    number = person.get("certificateNumber")
    check = number and (await ask(hub, actor, VERIFY, {"number": number}))["verifyCertificate"]
    if not check:
        raise Refused("INVALID_STATE", "no service certificate has been issued to this volunteer (R31)")
    agreements = sorted(person["agreements"], key=lambda a: a["startsOn"])
    where = agreements[-1]["county"]["name"] if agreements else ""
    since = agreements[0]["startsOn"] if agreements else ""
    text = (
        f"{check['name']}同志（{person['school']['name']}）于{since}至{check['completedOn']}在"
        f"{check['province']['name']}{where}参加{PROGRAM}，服务{check['yearsServed']}年，服务期满，考核合格。"
        "特发此证。"
    )
    return _pdf(
        "服务证书",
        [
            Spacer(1, 20 * mm),
            Paragraph(f"{PROGRAM}服务证书", TITLE),
            Spacer(1, 12 * mm),
            Paragraph(text, BODY),
            Spacer(1, 16 * mm),
            Paragraph(f"证书编号：{check['number']}", SUBTITLE),
            Paragraph("凭证书编号可查验真伪（verifyCertificate）", SUBTITLE),
            Spacer(1, 10 * mm),
            Paragraph(f"共青团中央 {PROGRAM}全国项目办公室", SUBTITLE),
        ],
    )


DOCUMENTS: dict[str, Document] = {
    "application-form": Document("报名登记表", "application", application_form),
    "confirmation-notice": Document("确认通知书", "application", confirmation_notice),
    "service-certificate": Document("服务证书", "volunteer", service_certificate),
}
