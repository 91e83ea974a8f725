"""R30 under parallel requests: approved EXCELLENT grades never pass 20% of a province's volunteers in
post, however the approvals interleave. Ten volunteers are in post in Gansu (62), so the cap is two; ten
EXCELLENT proposals are approved by ten parallel approveAssessments calls, one assessment each: exactly
two are accepted, eight are refused with EXCELLENT_CAP, and the commendation list names the two.

Every request goes through the ASGI app with its own session; on PostgreSQL the requests really run
side by side (the point of the test), on SQLite they queue on the write lock. Three rounds, fresh data."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date
from typing import Any

import pytest

from tests.in_service import APPROVE_ASSESSMENTS
from tests.season import client_at
from tests.seed import YEAR, seed_reference
from tests.test_in_service_permissions_table import (
    NATIONAL,
    Placement,
    add_assessments,
    place,
    provincial,
    vid,
)

GANSU = provincial("62")
ASSESSMENT_DAY = date(2028, 6, 30)
COMMENDATIONS = f"""query($province: String) {{ commendations(year: "{YEAR}", provinceCode: $province) {{
  id volunteer {{ id }} grade status }} }}"""
STATUSES = """SELECT a.status, count(*) FROM assessments a GROUP BY a.status ORDER BY a.status"""


def _database(settings: Any) -> str:
    return "sqlite" if settings.database_url.startswith("sqlite") else "postgres"


@pytest.mark.parametrize("round_", [1, 2, 3])
async def test_parallel_approvals_never_pass_the_excellent_cap(settings, round_: int) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, ASSESSMENT_DAY) as front:
        await seed_reference(front.hub)
        # ten in post in Gansu, split over two of its counties: the cap is the province's, not a county's
        volunteers = await place(front.hub, [Placement("621121")] * 6 + [Placement("620321")] * 4)
        ids = await add_assessments(front.hub, [(v, "EXCELLENT", "PROPOSED") for v in volunteers])
        [(in_post,)] = await front.sql(
            "SELECT count(*) FROM applications WHERE status = 'IN_SERVICE' AND serving_province_code = '62'"
        )
        assert in_post == 10

        started = time.perf_counter()
        bodies = await asyncio.gather(
            *(front.gql(APPROVE_ASSESSMENTS, {"input": {"assessmentIds": [gid]}}, **GANSU) for gid in ids)
        )
        elapsed = time.perf_counter() - started
        print(
            f"\n[{_database(settings)}] round {round_}: approveAssessments ×{len(ids)} in parallel, cap 2, "
            f"in {elapsed:.3f}s ({elapsed / len(ids) * 1000:.1f} ms per request)"
        )

        crashed = [b["errors"] for b in bodies if b.get("errors")]
        assert not crashed, crashed  # a deadlock, a serialization failure or a pool timeout is a failure
        results = [b["data"]["approveAssessments"] for b in bodies]
        accepted = [(gid, r) for gid, r in zip(ids, results, strict=True) if not r["userErrors"]]
        refused = [r for r in results if r["userErrors"]]
        codes = Counter(e["code"] for r in refused for e in r["userErrors"])
        assert len(accepted) == 2, codes
        assert all(r["assessments"] == [{"id": gid, "grade": "EXCELLENT", "status": "APPROVED"}] for gid, r in accepted)
        assert len(refused) == 8
        assert [[(e["code"], e["field"]) for e in r["userErrors"]] for r in refused] == [
            [("EXCELLENT_CAP", ["input", "assessmentIds"])]
        ] * 8
        assert all(r["assessments"] == [] for r in refused)

        assert await front.sql(STATUSES) == [("APPROVED", 2), ("PROPOSED", 8)]
        assert await front.sql("SELECT count(*) FROM audit_entries WHERE operation = 'approveAssessments'") == [(2,)]
        for actor, province in ((NATIONAL, None), (NATIONAL, "62"), (GANSU, "62")):
            commended = (await front.ok(COMMENDATIONS, {"province": province}, **actor))["commendations"]
            assert sorted(c["id"] for c in commended) == sorted(gid for gid, _ in accepted), (actor, province)
            assert all(c["grade"] == "EXCELLENT" and c["status"] == "APPROVED" for c in commended)
            assert {c["volunteer"]["id"] for c in commended} <= {vid(v) for v in volunteers}

        # the cap stays reached: one more approval, after the race, is refused as well
        [late] = [gid for gid in ids if gid not in {g for g, _ in accepted}][:1]
        again = await front.ok(APPROVE_ASSESSMENTS, {"input": {"assessmentIds": [late]}}, **GANSU)
        assert [e["code"] for e in again["approveAssessments"]["userErrors"]] == ["EXCELLENT_CAP"]
