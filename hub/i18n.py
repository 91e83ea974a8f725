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
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

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


def _(msgid: str, /, **values: object) -> str:
    """`msgid` in the current language, its `{name}` fields filled from `values`."""
    translated = catalogue(language()).gettext(msgid)
    return translated.format(**values) if values else translated


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it yet (translated where it is shown)."""
    return message


def negotiate(accept_language: str | None) -> str:
    """The language an `Accept-Language` header (or `--lang`) asks for among ours; Chinese when none fits."""
    if not accept_language:
        return DEFAULT
    if len(accept_language) <= 256:  # what browsers send, again and again: Babel's negotiation is not cheap
        return _negotiate_cached(accept_language)
    return _negotiate(accept_language)


@lru_cache(maxsize=256)
def _negotiate_cached(accept_language: str) -> str:
    return _negotiate(accept_language)


def _negotiate(accept_language: str) -> str:
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


ROW_MESSAGE = N_("row {row}: {message}")  # how a batch mutation's problem names its input row


def spoken(message: str) -> str:
    """A userError message in the current language: the catalogue's translation of a message the code
    wrote in English, its batch-row prefix ("row 3: …") translated on its own."""
    found = _ROW.match(message)
    if found:
        return _(ROW_MESSAGE, row=found[1], message=_(found[2]))
    return _(message)


def row_prefix() -> re.Pattern[str]:
    """The row prefix of `spoken` messages in the current language, to take off where the line is shown."""
    before, _sep, after = _(ROW_MESSAGE).partition("{row}")
    return re.compile("^" + re.escape(before) + r"\d+" + re.escape(after.replace("{message}", "")))


_ROW = re.compile(r"^row (\d+): (.*)$", re.DOTALL)


class LanguageMiddleware:
    """ASGI middleware: the request (or a subscription's websocket) speaks the language its `Accept-Language`
    header asks for (Chinese by default); a response that depends on it says so with `Vary` and
    `Content-Language`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        asked = dict(scope.get("headers") or []).get(b"accept-language", b"").decode("latin-1")
        chosen = negotiate(asked)
        token = _language.set(chosen)  # as `speaking`, without a generator per request
        try:
            if scope["type"] == "websocket":  # a subscription speaks the language of its handshake
                await self.app(scope, receive, send)
                return
            label = [(b"content-language", chosen.encode()), (b"vary", b"Accept-Language")]

            async def labelled(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*(message.get("headers") or ()), *label]}
                await send(message)

            await self.app(scope, receive, labelled)
        finally:
            _language.reset(token)
