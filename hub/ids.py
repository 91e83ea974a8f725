"""Relay global object ids: base64 of `TypeName:key`."""

from __future__ import annotations

import base64
import binascii

from hub.errors import bad_input
from hub.i18n import _


def to_global_id(type_name: str, key: object) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, str]:
    """(type name, key) of a global id; a malformed id is a GraphQL input error."""
    try:
        raw = base64.b64decode(global_id.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_input(_("{id!r} is not a valid id", id=global_id)) from None
    type_name, sep, key = raw.partition(":")
    if not sep or not type_name or not key:
        raise bad_input(_("{id!r} is not a valid id", id=global_id))
    return type_name, key


def int_key(global_id: str, expected: str) -> int | None:
    """The integer key of a global id of type `expected`, or None when it names another type or is not one."""
    try:
        type_name, key = from_global_id(global_id)
    except Exception:
        return None
    if type_name != expected or not key.isdigit():
        return None
    return int(key)
