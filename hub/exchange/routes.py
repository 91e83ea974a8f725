"""The download routes: `/exports/{name}.xlsx` and `/documents/{name}.pdf`, with the bearer token of
/graphql. Refusals are JSON with the GraphQL error code and its HTTP status (401, 403, 400, 404, 409)."""

from __future__ import annotations

import html
from typing import Any

from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from hub.auth import Actor, AuthenticationError, bearer
from hub.exchange.calls import Refused, ask
from hub.exchange.documents import DOCUMENTS, VERIFY, chinese_date
from hub.exchange.exports import EXPORTS
from hub.exchange.workbooks import chunks, write_xlsx
from hub.i18n import _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refusal(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=status)


def _caller(request: Request, hub: Any) -> Actor:
    try:
        actor = bearer(request.headers.get("authorization", ""), hub.settings)
    except AuthenticationError as exc:
        raise Refused("UNAUTHENTICATED", str(exc)) from None
    if actor is None:
        raise Refused("UNAUTHENTICATED", _("downloads need a token (Authorization: Bearer <token>)"))
    return actor


def exchange_routes(hub: Any) -> list[Route]:
    """The routes create_app adds for the exchange."""

    async def export(request: Request) -> Response:
        name = request.path_params["name"]
        spec = EXPORTS.get(name)
        if spec is None:
            return _refusal(
                "NOT_FOUND", _("no export {name!r}; one of {names}", name=name, names=", ".join(EXPORTS)), 404
            )
        params = {k: v.strip() for k, v in request.query_params.items()}
        try:
            actor = _caller(request, hub)
            missing = [p for p in spec.required if not params.get(p)]
            if missing:
                raise Refused(
                    "BAD_USER_INPUT", _("{name} needs {params}", name=name, params=", ".join(p + "=" for p in missing))
                )
            handle = await write_xlsx(spec.title, spec.headings, spec.rows(hub, actor, params))
        except Refused as refused:
            return _refusal(refused.code, refused.message, refused.status)
        filename = "-".join([name, *(params[p] for p in ("year", "school", "county", "province") if params.get(p))])
        return StreamingResponse(
            iterate_in_threadpool(chunks(handle)),
            media_type=XLSX,
            headers={"content-disposition": f'attachment; filename="{filename}.xlsx"'},
        )

    async def document(request: Request) -> Response:
        name = request.path_params["name"]
        spec = DOCUMENTS.get(name)
        if spec is None:
            return _refusal(
                "NOT_FOUND", _("no document {name!r}; one of {names}", name=name, names=", ".join(DOCUMENTS)), 404
            )
        try:
            actor = _caller(request, hub)
            key = request.query_params.get(spec.param, "").strip()
            if not key:
                raise Refused("BAD_USER_INPUT", _("{name} needs {param}= (an id)", name=name, param=spec.param))
            pdf = await spec.make(hub, actor, key, base_url=str(request.base_url))
        except Refused as refused:
            return _refusal(refused.code, refused.message, refused.status)
        return Response(
            pdf, media_type="application/pdf", headers={"content-disposition": f'inline; filename="{name}.pdf"'}
        )

    async def certificate(request: Request) -> Response:
        """The public check of a service certificate (R31), the address its QR code holds: what
        verifyCertificate answers (name, province, years served), for anyone, as a small page."""
        number = request.path_params["number"]
        check = (await ask(hub, None, VERIFY, {"number": number}))["verifyCertificate"]
        if not check:
            body = f"<p>证书编号 {html.escape(number)} 不存在或未颁发。</p>"
            return HTMLResponse(_page(body), status_code=404)
        body = (
            f"<p>证书编号 {html.escape(check['number'])} 有效：{html.escape(check['name'])}，"
            f"在{html.escape(check['province']['name'])}服务 {check['yearsServed']} 年，"
            f"{chinese_date(check['completedOn'])}服务期满。</p>"
        )
        return HTMLResponse(_page(body))

    return [
        Route("/exports/{name}.xlsx", export),
        Route("/documents/{name}.pdf", document),
        Route("/certificates/{number}", certificate),
    ]


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>服务证书查验</title></head>'
        f"<body><h1>大学生志愿服务西部计划服务证书查验</h1>{body}</body></html>"
    )
