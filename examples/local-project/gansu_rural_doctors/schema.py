"""The scheme's GraphQL: its type, a field on the core `County`, and its one mutation."""

from __future__ import annotations

from datetime import date

import strawberry

from gansu_rural_doctors.models import RuralDoctorPlacement
from hub import models as m
from hub.enums import UserErrorCode
from hub.errors import DomainRefusal, Problem, UserError, refuse
from hub.graphql.fields import column, global_id, many, record
from hub.i18n import N_, _
from hub.mutation import Unit, mutation


@strawberry.type(description="A rural doctor placed by Gansu's rural-doctor scheme (甘肃乡村医生计划).")
@record(RuralDoctorPlacement, node=False)
class RuralDoctor:
    id: strawberry.ID = global_id("RuralDoctor", RuralDoctorPlacement)
    village: str = column()
    doctor_name: str = column()
    specialty: str = column()
    starts_on: date = column()


@strawberry.type
class RuralDoctorPayload:
    rural_doctor: RuralDoctor | None
    user_errors: list[UserError]


@strawberry.input
class RegisterRuralDoctorInput:
    county_code: str
    village: str
    doctor_name: str
    specialty: str
    starts_on: date


@strawberry.type
class CountyRuralDoctors:
    """Added to the core `County` type (hook `hub_type_fields`). Declared with hub.graphql.fields, so the read
    planner compiles it into the same one SQL statement as the core's fields."""

    rural_doctors: list[RuralDoctor] = many(
        RuralDoctorPlacement,
        "county_code",
        key="code",
        owner=m.County,
        description="Rural doctors the Gansu scheme placed in this county.",
    )


@strawberry.type
class RuralDoctorMutation:
    @mutation
    async def register_rural_doctor(unit: Unit, input: RegisterRuralDoctorInput) -> RuralDoctorPayload:
        """Place a rural doctor in a village of a Gansu county (the provincial office of Gansu only)."""
        county = await unit.session.get(m.County, input.county_code)
        unit.authorize({"province": county.province_code if county else input.county_code[:2]})
        if county is None:
            raise refuse(
                UserErrorCode.NOT_FOUND,
                _("no county has the code {code!r}", code=input.county_code),
                "input",
                "countyCode",
            )
        problems = [
            Problem(UserErrorCode.INVALID_INPUT, _(message), ("input", name))
            for name, value, message in (
                ("village", input.village, N_("the village is empty")),
                ("doctorName", input.doctor_name, N_("the doctor's name is empty")),
                ("specialty", input.specialty, N_("the specialty is empty")),
            )
            if not value.strip()
        ]
        if problems:
            raise DomainRefusal(problems)
        row = RuralDoctorPlacement(
            county_code=county.code,
            village=input.village.strip(),
            doctor_name=input.doctor_name.strip(),
            specialty=input.specialty.strip(),
            starts_on=input.starts_on,
            registered_at=unit.hub.clock.now(),
        )
        unit.session.add(row)
        await unit.session.flush()
        view = RuralDoctor.of(row)
        unit.record(
            view.id,
            {"county": county.code, "village": row.village, "doctorName": row.doctor_name},
            province=county.province_code,
            county=county.code,
        )
        return RuralDoctorPayload(rural_doctor=view, user_errors=[])
