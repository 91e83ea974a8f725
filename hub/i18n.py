"""The words people read, from one message catalogue: Chinese by default, English on request.

Messages are written in English in the code (gettext's msgids) and translated by the Chinese catalogue
`hub/locale/zh/LC_MESSAGES/hub.po`, read with Babel (as Django and Flask-Babel do). The language of the
moment is a context variable: the app sets it per request from `Accept-Language`, `hub --lang` for a
command; codes and GraphQL names never change with it. Enumerations are shown by their labels
(`hub.enums.label`)."""

from __future__ import annotations

import contextlib
import contextvars
import io
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DEFAULT = "zh"
LANGUAGES = ("zh", "en")
LOCALES = Path(__file__).parent / "locale"
_language: contextvars.ContextVar[str] = contextvars.ContextVar("hub_language", default=DEFAULT)


@cache
def catalogue(language: str) -> NullTranslations:
    """The translations of `language`: English is the code's own text; others come from their .po file."""
    path = LOCALES / language / "LC_MESSAGES" / "hub.po"
    if language == "en" or not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        messages = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return Translations(compiled)


def language() -> str:
    """The language of the current request or command."""
    return _language.get()


def _(message: str, **values: object) -> str:
    """`message` in the current language, its `{name}` fields filled from `values`."""
    translated = catalogue(language()).gettext(message)
    return translated.format(**values) if values else translated


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it yet (translated where it is shown)."""
    return message


def negotiate(accept_language: str | None) -> str:
    """The language an `Accept-Language` header (or `--lang`) asks for among ours; Chinese when none fits."""
    if not accept_language:
        return DEFAULT
    preferred = []
    for part in accept_language.split(","):
        tag, _sep, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        if tag and weight > 0:
            preferred.append((weight, tag.strip()))
    tags = [tag.replace("-", "_") for _weight, tag in sorted(preferred, key=lambda p: -p[0])]
    try:
        found = Locale.negotiate(tags, list(LANGUAGES), sep="_")
    except (UnknownLocaleError, ValueError):
        found = None
    return found.language if found else DEFAULT


def set_language(value: str) -> contextvars.Token[str]:
    """Make `value` (one of LANGUAGES) the language of the current context."""
    return _language.set(value if value in LANGUAGES else DEFAULT)


@contextlib.contextmanager
def speaking(value: str) -> Iterator[None]:
    """The current context speaks `value` inside the block."""
    token = set_language(value)
    try:
        yield
    finally:
        _language.reset(token)
