"""R15–R18, R20, R23 through the API: Gansu's office asks `suggestRecruitment` for its applicants who
passed selection and the exam, gets the optimum within the free quota of each cell (its own move and the
agreements already signed included), applies every suggestion through `signRecruitmentAgreement`, and is
left with the two applicants no free quota fits. Only the recruiting province's office may ask."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from hub import models as m
from hub.ids import to_global_id
from tests.season import GANSU, MOVE_QUOTA, NATIONAL, SIGN_RECRUITMENT, YEAR, client_at, must
from tests.seed import id_number, seed_reference

YUNNAN = {"level": "provincial", "code": "53", "sub": "ops-yunnan"}
TONGWEI = {"level": "county", "code": "621121", "sub": "ops-tongwei"}
SIGNING_DAY = date(2027, 6, 10)  # after the notices (ending June 5), before the June 20 milestone
SUGGEST = """query($year: String!, $province: String!) {
  suggestRecruitment(year: $year, recruitingProvinceCode: $province) {
    year recruitingProvince { code }
    assignments { application { id } servingProvince { code } preferenceRank }
    unplaced { application { id } reason }
    byRank { first second third adjusted unplaced } } }"""
# name, selection score, preferences, accepts adjustment
APPLICANTS = [
    ("甲", 90, ("62", "53", "65"), False),
    ("乙", 80, ("62", "53", "65"), False),
    ("丙", 70, ("62", "65", "53"), False),
    ("丁", 60, ("65", "62", "53"), True),
    ("戊", 50, ("53", "62", "65"), False),
    ("己", 40, ("62", "53", "65"), True),
    ("庚", 30, ("65", "53", "62"), False),
    ("辛", 20, ("62", "65", "53"), False),
]
CELLS = {"62": 5, "53": 2, "65": 2, "45": 1}  # Gansu's row; it moves one unit 65 → 45 itself (R16)


async def _season(hub: Any) -> dict[str, str]:
    """Gansu's quota row, four agreements already signed for 62, a withdrawn applicant, and the eight
    publicized applicants above; name → global id."""
    await seed_reference(hub)
    now = datetime.now(UTC)
    ids = {}
    async with hub.write_sessionmaker() as session, session.begin():
        for serving, quota in CELLS.items():
            session.add(m.Quota(year=YEAR, recruiting_province_code="62", serving_province_code=serving, quota=quota))
        rows = [(n, s, p, a, "PUBLICIZED") for n, s, p, a in APPLICANTS]
        rows += [(f"已签{k}", 99, ("62", "53", "65"), False, "RECRUITED") for k in range(4)]
        rows += [("撤回", 99, ("62", "53", "65"), True, "WITHDRAWN")]
        for index, (name, score, preferences, adjusts, status) in enumerate(rows):
            volunteer = m.Volunteer(
                subject=f"suggest-{index}",
                name=name,
                id_number=id_number(700 + index),
                phone=f"135{index:08d}",
                gender="MALE",
                birth_date=date(2004, 5, 6),
                school_code="10730",
                degree="BACHELOR",
                registered_at=now,
            )
            session.add(volunteer)
            await session.flush()
            recruited = status == "RECRUITED"
            app = m.Application(
                year=YEAR,
                volunteer_id=volunteer.id,
                active_volunteer_id=None if status == "WITHDRAWN" else volunteer.id,
                school_code="10730",
                recruiting_province_code="62",
                preference_1=preferences[0],
                preference_2=preferences[1],
                preference_3=preferences[2],
                accepts_adjustment=adjusts,
                status=status,
                submitted_at=now,
                written_score=score,
                selected=True,
                exam_passed=True,
                notice_starts_on=date(2027, 6, 1),
                notice_ends_on=date(2027, 6, 5),
                recruited_at=now if recruited else None,
                serving_province_code="62" if recruited else None,
                quota_recruiting_code="62" if recruited else None,
                confirmation_number=f"S-{index}" if recruited else None,
            )
            session.add(app)
            await session.flush()
            ids[name] = to_global_id("Application", app.id)
    return ids


async def test_suggestions_fill_the_free_quota_optimally_and_apply_through_agreements(settings, hub) -> None:  # type: ignore[no-untyped-def]
    """Free after the move and the four signed: 62:1, 53:2, 65:1, 45:2 (6 units for 8 applicants). Only 丁 and
    己 accept adjustment, so both go to 45 (no one else may); the other four units give three first
    preferences (62, 53 to 戊, 65 to 庚) and one second (53). Every suggestion is then signed."""
    ids = await _season(hub)
    names = {gid: name for name, gid in ids.items()}
    async with client_at(settings, SIGNING_DAY) as front:
        move = {"year": YEAR, "recruitingProvinceCode": "62", "fromServingProvinceCode": "65"}
        await must(front, MOVE_QUOTA, {**move, "toServingProvinceCode": "45", "amount": 1}, GANSU)
        answer = (await front.ok(SUGGEST, {"year": YEAR, "province": "62"}, **GANSU))["suggestRecruitment"]
        assert answer["year"] == YEAR and answer["recruitingProvince"] == {"code": "62"}
        assert answer["byRank"] == {"first": 3, "second": 1, "third": 0, "adjusted": 2, "unplaced": 2}
        placed = {
            names[a["application"]["id"]]: (a["servingProvince"]["code"], a["preferenceRank"])
            for a in answer["assignments"]
        }
        assert placed["丁"] == ("45", None) and placed["己"] == ("45", None)
        assert placed["戊"] == ("53", 1) and placed["庚"] == ("65", 1)
        others = {name: placed[name] for name in placed if name not in ("丁", "己", "戊", "庚")}
        assert sorted(others.values()) == [("53", 2), ("62", 1)], others
        unplaced = {names[u["application"]["id"]]: u["reason"] for u in answer["unplaced"]}
        assert set(unplaced.values()) == {"PREFERENCES_FULL"} and len(unplaced) == 2
        assert "撤回" not in placed and not any(name.startswith("已签") for name in placed)

        for a in answer["assignments"]:
            input = {"applicationId": a["application"]["id"], "servingProvinceCode": a["servingProvince"]["code"]}
            signed = await must(front, SIGN_RECRUITMENT, input, GANSU)
            assert signed["application"]["status"] == "RECRUITED"
        used = await front.sql(
            "SELECT serving_province_code, count(*) FROM applications WHERE confirmation_number IS NOT NULL "
            "AND status <> 'WITHDRAWN' GROUP BY serving_province_code ORDER BY serving_province_code"
        )
        assert [tuple(row) for row in used] == [("45", 2), ("53", 2), ("62", 5), ("65", 1)]

        again = (await front.ok(SUGGEST, {"year": YEAR, "province": "62"}, **GANSU))["suggestRecruitment"]
        assert again["assignments"] == []
        assert again["byRank"] == {"first": 0, "second": 0, "third": 0, "adjusted": 0, "unplaced": 2}
        assert {names[u["application"]["id"]] for u in again["unplaced"]} == set(unplaced)


@pytest.mark.parametrize(
    ("actor", "code"),
    [(YUNNAN, "FORBIDDEN"), (TONGWEI, "FORBIDDEN"), (NATIONAL, "FORBIDDEN"), (None, "UNAUTHENTICATED")],
)
async def test_only_the_recruiting_office_asks(settings, hub, actor: Any, code: str) -> None:  # type: ignore[no-untyped-def]
    await _season(hub)
    async with client_at(settings, SIGNING_DAY) as front:
        body = await front.gql(SUGGEST, {"year": YEAR, "province": "62"}, **(actor or {}))
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == [code]


async def test_a_bad_year_is_the_callers_mistake(settings, hub) -> None:  # type: ignore[no-untyped-def]
    await _season(hub)
    async with client_at(settings, SIGNING_DAY) as front:
        body = await front.gql(SUGGEST, {"year": "2027", "province": "62"}, **GANSU)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
