"""Trusted documents: the GraphQL operations a front end registered at build time (its persisted query
manifest). With HUB_TRUSTED_DOCUMENTS=on only these run (hub/persisted.py); stored in the database so that
every hub process serves the same list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel


class TrustedDocument(SQLModel, table=True):
    __tablename__ = "trusted_documents"

    id: str = Field(primary_key=True, max_length=128)  # the manifest's id (Apollo: the body's SHA-256)
    sha256: str = Field(max_length=64, index=True)  # of the body, to recognise the full text sent instead
    body: str = Field(sa_column=Column(Text, nullable=False))
    name: str | None = Field(default=None, max_length=200)  # the operation's name, when it has one
    client: str | None = Field(default=None, max_length=100)  # which front end registered it
    added_at: datetime
