"""R18, R16 under parallel requests: recruitment agreements never overdraw a quota cell, a recruiting
province's own moves never pass 10% of its total, and the national office cannot lower a cell below what
parallel agreements have already used. Every request goes through the ASGI app with its own session."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update

from hub import models as m
from hub.ids import to_global_id
from tests.season import GANSU, MOVE_QUOTA, NATIONAL, SET_QUOTA, SIGN_RECRUITMENT, YEAR, client_at, must
from tests.seed import seed_reference, seed_volunteers

SIGNING_DAY = date(2027, 6, 15)  # after the notice, before the recruitment milestone (June 20)
QUOTA_OF = f"""query($serving: String) {{ quotas(year: "{YEAR}", recruitingProvinceCode: "62",
  servingProvinceCode: $serving) {{ servingProvince {{ code }} quota used }} }}"""


def _database(settings: Any) -> str:
    return "sqlite" if settings.database_url.startswith("sqlite") else "postgres"


async def _publicized(hub: Any, count: int, recruited: int = 0) -> list[str]:
    """`count` applications of school 10730 (recruiting province 62) whose public notice has ended; the first
    `recruited` of them already hold an agreement for 62→62. The global ids of the publicized ones."""
    await seed_volunteers(hub, count + recruited)
    async with hub.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(m.Application)
            .where(m.Application.year == YEAR)
            .values(
                status="PUBLICIZED",
                selected=True,
                psychological_passed=True,
                exam_passed=True,
                examined_on=date(2027, 6, 5),
                notice_starts_on=date(2027, 6, 8),
                notice_ends_on=date(2027, 6, 12),
            )
        )
        ids = list((await session.execute(select(m.Application.id).order_by(m.Application.id))).scalars())
        for n, key in enumerate(ids[:recruited]):
            await session.execute(
                update(m.Application)
                .where(m.Application.id == key)
                .values(
                    status="RECRUITED",
                    serving_province_code="62",
                    quota_recruiting_code="62",
                    confirmation_number=f"XB2027-6262-SEEDED{n:04d}",
                )
            )
    return [to_global_id("Application", key) for key in ids[recruited:]]


async def _set_cells(hub: Any, cells: dict[str, int]) -> None:
    """Quota cells 62→serving, written as the national office would have set them."""
    async with hub.write_sessionmaker() as session, session.begin():
        for serving, quota in cells.items():
            session.add(m.Quota(year=YEAR, recruiting_province_code="62", serving_province_code=serving, quota=quota))


def _sign(front: Any, application_id: str, serving: str) -> Any:
    return front.gql(
        SIGN_RECRUITMENT, {"input": {"applicationId": application_id, "servingProvinceCode": serving}}, **GANSU
    )


async def _timed(label: str, settings: Any, calls: list[Any]) -> list[dict[str, Any]]:
    """Run the calls in parallel; print how long they took."""
    started = time.perf_counter()
    bodies = await asyncio.gather(*calls)
    print(f"\n[{_database(settings)}] {label}: {len(calls)} parallel requests in {time.perf_counter() - started:.2f}s")
    return list(bodies)


def _payloads(bodies: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """The mutation payloads; a GraphQL error (a crash, a deadlock, a pool timeout) fails the test."""
    crashed = [b["errors"] for b in bodies if b.get("errors")]
    assert not crashed, crashed
    return [b["data"][field] for b in bodies]


async def _audited(front: Any, operation: str) -> int:
    [(count,)] = await front.sql("SELECT count(*) FROM audit_entries WHERE operation = :op", op=operation)
    return count


@pytest.mark.parametrize("round_", [1, 2, 3])
async def test_parallel_agreements_never_overdraw_a_cell(settings, hub, round_: int) -> None:  # type: ignore[no-untyped-def]
    """R18: 30 parallel agreements into a cell with 6 free places of 7: six signed, 24 QUOTA_EXCEEDED."""
    await seed_reference(hub)
    applicants = await _publicized(hub, 30, recruited=1)
    await _set_cells(hub, {"62": 7})

    async with client_at(settings, SIGNING_DAY) as front:
        bodies = await _timed(
            f"round {round_}: signRecruitmentAgreement ×30 into 6 free places",
            settings,
            [_sign(front, gid, "62") for gid in applicants],
        )
        results = _payloads(bodies, "signRecruitmentAgreement")
        signed = [r for r in results if r["application"] is not None]
        refused = [r for r in results if r["application"] is None]
        assert len(signed) == 6, Counter(e["code"] for r in refused for e in r["userErrors"])
        assert all(r["userErrors"] == [] and r["application"]["status"] == "RECRUITED" for r in signed)
        assert len(refused) == 24
        assert [[e["code"] for e in r["userErrors"]] for r in refused] == [["QUOTA_EXCEEDED"]] * 24
        numbers = [r["application"]["recruitmentAgreement"]["confirmationNumber"] for r in signed]
        assert len(set(numbers)) == 6

        data = await front.ok(QUOTA_OF, {"serving": "62"}, **NATIONAL)
        assert data["quotas"] == [{"servingProvince": {"code": "62"}, "quota": 7, "used": 7}]
        assert await front.sql("SELECT status, count(*) FROM applications GROUP BY status ORDER BY status") == [
            ("PUBLICIZED", 24),
            ("RECRUITED", 7),
        ]
        assert await front.sql(
            "SELECT count(confirmation_number), count(DISTINCT confirmation_number) FROM applications"
        ) == [(7, 7)]
        assert await _audited(front, "signRecruitmentAgreement") == 6


async def test_parallel_quota_moves_stay_within_a_tenth_of_the_total(settings, hub) -> None:  # type: ignore[no-untyped-def]
    """R16: ten parallel moves of one place each, crossing in every direction, against a total of 50:
    five are accepted (10% of 50), five QUOTA_ADJUSTMENT_LIMIT; the total never changes."""
    await seed_reference(hub)
    cells = {"62": 25, "53": 15, "65": 10}
    await _set_cells(hub, cells)
    directions = [("62", "53"), ("53", "62"), ("65", "62"), ("62", "65"), ("53", "65")] * 2

    async with client_at(settings, SIGNING_DAY) as front:
        bodies = await _timed(
            "moveQuota ×10 of one place, total 50",
            settings,
            [
                front.gql(
                    MOVE_QUOTA,
                    {
                        "input": {
                            "year": YEAR,
                            "recruitingProvinceCode": "62",
                            "fromServingProvinceCode": source,
                            "toServingProvinceCode": target,
                            "amount": 1,
                        }
                    },
                    **GANSU,
                )
                for source, target in directions
            ],
        )
        results = _payloads(bodies, "moveQuota")
        accepted = [d for d, r in zip(directions, results, strict=True) if r["userErrors"] == []]
        refused = [[e["code"] for e in r["userErrors"]] for r in results if r["userErrors"]]
        assert len(accepted) == 5, refused
        assert refused == [["QUOTA_ADJUSTMENT_LIMIT"]] * 5

        expected = dict(cells)
        for source, target in accepted:
            expected[source] -= 1
            expected[target] += 1
        data = await front.ok(QUOTA_OF, {"serving": None}, **NATIONAL)
        assert {q["servingProvince"]["code"]: q["quota"] for q in data["quotas"]} == expected
        assert sum(q["quota"] for q in data["quotas"]) == 50
        assert await front.sql("SELECT count(*), sum(amount) FROM quota_moves") == [(5, 5)]
        assert await _audited(front, "moveQuota") == 5


async def test_lowering_a_cell_while_agreements_are_signed_never_leaves_it_overdrawn(settings, hub) -> None:  # type: ignore[no-untyped-def]
    """R18 with R15: the national office lowers cell 62→53 while 20 agreements race into it. Whatever the
    interleaving, no accepted setQuota lies below what was used when it committed, refused ones say
    INVALID_INPUT, and the cell ends with used ≤ quota."""
    await seed_reference(hub)
    applicants = await _publicized(hub, 20)
    await _set_cells(hub, {"53": 12})
    lowered_to = [10, 7, 4, 9]

    async with client_at(settings, SIGNING_DAY) as front:

        def lower(quota: int) -> Any:
            cell = {"year": YEAR, "recruitingProvinceCode": "62", "servingProvinceCode": "53", "quota": quota}
            return front.gql(SET_QUOTA, {"input": cell}, **NATIONAL)

        calls = [_sign(front, gid, "53") for gid in applicants]
        lowered_at = (2, 7, 12, 17)  # inserted in rising order, so these are their final positions
        for position, quota in zip(lowered_at, lowered_to, strict=True):
            calls.insert(position, lower(quota))
        bodies = await _timed("signRecruitmentAgreement ×20 and setQuota ×4 on one cell", settings, calls)

        lowerings = _payloads([b for i, b in enumerate(bodies) if i in lowered_at], "setQuota")
        signs = _payloads([b for i, b in enumerate(bodies) if i not in lowered_at], "signRecruitmentAgreement")
        signed = [r for r in signs if r["application"] is not None]
        assert [[e["code"] for e in r["userErrors"]] for r in signs if r["application"] is None] == [
            ["QUOTA_EXCEEDED"]
        ] * (20 - len(signed))
        for result in lowerings:
            assert [e["code"] for e in result["userErrors"]] in ([], ["INVALID_INPUT"]), result
            assert result["userErrors"] == [] or result["userErrors"][0]["field"] == ["input", "quota"]

        [cell] = (await front.ok(QUOTA_OF, {"serving": "53"}, **NATIONAL))["quotas"]
        print(f"[{_database(settings)}] cell 62→53 ends at used {cell['used']} of {cell['quota']}")
        assert cell["used"] == len(signed) <= cell["quota"]
        assert await _audited(front, "signRecruitmentAgreement") == len(signed)

        # Replay what was accepted, in the order it committed (the audit entry is written under the cell's lock).
        async with front.hub.sessionmaker() as session:
            entries = (
                await session.execute(
                    select(m.AuditEntry.operation, m.AuditEntry.changes)
                    .where(m.AuditEntry.operation.in_(["signRecruitmentAgreement", "setQuota"]))
                    .order_by(m.AuditEntry.id)
                )
            ).all()
        quota, used, order = 12, 0, []
        for operation, changes in entries:
            if operation == "setQuota":
                [change] = changes.values()
                assert change["quota"]["from"] == quota
                quota = change["quota"]["to"]
                order.append(f"quota→{quota}")
                assert used <= quota, f"setQuota to {quota} committed with {used} places used"
            else:
                used += 1
                order.append("+1")
                assert used <= quota, f"agreement {used} committed into a quota of {quota}"
        print(f"[{_database(settings)}] committed in this order: {' '.join(order)}")
        assert (quota, used) == (cell["quota"], cell["used"])

        # Settled: below what is used is refused; exactly what is used is accepted, and then the cell is full.
        below = await front.ok(
            SET_QUOTA,
            {
                "input": {
                    "year": YEAR,
                    "recruitingProvinceCode": "62",
                    "servingProvinceCode": "53",
                    "quota": used - 1,
                }
            },
            **NATIONAL,
        )
        assert [e["code"] for e in below["setQuota"]["userErrors"]] == ["INVALID_INPUT"]
        await must(
            front,
            SET_QUOTA,
            {"year": YEAR, "recruitingProvinceCode": "62", "servingProvinceCode": "53", "quota": used},
            NATIONAL,
        )
        recruited = {r["application"]["id"] for r in signed}
        left = next(gid for gid in applicants if gid not in recruited)
        full = _payloads([await _sign(front, left, "53")], "signRecruitmentAgreement")
        assert [e["code"] for e in full[0]["userErrors"]] == ["QUOTA_EXCEEDED"]
