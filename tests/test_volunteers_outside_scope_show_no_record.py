"""A volunteer reached through a list open to every office (the commendation list, R30) shows only public
facts to a caller whose read scope does not include them: no applications, agreements, insurance or
benefits, personal data masked (R1, R2a)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.seed import YEAR, seed_reference, seed_volunteers

QUERY = """query($year: String!) { commendations(year: $year) { grade volunteer { name idNumber phone
  applications { status } insurance { policyNumber } benefits { kind } assessments { grade } } } }"""


@pytest.mark.parametrize(
    "reader, sees_record",
    [
        ({"level": "volunteer", "sub": "vol-1"}, True),
        ({"level": "volunteer", "sub": "vol-2"}, False),
        ({"level": "county", "code": "621121"}, True),
        ({"level": "county", "code": "530629"}, False),
        ({"level": "school", "code": "10001"}, False),
        ({"level": "national"}, True),
    ],
)
async def test_commended_volunteer_record_follows_the_reader_scope(client, hub, reader, sees_record) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    await seed_volunteers(hub, 1, county="621121")
    await seed_volunteers(hub, 1, school_code="10001", start=2)
    await client.sql("UPDATE applications SET status = 'IN_SERVICE' WHERE volunteer_id = 1")
    await client.sql(
        "INSERT INTO assessments (year, volunteer_id, grade, status) VALUES (:y, 1, 'EXCELLENT', 'APPROVED')", y=YEAR
    )
    await client.sql(
        "INSERT INTO insurance_policies (volunteer_id, kind, policy_number, valid_from, valid_until) "
        "VALUES (1, 'ACCIDENT', 'P-1', :start, :end)",
        start=date(2027, 1, 1),
        end=date(2027, 12, 31),
    )
    data = await client.ok(QUERY, {"year": YEAR}, **reader)
    [entry] = data["commendations"]
    volunteer = entry["volunteer"]
    assert volunteer["name"] == "志愿者1"
    if sees_record:
        assert volunteer["applications"] == [{"status": "IN_SERVICE"}]
        assert volunteer["assessments"] == [{"grade": "EXCELLENT"}]
        assert len(volunteer["benefits"]) == 5
    else:
        assert volunteer["applications"] == volunteer["insurance"] == volunteer["benefits"] == []
        assert volunteer["assessments"] == []
        assert "*" in volunteer["idNumber"] and volunteer["phone"] is None
