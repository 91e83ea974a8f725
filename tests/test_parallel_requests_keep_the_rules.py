"""Parallel requests: many volunteers register at once, and one volunteer's parallel applications for the
same year leave exactly one active application (R20), the database's constraint deciding the race."""

from __future__ import annotations

import asyncio

from tests.seed import id_number, seed_reference

REGISTER = """mutation($input: RegisterVolunteerInput!) {
  registerVolunteer(input: $input) { volunteer { id } userErrors { code message } } }"""
APPLY = """mutation { submitApplication(input: {year: "2027-2028", preferredProvinceCodes: ["62", "53", "65"],
  acceptsAdjustment: true}) { application { id } userErrors { code message } } }"""


def _volunteer(n: int) -> dict[str, object]:
    return {
        "name": f"并发{n}",
        "idNumber": id_number(n),
        "phone": f"139{n:08d}",
        "schoolCode": "10730",
        "degree": "BACHELOR",
        "hasWorkExperience": False,
    }


async def test_parallel_registrations_all_land(client, hub) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    bodies = await asyncio.gather(
        *(client.gql(REGISTER, {"input": _volunteer(n)}, level="volunteer", sub=f"p-{n}") for n in range(1, 21))
    )
    assert all(b["data"]["registerVolunteer"]["userErrors"] == [] for b in bodies), bodies
    assert await client.sql("SELECT count(*) FROM volunteers") == [(20,)]
    assert await client.sql("SELECT count(*) FROM audit_entries WHERE operation = 'registerVolunteer'") == [(20,)]


async def test_parallel_applications_of_one_volunteer_leave_one_active(client, hub) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    await client.ok(REGISTER, {"input": _volunteer(1)}, level="volunteer", sub="racer")
    bodies = await asyncio.gather(*(client.gql(APPLY, level="volunteer", sub="racer") for _ in range(8)))
    accepted = [b for b in bodies if b["data"]["submitApplication"]["application"]]
    refused = [
        b["data"]["submitApplication"]["userErrors"][0]["code"]
        for b in bodies
        if not b["data"]["submitApplication"]["application"]
    ]
    assert len(accepted) == 1
    assert refused == ["DUPLICATE"] * 7
    assert await client.sql("SELECT count(*) FROM applications") == [(1,)]
    assert await client.sql("SELECT count(*) FROM audit_entries WHERE operation = 'submitApplication'") == [(1,)]
