"""Helpers of the data-exchange tests: spreadsheets made in memory, offices as actors."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook, load_workbook

from hub.auth import Actor
from hub.enums import OfficeLevel

NATIONAL_OFFICE = Actor(OfficeLevel.NATIONAL, None, "ops-national")


def office(level: str, code: str | None = None) -> Actor:
    return Actor(OfficeLevel(level.upper()), code, f"ops-{level}-{code}")


def xlsx(rows: list[list[Any]]) -> bytes:
    """A workbook of `rows`, every text a text cell (as Excel stores '=x typed by a clerk)."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    for line in workbook.active.iter_rows():
        for cell in line:
            if cell.data_type == "f":
                cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def sheet_rows(data: bytes) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(data))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def where(report: Any) -> list[tuple[int | None, str | None, str]]:
    """The problems of a report as (line, column, code)."""
    return [(p.line, p.column, p.code) for p in report.problems]


async def download(client: Any, path: str, **actor: Any) -> Any:
    """GET a download with the token of `actor` (level=, code=, sub=), or none."""
    headers = {"authorization": f"Bearer {client.token(**actor)}"} if actor else {}
    return await client.http.get(path, headers=headers)


def workbook_of(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def pdf_text(response: Any) -> str:
    """The text of a downloaded PDF, as a reader's copy-and-paste gives it (whitespace dropped)."""
    from pypdf import PdfReader

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)
