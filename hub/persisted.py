"""Persisted operations: Apollo's automatic persisted queries, and trusted documents for production.

Both travel as Apollo's clients send them: `extensions: {persistedQuery: {version: 1, sha256Hash: H}}`.

- APQ (HUB_APQ, on by default; off in trusted mode): a request with H and no `query` runs the document
  registered under H, or answers PERSISTED_QUERY_NOT_FOUND; the client then sends H with the full text,
  which is checked (SHA-256) and kept. Kept per process, in a bounded LRU, as Apollo Server keeps them in
  its cache: a process that has not seen H yet asks for the text once.
- Trusted documents (HUB_TRUSTED_DOCUMENTS=on): only the operations of a registered manifest run — by id
  (PERSISTED_QUERY_NOT_IN_LIST when unknown) or as full text whose SHA-256 is registered
  (QUERY_NOT_IN_SAFELIST otherwise), the codes of Apollo's router. The list lives in the database
  (`trusted_documents`, `hub documents add manifest.json`), so every process of the hub serves the same one.

Manifests: Apollo's persisted query manifest (`{"format": "apollo-persisted-query-manifest", "version": 1,
"operations": [{"id", "body", "name", "type"}]}`, from @apollo/generate-persisted-query-manifest) or the
`{id: body}` map that Relay and GraphQL Code Generator's client preset write."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, parse, validate
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.http import GraphQLRequestData

from hub.i18n import _
from hub.models.documents import TrustedDocument

APQ_SIZE = 1000  # documents kept per process
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


@dataclass(frozen=True)
class ManifestEntry:
    id: str
    body: str
    name: str | None


class ManifestError(ValueError):
    """A manifest the hub refuses, with every reason."""


def read_manifest(data: Any, schema: GraphQLSchema) -> list[ManifestEntry]:
    """The operations of a manifest, each parsed and validated against `schema`; ManifestError lists every
    problem (an id that is not the body's SHA-256, a document that does not parse or validate)."""
    if isinstance(data, dict) and data.get("format") == "apollo-persisted-query-manifest":
        if data.get("version") != 1:
            raise ManifestError(
                _("apollo-persisted-query-manifest version {version!r} is not 1", version=data.get("version"))
            )
        raw = [(op.get("id"), op.get("body"), op.get("name")) for op in data.get("operations") or []]
    elif isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
        raw = [(key, body, None) for key, body in data.items()]
    else:
        raise ManifestError(_("not a persisted query manifest: expected Apollo's format or an {id: document} map"))
    entries, problems = [], []
    for number, (identifier, body, name) in enumerate(raw, 1):
        where = _("operation {number} ({id})", number=number, id=identifier)
        if not isinstance(identifier, str) or not identifier or len(identifier) > 128:
            problems.append(_("{where}: the id must be a string of 1 to 128 characters", where=where))
            continue
        if not isinstance(body, str) or not body.strip():
            problems.append(_("{where}: no document", where=where))
            continue
        if SHA256.match(identifier) and identifier != sha256_hex(body):
            problems.append(_("{where}: the id is not the SHA-256 of the document", where=where))
            continue
        try:
            document = parse(body)
        except GraphQLError as exc:
            problems.append(_("{where}: {message}", where=where, message=exc.message))
            continue
        invalid = validate(schema, document)
        if invalid:
            problems.extend(_("{where}: {message}", where=where, message=e.message) for e in invalid)
            continue
        if name is None:
            names = [d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name]
            name = names[0] if len(names) == 1 else None
        entries.append(ManifestEntry(identifier, body, name))
    if problems:
        raise ManifestError("\n".join(problems))
    return entries


async def add_documents(session: AsyncSession, entries: list[ManifestEntry], client: str | None) -> tuple[int, int]:
    """Register `entries` (in the caller's transaction): (added, already there). An id registered with
    another body is refused: a trusted id names one document for ever."""
    ids = [e.id for e in entries]
    found = await session.execute(select(TrustedDocument.id, TrustedDocument.body).where(TrustedDocument.id.in_(ids)))
    existing: dict[str, str] = {identifier: body for identifier, body in found.all()}
    clashes = [e.id for e in entries if e.id in existing and existing[e.id] != e.body]
    if clashes:
        raise ManifestError(_("already registered with another document: {ids}", ids=", ".join(clashes)))
    now = datetime.now(UTC)
    added = 0
    for entry in entries:
        if entry.id in existing:  # registered before, or earlier in this manifest
            if existing[entry.id] != entry.body:
                raise ManifestError(_("the manifest names {id} twice with different documents", id=entry.id))
            continue
        digest = sha256_hex(entry.body)
        session.add(
            TrustedDocument(id=entry.id, sha256=digest, body=entry.body, name=entry.name, client=client, added_at=now)
        )
        existing[entry.id] = entry.body
        added += 1
    return added, len(entries) - added


class PersistedDocuments:
    """Resolves a request's persisted-query extension to its document, per the hub's mode."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], trusted: bool, apq: bool) -> None:
        self.sessionmaker = sessionmaker
        self.trusted = trusted
        self.apq = apq and not trusted
        self._apq: OrderedDict[str, str] = OrderedDict()
        self._trusted: dict[str, str] = {}  # id or sha256 -> body: registered documents never change

    async def resolve(self, data: GraphQLRequestData) -> GraphQLRequestData | GraphQLError:
        persisted = (data.extensions or {}).get("persistedQuery")
        if persisted is None:
            if not self.trusted or data.query is None:
                return data
            if await self._registered(sha256_hex(data.query), by_hash=True) is None:
                return _error(
                    _("this operation is not in the hub's list of trusted documents"), "QUERY_NOT_IN_SAFELIST"
                )
            return data
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            return _error("Unsupported persisted query version", "PERSISTED_QUERY_VERSION_NOT_SUPPORTED")
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not digest:
            return _error(_("persistedQuery needs a sha256Hash"), "BAD_REQUEST")
        if self.trusted:
            body = await self._registered(digest, by_hash=False) or await self._registered(digest.lower(), by_hash=True)
            if body is None:
                return _error("PersistedQueryNotInList", "PERSISTED_QUERY_NOT_IN_LIST")
            if data.query is not None and data.query != body:
                return _error("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
            return replace(data, query=body)
        if not self.apq:
            return _error("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")
        if data.query is None:
            body = self._apq.get(digest)
            if body is None:
                return _error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            self._apq.move_to_end(digest)
            return replace(data, query=body)
        if sha256_hex(data.query) != digest.lower():
            return _error("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
        self._apq[digest.lower()] = data.query
        self._apq.move_to_end(digest.lower())
        while len(self._apq) > APQ_SIZE:
            self._apq.popitem(last=False)
        return data

    async def _registered(self, key: str, by_hash: bool) -> str | None:
        cache_key = ("sha256:" if by_hash else "id:") + key
        body = self._trusted.get(cache_key)
        if body is not None:
            return body
        column = TrustedDocument.sha256 if by_hash else TrustedDocument.id
        async with self.sessionmaker() as session:
            body = (await session.execute(select(TrustedDocument.body).where(column == key).limit(1))).scalar()
        if body is not None:
            self._trusted[cache_key] = body
        return body
