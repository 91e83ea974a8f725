"""The .xlsx downloads offices file and print: a school's applications roster, the in-post roster of a
county or province, the post-structure report (R14) and the funding report (R38–R40).

Each is a query of the schema run for the downloading office, page by page (so a 20,000-row roster is
never held whole: each page goes straight into a write-only workbook), with the read scopes and R2a
masking of GraphQL itself. Headers are Chinese; dates are dates, money numbers with two decimals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from hub.auth import Actor
from hub.enums import ApplicationStatus, Decision, Degree, Gender, PostCategory, label
from hub.exchange.calls import Refused, ask, pages
from hub.exchange.listings import REFERENCE_EXPORTS
from hub.exchange.tables import NO, YES
from hub.exchange.workbooks import DATE, MONEY, Export, Heading
from hub.i18n import _
from hub.rules.years import parse_year

PERCENT = "0.00%"

Params = dict[str, str]
Rows = AsyncIterator[list[Any]]


def _day(value: str | None) -> date | None:
    if not value:
        return None
    return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _flag(value: bool | None) -> str:
    return "" if value is None else (YES if value else NO)


APPLICATIONS = """query($year: String!, $school: String!, $first: Int, $after: String) {
  page: applications(year: $year, schoolCode: $school, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { status submittedAt acceptsAdjustment preferences { name } schoolSignOff { decision }
      volunteer { name gender birthDate idNumber phone degree } } } } }"""


class _Labels:
    """The labels of one export's enumerated values, each looked up once (a roster repeats a handful of
    values 20,000 times)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[type[Enum], str], str] = {}

    def __call__(self, kind: type[Enum], value: str) -> str:
        key = (kind, value)
        shown = self.seen.get(key)
        if shown is None:
            shown = self.seen[key] = label(kind(value))
        return shown


async def _applications(hub: Any, actor: Actor, params: Params) -> Rows:
    variables = {"year": params["year"], "school": params["school"]}
    shown = _Labels()
    async for node in pages(hub, actor, APPLICATIONS, variables):
        person = node["volunteer"]
        wishes = [p["name"] for p in node["preferences"]] + ["", "", ""]
        sign_off = node["schoolSignOff"]
        yield [
            person["name"],
            shown(Gender, person["gender"]),
            _day(person["birthDate"]),
            person["idNumber"],
            person["phone"],
            shown(Degree, person["degree"]),
            *wishes[:3],
            _flag(node["acceptsAdjustment"]),
            _day(node["submittedAt"]),
            shown(Decision, sign_off["decision"]) if sign_off else "",
            shown(ApplicationStatus, node["status"]),
        ]


IN_POST = """query($year: String!, $county: String, $province: String, $first: Int, $after: String) {
  page: applications(year: $year, countyCode: $county, servingProvinceCode: $province, inPost: true,
                     first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { year county { code name }
      volunteer { name gender idNumber phone school { name }
        agreements { termYear startsOn endsOn unit { name } post { title category } } } } } } }"""


async def _in_post(hub: Any, actor: Actor, params: Params) -> Rows:
    if bool(params.get("county")) == bool(params.get("province")):
        raise Refused("BAD_USER_INPUT", _("name either county= or province="))
    variables = {"year": params["year"], "county": params.get("county"), "province": params.get("province")}
    async for node in pages(hub, actor, IN_POST, variables):
        person, county = node["volunteer"], node["county"] or {}
        # the term covering the year asked (hub.counting: renewed volunteers are in post in it too)
        term = parse_year(params["year"]) - parse_year(node["year"]) + 1
        agreement = next((a for a in person["agreements"] if a["termYear"] == term), {})
        post = agreement.get("post") or {}
        yield [
            county.get("code"),
            county.get("name"),
            person["name"],
            label(Gender(person["gender"])),
            person["idNumber"],
            person["phone"],
            person["school"]["name"],
            (agreement.get("unit") or {}).get("name"),
            post.get("title"),
            label(PostCategory(post["category"])) if post else None,
            agreement.get("termYear"),
            _day(agreement.get("startsOn")),
            _day(agreement.get("endsOn")),
        ]


PROVINCES = "{ provinces { code } }"
STRUCTURE = """query($year: String!, $province: String!) { postStructure(year: $year, provinceCode: $province) {
  totalHeadcount townshipShare educationShare youthWorkShare compliant violations province { code name } } }"""


async def _post_structure(hub: Any, actor: Actor, params: Params) -> Rows:
    """R14 per province: the one asked for, the office's own, or (national) every province with posts."""
    province = params.get("province") or (actor.province_code if actor.province_code else None)
    codes = [province] if province else [p["code"] for p in (await ask(hub, actor, PROVINCES, {}))["provinces"]]
    for code in codes:
        report = (await ask(hub, actor, STRUCTURE, {"year": params["year"], "province": code}))["postStructure"]
        if not province and report["totalHeadcount"] == 0:
            continue
        yield [
            report["province"]["code"],
            report["province"]["name"],
            report["totalHeadcount"],
            report["townshipShare"],
            report["educationShare"],
            report["youthWorkShare"],
            _flag(report["compliant"]),
            "；".join(report["violations"]),
        ]


FUNDING = """query($year: String!, $province: String) { fundingReport(year: $year, provinceCode: $province) {
  inPost centralSubsidy localAllowance uninsured province { code name }
  byZone { zone volunteerMonths centralSubsidy } } }"""


async def _funding(hub: Any, actor: Actor, params: Params) -> Rows:
    variables = {"year": params["year"], "province": params.get("province") or None}
    for report in (await ask(hub, actor, FUNDING, variables))["fundingReport"]:
        months = sum(zone["volunteerMonths"] for zone in report["byZone"])
        yield [
            report["province"]["code"],
            report["province"]["name"],
            report["inPost"],
            months,
            _money(report["centralSubsidy"]),
            _money(report["localAllowance"]),
            _money(report["centralSubsidy"]) + _money(report["localAllowance"]),  # type: ignore[operator]
            report["uninsured"],
        ]


EXPORTS: dict[str, Export] = {
    **REFERENCE_EXPORTS,
    "applications": Export(
        "报名花名册",
        [
            Heading("姓名", 10),
            Heading("性别", 6),
            Heading("出生日期", 12, DATE),
            Heading("身份证号码", 22),
            Heading("手机号码", 14),
            Heading("学历", 12),
            Heading("第一志愿", 12),
            Heading("第二志愿", 12),
            Heading("第三志愿", 12),
            Heading("服从调剂", 10),
            Heading("报名日期", 12, DATE),
            Heading("学校审核", 10),
            Heading("状态", 16),
        ],
        ("year", "school"),
        _applications,
    ),
    "in-post": Export(
        "在岗志愿者花名册",
        [
            Heading("县级行政区划代码", 18),
            Heading("服务县", 12),
            Heading("姓名", 10),
            Heading("性别", 6),
            Heading("身份证号码", 22),
            Heading("手机号码", 14),
            Heading("毕业学校", 20),
            Heading("服务单位", 20),
            Heading("岗位", 16),
            Heading("岗位类别", 14),
            Heading("服务年度", 10),
            Heading("协议起始日期", 14, DATE),
            Heading("协议终止日期", 14, DATE),
        ],
        ("year",),
        _in_post,
    ),
    "post-structure": Export(
        "岗位结构",
        [
            Heading("省份代码", 10),
            Heading("省份", 20),
            Heading("岗位人数", 10),
            Heading("乡镇及以下占比", 16, PERCENT),
            Heading("乡村教育占比", 14, PERCENT),
            Heading("基层青年工作占比", 18, PERCENT),
            Heading("是否达标", 10),
            Heading("不达标事项", 60),
        ],
        ("year",),
        _post_structure,
    ),
    "funding": Export(
        "经费测算",
        [
            Heading("省份代码", 10),
            Heading("省份", 20),
            Heading("在岗人数", 10),
            Heading("服务人月", 10),
            Heading("中央财政补助（元）", 20, MONEY),
            Heading("地方生活补贴（元）", 20, MONEY),
            Heading("合计（元）", 18, MONEY),
            Heading("未参保人数", 12),
        ],
        ("year",),
        _funding,
    ),
}
