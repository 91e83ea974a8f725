"""What text the hub stores: a person's name as written on an identity card, and no control characters
or over-long values in any text column (a hostile or broken client is refused with INVALID_INPUT instead
of a database error, and SQLite, which does not enforce VARCHAR lengths, behaves as PostgreSQL does)."""

from __future__ import annotations

import re
import unicodedata

from hub.i18n import _

NAME_MAX = 30  # 阿卜杜热西提·阿卜杜热合曼 is 13; transliterated minority names stay well under 30
NAME_MARKS = {"·", "•", "・", "-", "'", " "}  # the middle dot of minority names (买买提·艾力), as people type it
FREE_TEXT_CONTROLS = {"\n", "\t"}  # line breaks and tabs are allowed in longer text (reasons, notes)
# Unicode's control (Cc: U+0000–U+001F, U+007F–U+009F) and surrogate (Cs) characters but FREE_TEXT_CONTROLS:
# one regular-expression search instead of a category lookup per character (an import checks millions).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def name_problem(name: str) -> str | None:
    """Why `name` is no person's name (None: it is one). Letters of any script (汉字 including the rare
    characters of extension B and beyond, so 欧阳娜娜 and 㛃 pass), combining marks, digits, and the
    separators of NAME_MARKS; no emoji, symbols, punctuation or control characters; at most NAME_MAX."""
    if not name.strip():
        return _("the name is empty")
    if len(name) > NAME_MAX:
        return _("the name has {count} characters; at most {limit}", count=len(name), limit=NAME_MAX)
    if name != name.strip() or "  " in name:
        return _("the name has leading, trailing or doubled spaces")
    for character in name:
        category = unicodedata.category(character)
        if character in NAME_MARKS or category[0] in ("L", "M") or category == "Nd":
            continue
        return _("the name contains {character}, which no name has", character=_describe(character))
    return None


def text_problem(value: str, max_length: int | None) -> str | None:
    """Why `value` cannot be stored in a text column of `max_length` (None: it can)."""
    if max_length is not None and len(value) > max_length:
        return _("is {count} characters long; at most {limit}", count=len(value), limit=max_length)
    found = _CONTROL.search(value)
    if found:
        return _("contains {character}", character=_describe(found.group()))
    return None


def texts_fit(values: list[str], max_length: int | None) -> bool:
    """Whether `text_problem` finds nothing in any of `values`: one length check and one search over them all
    (a batch of thousands), so the problems are looked for one value at a time only when there are some."""
    if not values:
        return True
    if max_length is not None and max(map(len, values)) > max_length:
        return False
    return _CONTROL.search(" ".join(values)) is None  # the space is no control character: nothing new matches


def _describe(character: str) -> str:
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" ({name})" if name else " (a control character)")
