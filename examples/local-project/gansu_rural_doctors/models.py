"""The scheme's own table: medical graduates placed as village doctors in Gansu's service counties."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class RuralDoctorPlacement(SQLModel, table=True):
    """A rural doctor (乡村医生) placed in a village of a Gansu county by the provincial local project."""

    __tablename__ = "gansu_rural_doctors"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="counties.code", index=True, max_length=6)
    village: str = Field(max_length=60)
    doctor_name: str = Field(max_length=60)
    specialty: str = Field(max_length=40)
    starts_on: date
    registered_at: datetime
