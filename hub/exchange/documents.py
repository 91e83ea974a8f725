"""Printable PDFs with Chinese text: the application form (报名登记表) a volunteer prints for the school's
sign-off (R21), the confirmation notice (确认通知书) of a recruited volunteer (R23), and the service
certificate (服务证书) with the number anyone can verify (R31), laid out like the program's own forms:
a photo box, signature and seal areas, dates as 年 月 日, the certificate's number with a QR code of its
public verification address.

The facts come from the schema, asked as the downloading caller (so a document shows what GraphQL would
show them, R2a masking included). The text is set in an openly licensed CJK TrueType font installed from
a package registry (Debian's fonts-wqy-microhei, Apache-2.0 or GPLv3 with the font exception, licence in
/usr/share/doc/fonts-wqy-microhei/copyright), and ReportLab embeds the subset of glyphs each PDF uses, so
a document prints the same on a machine without any Chinese font. HUB_PDF_FONT names another file."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hub.auth import Actor
from hub.enums import Decision, Degree, Gender, label
from hub.exchange.calls import Refused, ask
from hub.exchange.tables import NO, YES
from hub.i18n import _

FONT = "HubCJK"
FONT_FILES = (  # the first that exists; Debian's fonts-wqy-microhei is what .ci/run and the docs install
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
PROGRAM = "大学生志愿服务西部计划"


@cache
def font() -> str:
    """The registered CJK font (TrueType, embedded as a subset in every PDF); Refused when none is installed."""
    chosen = os.environ.get("HUB_PDF_FONT") or next((f for f in FONT_FILES if Path(f).exists()), None)
    if chosen is None or not Path(chosen).exists():
        raise Refused(
            "UNAVAILABLE",
            _(
                "no CJK font is installed for PDFs: apt-get install fonts-wqy-microhei, "
                "or set HUB_PDF_FONT to a TrueType font"
            ),
        )
    pdfmetrics.registerFont(TTFont(FONT, chosen, subfontIndex=0))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    name = font()
    return {
        "title": ParagraphStyle("title", fontName=name, fontSize=20, leading=28, alignment=TA_CENTER, wordWrap="CJK"),
        "subtitle": ParagraphStyle(
            "subtitle", fontName=name, fontSize=12, leading=18, alignment=TA_CENTER, wordWrap="CJK"
        ),
        "body": ParagraphStyle("body", fontName=name, fontSize=12, leading=22, wordWrap="CJK", firstLineIndent=24),
        "right": ParagraphStyle("right", fontName=name, fontSize=12, leading=20, alignment=TA_RIGHT, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=name, fontSize=11, leading=16, wordWrap="CJK"),
        "small": ParagraphStyle("small", fontName=name, fontSize=9, leading=12, alignment=TA_CENTER, wordWrap="CJK"),
    }


def chinese_date(value: str | date | datetime | None) -> str:
    """2027-03-05 (or a timestamp) as 2027年3月5日; no date as the blanks of a form: 年 月 日."""
    if not value:
        return "　　　　年　　月　　日"
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Document:
    """One printable document: its file name stem and how its pages are made for a caller."""

    title: str
    param: str
    make: Callable[..., Any]  # (hub, actor, key, base_url=the hub's public address) -> PDF bytes


def _pdf(title: str, flowables: list[Any]) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=title,
        author=PROGRAM,
        initialFontName=font(),  # the canvas default (Helvetica) would be named on every page, never embedded
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
    )
    doc.build(flowables)
    return out.getvalue()


def _grid(rows: list[list[Any]], widths: list[float], heights: list[float] | None = None) -> Table:
    cell = _styles()["cell"]
    table = Table(
        [[c if not isinstance(c, str | None) else Paragraph(c or "", cell) for c in row] for row in rows],
        colWidths=widths,
        rowHeights=heights,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font()),  # Table's default is Helvetica, which is never embedded
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
        raise Refused("NOT_FOUND", _("no {kind} {id!r} that you may read", kind=kind, id=node_id))
    return node


APPLICATION = """query($id: ID!) { node(id: $id) { ... on Application {
  year submittedAt acceptsAdjustment status preferences { name } school { code name }
  schoolSignOff { decision reason by at }
  volunteer { name gender birthDate idNumber phone degree graduateTeachingGroup hasWorkExperience
    volunteerExperience } } } }"""


async def application_form(hub: Any, actor: Actor | None, application_id: str, base_url: str = "") -> bytes:
    """报名登记表: what the volunteer declared, a photo box, the volunteer's signature and the school's
    sign-off (R21: its decision, who and when, once given) with room for its seal."""
    app = await _node(hub, actor, APPLICATION, application_id, "application")
    if "volunteer" not in app:
        raise Refused("NOT_FOUND", _("{id!r} is not an application", id=application_id))
    styles = _styles()
    person = app["volunteer"]
    wishes = "、".join(p["name"] for p in app["preferences"])
    photo = "贴照片处<br/>（近期二寸免冠彩色照片）"
    sign_off = app.get("schoolSignOff")
    if sign_off:
        opinion = f"{label(Decision(sign_off['decision']), 'zh')}。" + (sign_off.get("reason") or "")
        opinion += f"<br/>审核人：{sign_off['by']}"
        when = chinese_date(sign_off["at"])
    else:
        opinion, when = "", chinese_date(None)
    w = [30 * mm, 48 * mm, 22 * mm, 38 * mm, 36 * mm]
    rows = [
        ["姓名", person["name"], "性别", label(Gender(person["gender"]), "zh"), photo],
        ["出生日期", chinese_date(person["birthDate"]), "学历", label(Degree(person["degree"]), "zh"), ""],
        ["身份证号码", person["idNumber"], "手机号码", person["phone"] or "", ""],
        [
            "毕业学校",
            f"{app['school']['name']}（{app['school']['code']}）",
            "报名日期",
            chinese_date(app["submittedAt"]),
            "",
        ],
        ["服务省份志愿", wishes, "服从调剂", YES if app["acceptsAdjustment"] else NO, ""],
        [
            "研究生支教团",
            YES if person["graduateTeachingGroup"] else NO,
            "工作经历",
            _yes(person["hasWorkExperience"]),
            "",
        ],
        ["志愿服务经历", person["volunteerExperience"] or "无", "", "", ""],
        [
            "本人承诺",
            f"以上信息真实准确，本人自愿报名参加{PROGRAM}。<br/><br/>本人签名：<br/><br/>{chinese_date(None)}",
            "",
            "",
            "",
        ],
        ["学校项目办意见", f"{opinion}<br/><br/>（盖章）<br/><br/>{when}", "", "", ""],
    ]
    heights = [14 * mm] * 5 + [12 * mm, 22 * mm, 34 * mm, 40 * mm]
    grid = _grid(rows, w, heights)
    grid.setStyle(
        TableStyle(
            [
                ("SPAN", (4, 0), (4, 3)),  # the photo box
                ("ALIGN", (4, 0), (4, 3), "CENTER"),
                ("SPAN", (3, 4), (4, 4)),
                ("SPAN", (3, 5), (4, 5)),
                ("SPAN", (1, 6), (4, 6)),
                ("SPAN", (1, 7), (4, 7)),
                ("SPAN", (1, 8), (4, 8)),
                ("BACKGROUND", (1, 6), (4, 8), colors.white),
                ("BACKGROUND", (4, 0), (4, 3), colors.white),
                ("VALIGN", (1, 7), (4, 8), "TOP"),
            ]
        )
    )
    return _pdf(
        "报名登记表",
        [
            Paragraph(f"{PROGRAM}报名登记表", styles["title"]),
            Paragraph(f"{app['year']}年度", styles["subtitle"]),
            Spacer(1, 8 * mm),
            grid,
        ],
    )


def _yes(value: bool) -> str:
    return "有" if value else "无"


CONFIRMATION = """query($id: ID!) { node(id: $id) { ... on Application {
  year school { name } volunteer { name idNumber } county { name }
  recruitmentAgreement { confirmationNumber signedAt servingProvince { name } } } } }"""


async def confirmation_notice(hub: Any, actor: Actor | None, application_id: str, base_url: str = "") -> bytes:
    """确认通知书: the recruited volunteer's confirmation, with its number, province and county (R23)."""
    app = await _node(hub, actor, CONFIRMATION, application_id, "application")
    agreement = app.get("recruitmentAgreement")
    if not agreement:
        raise Refused("INVALID_STATE", _("the application has no recruitment agreement (R23) yet"))
    styles = _styles()
    person = app["volunteer"]
    county = (app.get("county") or {}).get("name")
    where = agreement["servingProvince"]["name"] + (county or "")
    text = (
        f"{person['name']}同学（{app['school']['name']}，身份证号码{person['idNumber']}）：经本人报名、学校推荐、"
        f"选拔和体检，你已被确认为{app['year']}年度{PROGRAM}志愿者，服务地为{where}。"
        "请凭本通知书按时参加服务省组织的岗前培训，并到服务县报到。"
    )
    return _pdf(
        "确认通知书",
        [
            Paragraph(f"{PROGRAM}确认通知书", styles["title"]),
            Paragraph(f"确认编号：{agreement['confirmationNumber']}", styles["subtitle"]),
            Spacer(1, 10 * mm),
            Paragraph(text, styles["body"]),
            Spacer(1, 20 * mm),
            Paragraph(f"{agreement['servingProvince']['name']}{PROGRAM}项目办公室（盖章）", styles["right"]),
            Spacer(1, 6 * mm),
            Paragraph(chinese_date(agreement["signedAt"]), styles["right"]),
        ],
    )


CERTIFICATE = """query($id: ID!) { node(id: $id) { ... on Volunteer {
  name certificateNumber school { name } agreements { startsOn endsOn county { name province { name } } } } } }"""
VERIFY = """query($number: String!) { verifyCertificate(number: $number) {
  number name yearsServed completedOn province { name } } }"""


def verification_url(base_url: str, number: str) -> str:
    """The public address that checks a certificate (routes.py: /certificates/{number})."""
    return f"{base_url.rstrip('/')}/certificates/{number}"


class QrCode(Flowable):
    """A QR code of `text`, `size` wide: ReportLab's encoder, its dark modules drawn as filled squares (a
    graphics Drawing would name Helvetica, its default font, on the page, unembedded)."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.text, self.width, self.height = text, size, size

    def draw(self) -> None:
        widget = QrCodeWidget(self.text, barLevel="M")
        left, bottom, right, top = widget.getBounds()
        scale = self.width / (right - left)
        self.canv.setFillColor(colors.black)
        for shape in _shapes(widget.draw()):
            if isinstance(shape, Rect) and shape.fillColor is not None:  # the unfilled one is the quiet zone
                x, y = (shape.x - left) * scale, (shape.y - bottom) * scale
                self.canv.rect(x, y, shape.width * scale, shape.height * scale, stroke=0, fill=1)


def _shapes(node: Any) -> Any:
    for child in getattr(node, "contents", ()):
        yield child
        yield from _shapes(child)


async def service_certificate(hub: Any, actor: Actor | None, volunteer_id: str, base_url: str = "") -> bytes:
    """服务证书: the completed service (R31), with its number and a QR code of its verification address."""
    person = await _node(hub, actor, CERTIFICATE, volunteer_id, "volunteer")
    number = person.get("certificateNumber")
    check = number and (await ask(hub, actor, VERIFY, {"number": number}))["verifyCertificate"]
    if not check:
        raise Refused("INVALID_STATE", _("no service certificate has been issued to this volunteer (R31)"))
    styles = _styles()
    agreements = sorted(person["agreements"], key=lambda a: a["startsOn"])
    where = agreements[-1]["county"]["name"] if agreements else ""
    since = chinese_date(agreements[0]["startsOn"]) if agreements else ""
    text = (
        f"{check['name']}同志（{person['school']['name']}）于{since}至{chinese_date(check['completedOn'])}在"
        f"{check['province']['name']}{where}参加{PROGRAM}，服务{check['yearsServed']}年，服务期满，考核合格。"
        "特发此证。"
    )
    url = verification_url(base_url, check["number"])
    footer = Table(
        [
            [
                QrCode(url, 30 * mm),
                Paragraph(
                    f"共青团中央<br/>{PROGRAM}全国项目办公室（盖章）<br/><br/>{chinese_date(check['completedOn'])}",
                    styles["right"],
                ),
            ],
            [Paragraph(f"扫码或访问 {url} 查验", styles["small"]), ""],
        ],
        colWidths=[60 * mm, 110 * mm],
    )
    footer.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font()),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("ALIGN", (0, 0), (0, -1), "LEFT"),
            ]
        )
    )
    return _pdf(
        "服务证书",
        [
            Spacer(1, 20 * mm),
            Paragraph(f"{PROGRAM}服务证书", styles["title"]),
            Spacer(1, 4 * mm),
            Paragraph(f"证书编号：{check['number']}", styles["subtitle"]),
            Spacer(1, 12 * mm),
            Paragraph(text, styles["body"]),
            Spacer(1, 20 * mm),
            footer,
        ],
    )


DOCUMENTS: dict[str, Document] = {
    "application-form": Document("报名登记表", "application", application_form),
    "confirmation-notice": Document("确认通知书", "application", confirmation_notice),
    "service-certificate": Document("服务证书", "volunteer", service_certificate),
}
