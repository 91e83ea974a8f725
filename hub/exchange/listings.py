"""Reference data out in the import's own form: counties, schools and a year's posts, in the columns of
`hub/exchange/tables.py`, so an office's corrected file goes straight back in (export, edit, import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from hub.auth import Actor
from hub.exchange.calls import ask, pages
from hub.exchange.tables import TABLES
from hub.exchange.workbooks import Export, table_headings

COUNTIES = """query($province: String, $first: Int, $after: String) {
  page: counties(provinceCode: $province, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { code name keyAssistance remote } } } }"""
SCHOOLS = """query($province: String!) { province(code: $province) { schools { code name province { code } } } }"""
ALL_SCHOOLS = """{ provinces { schools { code name province { code } } } }"""
POSTS = """query($year: String!, $province: String, $county: String, $first: Int, $after: String) {
  page: posts(year: $year, provinceCode: $province, countyCode: $county, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { year title category headcount county { code } unit { name } } } } }"""


def _shown(kind: str, values: dict[str, Any]) -> list[Any]:
    return [column.show(values.get(column.field)) for column in TABLES[kind].columns]


async def counties(hub: Any, actor: Actor, params: dict[str, str]) -> AsyncIterator[list[Any]]:
    async for node in pages(hub, actor, COUNTIES, {"province": params.get("province") or None}):
        yield _shown("counties", node)


async def schools(hub: Any, actor: Actor, params: dict[str, str]) -> AsyncIterator[list[Any]]:
    if params.get("province"):
        province = (await ask(hub, actor, SCHOOLS, {"province": params["province"]}))["province"]
        listed = province["schools"] if province else []
    else:
        listed = [s for p in (await ask(hub, actor, ALL_SCHOOLS, {}))["provinces"] for s in p["schools"]]
    for school in listed:
        yield _shown("schools", {**school, "provinceCode": school["province"]["code"]})


async def posts(hub: Any, actor: Actor, params: dict[str, str]) -> AsyncIterator[list[Any]]:
    variables = {"year": params["year"], "province": params.get("province"), "county": params.get("county")}
    async for node in pages(hub, actor, POSTS, variables):
        yield _shown("posts", {**node, "countyCode": node["county"]["code"], "unitName": node["unit"]["name"]})


def _export(kind: str, rows: Any, required: tuple[str, ...]) -> Any:
    return Export(TABLES[kind].title, table_headings(kind), required, rows)


REFERENCE_EXPORTS = {
    "counties": _export("counties", counties, ()),
    "schools": _export("schools", schools, ()),
    "posts": _export("posts", posts, ("year",)),
}
