"""R2a: a volunteer's identity number, phone and physical exam are shown in full only to those who need
them (PIPL's minimum necessary); everyone else sees the identity number masked (first 3 and last 4
characters) and no phone or health data. Readers outside the jurisdiction do not see the volunteer at
all (R1): lists leave them out, `node` is FORBIDDEN.

Two volunteers, seeded with submitted applications for YEAR:
- `lan` (vol-1): 兰州大学 10730 in Gansu (62, recruiting), assigned to 通渭县 621121, so Gansu is also
  the serving province;
- `bei` (vol-2): 北京大学 10001 in Beijing (11, recruiting), not assigned to any county.
Both passed a physical exam, so `physicalExam` is null only where it is withheld.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import Client, error_codes
from tests.seed import YEAR, id_number, seed_reference, seed_volunteers

APPLICATIONS = """
query($year: String!) {
  applications(year: $year, first: 50) {
    totalCount
    edges { node { id physicalExam { passed examinedOn } volunteer { id name idNumber phone } } }
  }
}"""

NODE = """
query($id: ID!) {
  node(id: $id) {
    ... on Volunteer { id name idNumber phone applications { id physicalExam { passed examinedOn } } }
  }
}"""

APPLICATION_NODE = """
query($id: ID!) {
  node(id: $id) { ... on Application { id physicalExam { passed examinedOn } volunteer { idNumber phone } } }
}"""

COUNTY_VOLUNTEERS = """
query($code: String!, $year: String!) {
  county(code: $code) {
    volunteers(year: $year, first: 50) {
      totalCount
      edges { node { id idNumber phone applications { physicalExam { passed } } } }
    }
  }
}"""

EXAM = {"passed": True, "examinedOn": "2027-02-20"}
LAN, BEI = "lan", "bei"
SEQ = {LAN: 1, BEI: 2}
PHONE = {LAN: "13900000001", BEI: "13900000002"}


def full_id(who: str) -> str:
    return id_number(SEQ[who])


def masked_id(who: str) -> str:
    number = full_id(who)
    return number[:3] + "*" * 11 + number[-4:]


@dataclass(frozen=True)
class Sees:
    """What a reader sees of one volunteer: the identity number full or masked, the phone, the exam."""

    id_number: bool
    phone: bool
    exam: bool

    def expected(self, who: str) -> dict[str, Any]:
        return {
            "idNumber": full_id(who) if self.id_number else masked_id(who),
            "phone": PHONE[who] if self.phone else None,
            "physicalExam": EXAM if self.exam else None,
        }


FULL = Sees(id_number=True, phone=True, exam=True)
MASKED = Sees(id_number=False, phone=False, exam=False)

# reader -> {volunteer: what the reader sees}; a volunteer missing from the dict is not visible at all.
READERS: dict[str, tuple[dict[str, str], dict[str, Sees]]] = {
    "the volunteer themself": ({"level": "volunteer", "sub": "vol-1"}, {LAN: FULL}),
    "the other volunteer": ({"level": "volunteer", "sub": "vol-2"}, {BEI: FULL}),
    "national office": ({"level": "national"}, {LAN: MASKED, BEI: MASKED}),
    "Gansu, recruiting and serving": ({"level": "provincial", "code": "62"}, {LAN: FULL}),
    "Beijing, recruiting only": ({"level": "provincial", "code": "11"}, {BEI: FULL}),
    "Yunnan, named only as a preference": ({"level": "provincial", "code": "53"}, {}),
    "county of assignment 621121": (
        {"level": "county", "code": "621121"},
        {LAN: Sees(id_number=True, phone=True, exam=False)},
    ),
    "another Gansu county 620321": ({"level": "county", "code": "620321"}, {}),
    "a Yunnan county 530629": ({"level": "county", "code": "530629"}, {}),
    "school 10730 of lan": (
        {"level": "school", "code": "10730"},
        {LAN: Sees(id_number=False, phone=True, exam=False)},
    ),
    "school 10001 of bei": (
        {"level": "school", "code": "10001"},
        {BEI: Sees(id_number=False, phone=True, exam=False)},
    ),
    "another school 10673": ({"level": "school", "code": "10673"}, {}),
}


@pytest.fixture
async def volunteers(client: Client) -> dict[str, dict[str, str]]:
    """The two volunteers' global ids (read back as the national office), with an exam on record."""
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 1, school_code="10730", county="621121", start=SEQ[LAN])
    await seed_volunteers(client.hub, 1, school_code="10001", start=SEQ[BEI])
    async with client.hub.engine.begin() as connection:  # client.sql reads only; this must be committed
        await connection.execute(
            text("UPDATE applications SET exam_passed = :passed, examined_on = :on"),
            {"passed": True, "on": date(2027, 2, 20)},
        )
    # The seed's phone numbers are the ones this module expects.
    rows = await client.sql("SELECT subject, phone, id_number FROM volunteers ORDER BY subject")
    assert [tuple(r) for r in rows] == [
        ("vol-1", PHONE[LAN], full_id(LAN)),
        ("vol-2", PHONE[BEI], full_id(BEI)),
    ]

    data = await client.ok(
        "query($year: String!) { applications(year: $year) { edges { node { id volunteer { id name } } } } }",
        {"year": YEAR},
        level="national",
    )
    ids: dict[str, dict[str, str]] = {}
    for edge in data["applications"]["edges"]:
        node = edge["node"]
        who = LAN if node["volunteer"]["name"] == "志愿者1" else BEI
        ids[who] = {"volunteer": node["volunteer"]["id"], "application": node["id"], "name": node["volunteer"]["name"]}
    assert sorted(ids) == [BEI, LAN]
    return ids


def test_the_mask_keeps_the_first_three_and_last_four_characters() -> None:
    # vol-1's number is 620102 20040506 001 + check character: 18 characters, 11 of them hidden.
    assert masked_id(LAN) == "620***********" + full_id(LAN)[-4:]
    assert len(masked_id(LAN)) == 18
    assert masked_id(LAN).count("*") == 11


@pytest.mark.parametrize("reader", list(READERS))
async def test_applications_list_shows_each_reader_what_it_may_see(
    client: Client, volunteers: dict[str, dict[str, str]], reader: str
) -> None:
    actor, sees = READERS[reader]

    connection = (await client.ok(APPLICATIONS, {"year": YEAR}, **actor))["applications"]
    found = {}
    for edge in connection["edges"]:
        node = edge["node"]
        who = next(w for w, ids in volunteers.items() if ids["application"] == node["id"])
        assert node["volunteer"]["id"] == volunteers[who]["volunteer"]
        found[who] = {
            "idNumber": node["volunteer"]["idNumber"],
            "phone": node["volunteer"]["phone"],
            "physicalExam": node["physicalExam"],
        }
    assert found == {who: s.expected(who) for who, s in sees.items()}
    assert connection["totalCount"] == len(sees)


@pytest.mark.parametrize("reader", list(READERS))
async def test_node_shows_a_visible_volunteer_and_forbids_the_others(
    client: Client, volunteers: dict[str, dict[str, str]], reader: str
) -> None:
    actor, sees = READERS[reader]

    for who, ids in volunteers.items():
        body = await client.gql(NODE, {"id": ids["volunteer"]}, **actor)
        application = await client.gql(APPLICATION_NODE, {"id": ids["application"]}, **actor)
        if who not in sees:
            assert error_codes(body) == ["FORBIDDEN"], (who, body)
            assert (body.get("data") or {}).get("node") is None
            assert error_codes(application) == ["FORBIDDEN"], (who, application)
            assert (application.get("data") or {}).get("node") is None
            continue
        assert not body.get("errors"), body["errors"]
        node = body["data"]["node"]
        expected = sees[who].expected(who)
        assert node["id"] == ids["volunteer"]
        assert node["name"] == ids["name"]
        assert node["idNumber"] == expected["idNumber"]
        assert node["phone"] == expected["phone"]
        assert node["applications"] == [{"id": ids["application"], "physicalExam": expected["physicalExam"]}]

        assert not application.get("errors"), application["errors"]
        read = application["data"]["node"]
        assert read["physicalExam"] == expected["physicalExam"]
        assert read["volunteer"] == {"idNumber": expected["idNumber"], "phone": expected["phone"]}


@pytest.mark.parametrize("reader", list(READERS))
async def test_county_volunteers_list_shows_only_visible_volunteers(
    client: Client, volunteers: dict[str, dict[str, str]], reader: str
) -> None:
    """Only lan is assigned to 621121: the list holds lan for whoever may see lan, nobody otherwise."""
    actor, sees = READERS[reader]

    data = await client.ok(COUNTY_VOLUNTEERS, {"code": "621121", "year": YEAR}, **actor)
    connection = data["county"]["volunteers"]
    if LAN not in sees:
        assert connection == {"totalCount": 0, "edges": []}
        return
    expected = sees[LAN].expected(LAN)
    assert connection["totalCount"] == 1
    assert [e["node"] for e in connection["edges"]] == [
        {
            "id": volunteers[LAN]["volunteer"],
            "idNumber": expected["idNumber"],
            "phone": expected["phone"],
            "applications": [{"physicalExam": {"passed": True} if expected["physicalExam"] else None}],
        }
    ]


async def test_anonymous_callers_see_no_personal_data(client: Client, volunteers: dict[str, dict[str, str]]) -> None:
    for document, variables in (
        (APPLICATIONS, {"year": YEAR}),
        (NODE, {"id": volunteers[LAN]["volunteer"]}),
        (COUNTY_VOLUNTEERS, {"code": "621121", "year": YEAR}),
    ):
        body = await client.gql(document, variables)
        assert error_codes(body) == ["UNAUTHENTICATED"], document
        assert full_id(LAN) not in str(body)
        assert PHONE[LAN] not in str(body)
