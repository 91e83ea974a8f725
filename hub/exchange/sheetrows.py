"""A constant-memory worksheet's rows serialized the way xlsxwriter serializes them, in a fraction of its time.

xlsxwriter (constant_memory) stores each row's cells and, when the next row begins, writes the row's XML
with one `_write_cell` per cell: building an attribute list, three regular expressions over the text and one
file write per cell. For a 20,000-row roster that was ~1.7 s of the export's ~3.5 s (issue 17). Here the
common cells — plain text, numbers, dates, formatted blanks — are written as one string per row, byte for
byte what xlsxwriter writes; any other cell (text needing an escape or a whitespace marker, booleans, rich
text, formulas) and any row with row formatting or comments go to xlsxwriter's own code. xlsxwriter still
stores, checks and bounds every cell (its `write_*` methods are unchanged): only the serialization is ours.
tests/test_xlsx_rows_are_written_as_xlsxwriter_writes_them.py compares the sheet XML of both, cell kind by cell
kind, so a release of xlsxwriter that changes its internals fails there, not in an office's file.
"""

from __future__ import annotations

import re
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell_fast

# Text xlsxwriter would change or mark: XML specials, control characters, `_xHHHH_` look-alikes, the two
# non-characters, leading or trailing whitespace (xml:space="preserve"), rich text (`<r>`). Such cells go
# to xlsxwriter.
NOT_PLAIN = re.compile(r'[\x00-\x1f_&<>"\ufffe\uffff]|^\s|\s$')
NEEDED = ("table", "previous_row", "row_info", "comments", "col_info", "dim_colmin", "dim_colmax", "fh")


def install(sheet: Any) -> bool:
    """Serialize `sheet`'s rows the fast way (a constant-memory worksheet only); False when this xlsxwriter
    lacks what it relies on, and the sheet is left as it was."""
    if not getattr(sheet, "constant_memory", False) or not all(hasattr(sheet, name) for name in NEEDED):
        return False
    write_cell = sheet._write_cell
    write_single_row = sheet._write_single_row
    attributes: dict[tuple[int, Any], str] = {}
    letters: dict[int, str] = {}

    def style(col: int, cell_format: Any) -> str:
        """The cell's ` s="…"` attribute as `_write_cell` gives it (rows with a row format never get here)."""
        key = (col, cell_format)
        found = attributes.get(key)
        if found is None:
            index = None
            if cell_format:
                index = cell_format._get_xf_index()
            elif col in sheet.col_info and sheet.col_info[col].column_format is not None:
                index = sheet.col_info[col].column_format._get_xf_index()
            found = attributes[key] = "" if index is None else f' s="{index}"'
        return found

    def single_row(current_row_num: int = 0) -> None:
        row_num = sheet.previous_row
        cells = sheet.table.get(row_num)
        if not cells or row_num in sheet.row_info or row_num in sheet.comments:
            write_single_row(current_row_num)
            return
        sheet.previous_row = current_row_num
        sheet._write_row(row_num, None)
        fh = sheet.fh
        parts: list[str] = []
        number = str(row_num + 1)
        for col in range(sheet.dim_colmin, sheet.dim_colmax + 1):
            cell = cells.get(col)
            if cell is None:
                continue
            ref = letters.get(col)
            if ref is None:
                ref = letters[col] = xl_rowcol_to_cell_fast(0, col)[:-1]
            ref += number
            kind = cell.__class__.__name__
            if kind == "String" and cell.string.__class__ is str and not NOT_PLAIN.search(cell.string):
                parts.append(f'<c r="{ref}"{style(col, cell.format)} t="inlineStr"><is><t>{cell.string}</t></is></c>')
            elif kind in ("Number", "Datetime"):
                parts.append(f'<c r="{ref}"{style(col, cell.format)}><v>{cell.number:.16G}</v></c>')
            elif kind == "Blank":
                parts.append(f'<c r="{ref}"{style(col, cell.format)}/>')
            else:  # xlsxwriter's own way, in order
                fh.write("".join(parts))
                parts.clear()
                write_cell(row_num, col, cell)
        parts.append("</row>")
        fh.write("".join(parts))
        sheet.table.clear()

    sheet._write_single_row = single_row
    return True
