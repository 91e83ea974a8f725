"""R26, R8 under parallel requests: service agreements and post changes never overdraw a post's headcount
(POST_FULL), and county assignments never overdraw a serving province's scale (SCALE_EXCEEDED). Every
request goes through the ASGI app with its own session; a crash, a deadlock or a pool timeout is a GraphQL
error and fails the test."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import update

from hub import models as m
from hub.ids import to_global_id
from tests.placement import (
    ASSIGN,
    CHANGE_POST,
    GANSU,
    NATIONAL,
    SIGN,
    YEAR,
    approved_posts,
    county_actor,
    trained_volunteers,
)
from tests.season import client_at
from tests.seed import seed_reference

TONGWEI, YONGCHANG = "621121", "620321"  # two service counties of Gansu (62)
ASSIGNING_DAY = date(2027, 7, 28)
SIGNING_DAY = date(2027, 8, 10)  # before the service-agreement milestone (August 15)
TERM = {"startsOn": "2027-08-01", "endsOn": "2028-07-31"}
POST_OF = """query($id: ID!) { node(id: $id) { ... on Post { headcount filled status } } }"""
PROVINCE_OF = f"""query {{ province(code: "62") {{ scale(year: "{YEAR}") inPost(year: "{YEAR}") }} }}"""
AT_POST = ["input", "postId"]
AT_COUNTY = ["input", "countyCode"]


def _database(settings: Any) -> str:
    return "sqlite" if settings.database_url.startswith("sqlite") else "postgres"


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


def _refusals(results: list[dict[str, Any]], kept: str) -> list[list[tuple[str, list[str]]]]:
    """(code, field) of every userError of the payloads that came back without their `kept` object."""
    return [[(e["code"], e["field"]) for e in r["userErrors"]] for r in results if r[kept] is None]


async def _audited(front: Any, operation: str) -> int:
    [(count,)] = await front.sql("SELECT count(*) FROM audit_entries WHERE operation = :op", op=operation)
    return count


async def _post(front: Any, post_id: int) -> dict[str, Any]:
    return (await front.ok(POST_OF, {"id": to_global_id("Post", post_id)}, **NATIONAL))["node"]


async def _in_service(hub: Any, application_ids: list[int], post_id: int) -> list[str]:
    """Put the applications in service on the post, each with a signed first-term agreement; their global ids."""
    ids = []
    async with hub.write_sessionmaker() as session, session.begin():
        post = await session.get(m.Post, post_id)
        for key in application_ids:
            app = await session.get(m.Application, key)
            app.status, app.county_code = "IN_SERVICE", post.county_code
            session.add(app)
            agreement = m.ServiceAgreement(
                application_id=key,
                volunteer_id=app.volunteer_id,
                post_id=post.id,
                county_code=post.county_code,
                unit_id=post.unit_id,
                term_year=1,
                starts_on=date(2027, 8, 1),
                ends_on=date(2028, 7, 31),
                signed_at=datetime.now(UTC),
                reported_on=date(2027, 8, 1),
            )
            session.add(agreement)
            await session.flush()
            ids.append(to_global_id("ServiceAgreement", agreement.id))
    return ids


async def _set(hub: Any, application_ids: list[int], **values: Any) -> None:
    async with hub.write_sessionmaker() as session, session.begin():
        await session.execute(update(m.Application).where(m.Application.id.in_(application_ids)).values(**values))


async def _dispatched(hub: Any, count: int, county: str, start: int) -> list[str]:
    """`count` trained volunteers assigned to `county` and received there (DISPATCHED); global ids."""
    keys = await trained_volunteers(hub, count, county[:2], start)
    await _set(hub, keys, county_code=county, status="DISPATCHED")
    return [to_global_id("Application", key) for key in keys]


@pytest.mark.parametrize("round_", [1, 2, 3])
async def test_parallel_agreements_never_overdraw_a_post(settings, hub, round_: int) -> None:  # type: ignore[no-untyped-def]
    """R26: 25 parallel agreements for a post of headcount 5 with one place taken: four signed, 21 POST_FULL."""
    await seed_reference(hub)
    [post] = await approved_posts(hub, TONGWEI, [("TOWNSHIP", "RURAL_EDUCATION", 5)])
    await _in_service(hub, await trained_volunteers(hub, 1, start=1), post)
    applicants = await _dispatched(hub, 25, TONGWEI, start=2)
    post_id = to_global_id("Post", post)

    async with client_at(settings, SIGNING_DAY) as front:
        bodies = await _timed(
            f"round {round_}: signServiceAgreement ×25 into 4 free places",
            settings,
            [
                front.gql(SIGN, {"input": {"applicationId": gid, "postId": post_id, **TERM}}, **county_actor(TONGWEI))
                for gid in applicants
            ],
        )
        results = _payloads(bodies, "signServiceAgreement")
        signed = [r for r in results if r["agreement"] is not None]
        refused = _refusals(results, "agreement")
        assert len(signed) == 4, Counter(code for errors in refused for code, _ in errors)
        assert all(r["userErrors"] == [] and r["agreement"]["post"]["id"] == post_id for r in signed)
        # each payload is read after its own commit: it sees its place and never more than the headcount
        seen = [r["agreement"]["post"]["filled"] for r in signed]
        assert all(2 <= filled <= 5 for filled in seen) and max(seen) == 5, seen
        assert refused == [[("POST_FULL", AT_POST)]] * 21

        assert await _post(front, post) == {"headcount": 5, "filled": 5, "status": "APPROVED"}
        assert await front.sql("SELECT count(*), count(DISTINCT application_id) FROM service_agreements") == [(5, 5)]
        assert await front.sql(
            "SELECT count(*) FROM service_agreements WHERE post_id = :post AND term_year = 1", post=post
        ) == [(5,)]
        assert await front.sql("SELECT status, count(*) FROM applications GROUP BY status ORDER BY status") == [
            ("DISPATCHED", 21),
            ("IN_SERVICE", 5),
        ]
        assert await _audited(front, "signServiceAgreement") == 4


async def test_parallel_assignments_never_overdraw_the_scale(settings, hub) -> None:  # type: ignore[no-untyped-def]
    """R8: province 62 has a scale of 10 with 7 assigned (trained, dispatched and in service); 20 parallel
    assignments into two of its counties: three accepted, 17 SCALE_EXCEEDED. Withdrawn volunteers and
    another province's do not count."""
    await seed_reference(hub)
    async with hub.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(m.ProvinceScale)
            .where(m.ProvinceScale.year == YEAR, m.ProvinceScale.province_code == "62")
            .values(scale=10)
        )
    [post] = await approved_posts(hub, TONGWEI, [("TOWNSHIP", "RURAL_EDUCATION", 5)])
    await _set(hub, await trained_volunteers(hub, 3, start=1), county_code=TONGWEI)  # assigned, not yet received
    await _dispatched(hub, 2, YONGCHANG, start=4)
    await _in_service(hub, await trained_volunteers(hub, 2, start=6), post)
    withdrawn = await trained_volunteers(hub, 1, start=8)
    await _set(hub, withdrawn, county_code=TONGWEI, status="WITHDRAWN", active_volunteer_id=None)
    await _set(hub, await trained_volunteers(hub, 1, serving="53", start=9), county_code="530629")
    waiting = [to_global_id("Application", key) for key in await trained_volunteers(hub, 20, start=10)]
    counties = [TONGWEI, YONGCHANG] * 10  # the scale is the province's, whichever of its counties is chosen

    async with client_at(settings, ASSIGNING_DAY) as front:
        bodies = await _timed(
            "assignCounty ×20 into 3 free places of the scale",
            settings,
            [
                front.gql(ASSIGN, {"input": {"applicationId": gid, "countyCode": county}}, **GANSU)
                for gid, county in zip(waiting, counties, strict=True)
            ],
        )
        results = _payloads(bodies, "assignCounty")
        accepted = [r for r in results if r["application"] is not None]
        refused = _refusals(results, "application")
        assert len(accepted) == 3, Counter(code for errors in refused for code, _ in errors)
        assert all(r["userErrors"] == [] and r["application"]["status"] == "TRAINED" for r in accepted)
        assert refused == [[("SCALE_EXCEEDED", AT_COUNTY)]] * 17

        province = (await front.ok(PROVINCE_OF, **NATIONAL))["province"]
        assert province == {"scale": 10, "inPost": 2}
        assert await front.sql(
            "SELECT count(*) FROM applications WHERE year = :year AND serving_province_code = '62' "
            "AND county_code IS NOT NULL AND status IN ('TRAINED', 'DISPATCHED', 'IN_SERVICE')",
            year=YEAR,
        ) == [(10,)]
        assert await front.sql(
            "SELECT count(*) FROM applications WHERE serving_province_code = '62' "
            "AND status = 'TRAINED' AND county_code IS NULL"
        ) == [(17,)]
        assert await _audited(front, "assignCounty") == 3


@pytest.mark.parametrize("round_", [1, 2])
async def test_post_changes_and_agreements_racing_for_one_post_never_overdraw_it(settings, hub, round_: int) -> None:  # type: ignore[no-untyped-def]
    """R26: ten volunteers in service (five in 621121, five in 620321) ask to move to a post of headcount 3
    with one place taken while eight dispatched volunteers sign for it: two calls win, whichever kind, and
    every other one is POST_FULL; the posts left behind give their places back."""
    await seed_reference(hub)
    target, here = await approved_posts(
        hub, TONGWEI, [("TOWNSHIP", "RURAL_EDUCATION", 3), ("TOWNSHIP", "RURAL_HEALTH", 10)]
    )
    [there] = await approved_posts(hub, YONGCHANG, [("VILLAGE", "RURAL_GOVERNANCE", 10)])
    await _in_service(hub, await trained_volunteers(hub, 1, start=1), target)
    movers = await _in_service(hub, await trained_volunteers(hub, 5, start=2), here)
    movers += await _in_service(hub, await trained_volunteers(hub, 5, start=7), there)
    signers = await _dispatched(hub, 8, TONGWEI, start=12)
    target_id = to_global_id("Post", target)

    async with client_at(settings, SIGNING_DAY) as front:

        def change(agreement: str) -> Any:
            move = {"agreementId": agreement, "postId": target_id, "reason": "本人申请调岗"}
            return front.gql(CHANGE_POST, {"input": move}, **GANSU)

        def sign(application: str) -> Any:
            term = {"applicationId": application, "postId": target_id, **TERM}
            return front.gql(SIGN, {"input": term}, **county_actor(TONGWEI))

        kinds = ["change", "sign"] * 8 + ["change", "change"]
        pending_changes, pending_signs = iter(movers), iter(signers)
        calls = [change(next(pending_changes)) if k == "change" else sign(next(pending_signs)) for k in kinds]
        bodies = await _timed(
            f"round {round_}: changePost ×10 and signServiceAgreement ×8 into 2 free places", settings, calls
        )

        changes = _payloads([b for k, b in zip(kinds, bodies, strict=True) if k == "change"], "changePost")
        signs = _payloads([b for k, b in zip(kinds, bodies, strict=True) if k == "sign"], "signServiceAgreement")
        moved = [r for r in changes if r["agreement"] is not None]
        signed = [r for r in signs if r["agreement"] is not None]
        refused = _refusals(changes, "agreement") + _refusals(signs, "agreement")
        print(f"[{_database(settings)}] won by {len(moved)} post change(s) and {len(signed)} agreement(s)")
        assert len(moved) + len(signed) == 2, Counter(code for errors in refused for code, _ in errors)
        assert refused == [[("POST_FULL", AT_POST)]] * 16
        assert all(r["agreement"]["post"]["id"] == target_id for r in moved + signed)

        moved_ids = {r["agreement"]["id"] for r in moved}
        from_here = len(moved_ids & set(movers[:5]))
        from_there = len(moved_ids & set(movers[5:]))
        assert from_here + from_there == len(moved)
        assert all(r["agreement"]["county"] == {"code": TONGWEI} for r in moved)

        assert await _post(front, target) == {"headcount": 3, "filled": 3, "status": "APPROVED"}
        assert (await _post(front, here))["filled"] == 5 - from_here
        assert (await _post(front, there))["filled"] == 5 - from_there
        assert await front.sql("SELECT count(*) FROM service_agreements WHERE post_id = :post", post=target) == [(3,)]
        assert await front.sql("SELECT count(*) FROM service_agreements") == [(11 + len(signed),)]
        # a volunteer moved from 620321 now serves in 621121: the application follows the agreement
        assert await front.sql(
            "SELECT count(*) FROM applications a JOIN service_agreements s ON s.application_id = a.id "
            "WHERE a.county_code <> s.county_code"
        ) == [(0,)]
        assert await front.sql("SELECT status, count(*) FROM applications GROUP BY status ORDER BY status") == [
            ("DISPATCHED", 8 - len(signed)),
            ("IN_SERVICE", 11 + len(signed)),
        ]
        assert await _audited(front, "changePost") == len(moved)
        assert await _audited(front, "signServiceAgreement") == len(signed)
