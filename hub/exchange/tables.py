"""The spreadsheet form of each importable kind: its columns, with the Chinese headers offices use, the
mutation input field each one fills, and how a cell's text becomes that field's value (and back).

One table per kind serves the import, the template (`hub import --template KIND`) and the reference-data
exports, so a file exported from the hub imports back unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from hub.enums import Degree, KeyAssistance, PostCategory, labels
from hub.i18n import _


class CellError(ValueError):
    """A cell whose text is not a value of its column (reported at its row and column, nothing written)."""


def text(value: Any) -> str:
    """A cell as text: spreadsheets hand codes over as numbers (621121.0), CSV hands over strings."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _required(value: Any) -> str:
    out = text(value)
    if not out:
        raise CellError(_("the cell is empty"))
    return out


def _optional(value: Any) -> str | None:
    return text(value) or None


def _count(value: Any) -> int:
    out = _required(value)
    try:
        return int(out)
    except ValueError:
        raise CellError(_("{value!r} is not a whole number", value=out)) from None


YES, NO = "是", "否"
FLAG = (YES, NO)


def _flag(value: Any) -> bool | None:
    out = text(value)
    if not out:
        return None
    if out in (YES, "TRUE", "True", "true", "1"):
        return True
    if out in (NO, "FALSE", "False", "false", "0"):
        return False
    raise CellError(_("{value!r} is neither {yes} nor {no}", value=out, yes=YES, no=NO))


def _labelled(shown: dict[Enum, str]) -> tuple[Callable[[Any], str], Callable[[Any], str]]:
    """Parse and show an enum by its Chinese label (its GraphQL name is accepted too)."""
    by_label = {label: member.value for member, label in shown.items()}
    by_name = {member.value: member.value for member in shown}

    def parse(value: Any) -> str:
        out = _required(value)
        if out in by_label or out in by_name:
            return by_label.get(out) or by_name[out]
        raise CellError(_("{value!r} is not one of {choices}", value=out, choices="、".join(shown.values())))

    def show(value: Any) -> str:
        return shown[type(next(iter(shown)))(value)]

    return parse, show


KEY_ASSISTANCE = labels(KeyAssistance)
POST_CATEGORY = labels(PostCategory)  # R13
DEGREE = labels(Degree)


def _whole(value: Any) -> int | None:
    return None if value is None else int(value)


def _flag_text(value: Any) -> str:
    return "" if value is None else (YES if value else NO)


@dataclass(frozen=True)
class Column:
    """One column: its header, the input field it fills, how a cell is read and shown, an example cell."""

    header: str
    field: str
    parse: Callable[[Any], Any]
    example: str
    show: Callable[[Any], Any] = text
    optional: bool = False  # the column may be left out of a file altogether
    number_format: str = "@"  # how an export and the template format it: text ("@"), so codes keep their zeros
    choices: tuple[str, ...] = ()  # an enumerated column's values: the template's drop-down list


@dataclass(frozen=True)
class Table:
    """An importable kind: the batch mutation it runs and the list field of that mutation's input."""

    kind: str
    title: str
    mutation: str
    rows_field: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, field: str) -> Column | None:
        return next((c for c in self.columns if c.field == field), None)


_key_parse, _key_show = _labelled(KEY_ASSISTANCE)
_category_parse, _category_show = _labelled(POST_CATEGORY)
_degree_parse, _degree_show = _labelled(DEGREE)

TABLES: dict[str, Table] = {
    "counties": Table(
        "counties",
        "县（市、区、旗）",
        "upsertCounties",
        "counties",
        (
            Column("县级行政区划代码", "code", _required, "621121"),
            Column("县名称", "name", _required, "通渭县"),
            Column(
                "帮扶类别",
                "keyAssistance",
                _key_parse,
                KEY_ASSISTANCE[KeyAssistance.NATIONAL_KEY],
                _key_show,
                choices=tuple(KEY_ASSISTANCE.values()),
            ),
            Column("是否边远", "remote", _flag, YES, _flag_text, optional=True, choices=FLAG),
        ),
    ),
    "schools": Table(
        "schools",
        "高校",
        "upsertSchools",
        "schools",
        (
            Column("学校代码", "code", _required, "10730"),
            Column("学校名称", "name", _required, "兰州大学"),
            Column("所在省份代码", "provinceCode", _required, "62"),
        ),
    ),
    "posts": Table(
        "posts",
        "服务岗位",
        "declarePosts",
        "posts",
        (
            Column("项目年度", "year", _required, "2027-2028"),
            Column("县级行政区划代码", "countyCode", _required, "621121"),
            Column("服务单位", "unitName", _required, "通渭县第一中学"),
            Column("岗位名称", "title", _required, "数学教师"),
            Column(
                "岗位类别",
                "category",
                _category_parse,
                POST_CATEGORY[PostCategory.RURAL_EDUCATION],
                _category_show,
                choices=tuple(POST_CATEGORY.values()),
            ),
            Column("需求人数", "headcount", _count, "2", _whole, number_format="0"),
        ),
    ),
    "volunteers": Table(
        "volunteers",
        "志愿者",
        "registerVolunteers",
        "volunteers",
        (
            Column("登录账号", "subject", _required, "lzu-2027-0001"),
            Column("姓名", "name", _required, "张三"),
            Column("身份证号码", "idNumber", _required, "620102200405060010"),
            Column("手机号码", "phone", _required, "13912345678"),
            Column("学校代码", "schoolCode", _required, "10730"),
            Column(
                "学历", "degree", _degree_parse, DEGREE[Degree.BACHELOR], _degree_show, choices=tuple(DEGREE.values())
            ),
            Column("有无工作经历", "hasWorkExperience", lambda v: bool(_flag(v)), NO, _flag_text, choices=FLAG),
            Column("研究生支教团", "graduateTeachingGroup", _flag, NO, _flag_text, optional=True, choices=FLAG),
            Column("志愿服务经历", "volunteerExperience", _optional, "西部计划宣讲志愿者", optional=True),
        ),
    ),
}
