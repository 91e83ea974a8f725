"""Reference data for tests, written straight to the database (what the national office would set up)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hub import models as m
from hub.rules.deadlines import default_milestones
from hub.rules.idnumbers import check_character

YEAR = "2027-2028"
TODAY = date(2027, 3, 1)  # registration is open (closes 2027-05-16)
SERVING = {"62": 40, "53": 30, "65": 20, "45": 10}
SCHOOLS = [("10730", "兰州大学", "62"), ("10001", "北京大学", "11"), ("10673", "云南大学", "53")]
COUNTIES = [("621121", "通渭县"), ("620321", "永昌县"), ("530629", "威信县")]


def id_number(seq: int, birth: date = date(2004, 5, 6), area: str = "620102") -> str:
    first17 = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_character(first17)


async def seed_reference(hub) -> None:  # type: ignore[no-untyped-def]
    async with hub.write_sessionmaker() as session, session.begin():
        session.add(m.ProgramYear(code=YEAR))
        await session.flush()
        for milestone, closes_on in default_milestones(YEAR).items():
            session.add(m.MilestoneDate(year=YEAR, milestone=milestone.value, closes_on=closes_on))
        for province, scale in SERVING.items():
            session.add(m.ProvinceScale(year=YEAR, province_code=province, scale=scale))
        for code, name, province in SCHOOLS:
            session.add(m.School(code=code, name=name, province_code=province))
        for code, name in COUNTIES:
            session.add(
                m.County(
                    code=code,
                    name=name,
                    province_code=code[:2],
                    status="ACTIVE",
                    key_assistance="NATIONAL_KEY",
                )
            )


async def seed_volunteers(
    hub,
    count: int,
    school_code: str = "10730",
    county: str | None = None,  # type: ignore[no-untyped-def]
    start: int = 1,
) -> list[int]:
    """`count` registered volunteers with a submitted application each (optionally assigned to `county`)."""
    ids = []
    now = datetime.now(UTC)
    school_province = next(p for c, _n, p in SCHOOLS if c == school_code)
    async with hub.write_sessionmaker() as session, session.begin():
        for n in range(start, start + count):
            volunteer = m.Volunteer(
                subject=f"vol-{n}",
                name=f"志愿者{n}",
                id_number=id_number(n),
                phone=f"139{n:08d}",
                gender="MALE",
                birth_date=date(2004, 5, 6),
                school_code=school_code,
                degree="BACHELOR",
                registered_at=now,
            )
            session.add(volunteer)
            await session.flush()
            session.add(
                m.Application(
                    year=YEAR,
                    volunteer_id=volunteer.id,
                    active_volunteer_id=volunteer.id,
                    school_code=school_code,
                    recruiting_province_code=school_province,
                    preference_1="62",
                    preference_2="53",
                    preference_3="65",
                    accepts_adjustment=False,
                    status="SUBMITTED",
                    submitted_at=now,
                    serving_province_code=county[:2] if county else None,
                    county_code=county,
                )
            )
            ids.append(volunteer.id)
    return ids
