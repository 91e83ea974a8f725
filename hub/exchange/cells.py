"""Text that a spreadsheet would run as a formula (OWASP "CSV injection"), written so that it never runs yet
reads back exactly as it was.

A county, unit or post name is text people typed; one that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return is a formula to Excel and WPS (`=HYPERLINK("http://…","点此")`). In an .xlsx the cell is
written as a string cell with Excel's own "quote prefix" flag — what Excel stores when a clerk types
`'=1` — so it is shown and read back as the text itself, never evaluated. A CSV has no cell types: there
the text gets one leading apostrophe (OWASP's advice), which the import takes off again. Text that already
starts with apostrophes before such a character gets one more, so every text round-trips exactly."""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = re.compile(r"^'*[=+\-@\t\r]")
_UNQUOTE = re.compile(r"^'+[=+\-@\t\r]")


def would_be_formula(value: Any) -> bool:
    """True for a text a spreadsheet would take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: Any) -> Any:
    """A value as a CSV cell: a would-be formula (after any apostrophes) gets one more leading apostrophe."""
    if isinstance(value, str) and _QUOTED.match(value):
        return "'" + value
    return value


def csv_untext(value: str) -> str:
    """The text `csv_text` wrote: one leading apostrophe before a would-be formula is taken off."""
    return value[1:] if _UNQUOTE.match(value) else value
