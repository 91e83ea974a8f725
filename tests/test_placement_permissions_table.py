"""R1, as a table over every mutation of placement (R9–R14, R26–R27): the office that owns a mutation
performs it — the county office of that county, the provincial office of the serving province, the
national office; every other level, the same level of another jurisdiction (another county of the same
province, another province) is FORBIDDEN, the anonymous caller UNAUTHENTICATED; the mutation's field is
null and nothing is written — not a row of the placement tables, not an audit entry (R42).

One database holds everything placement needs at once: counties in every state of R9, units and posts in
every state of R12, and volunteers of 北京大学 (recruited by Beijing, 11) serving in Gansu (62) — trained,
assigned, dispatched and in service with an agreement. The refused callers go first, then the permitted
office proves the request was a valid one. Each runs on 2027-08-10, before the agreement milestone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from hub import models as m
from hub.ids import to_global_id
from tests.permission_tables import PLACEMENT_TABLES, Actor, Case, Outsider, case_failures, outsider_failures
from tests.placement import (
    APPLY_COUNTY,
    APPROVE_POSTS,
    ASSIGN,
    CHANGE_POST,
    CONFIRM_POSTS,
    CREATE_UNIT,
    DECIDE_COUNTY,
    DECLARE_POST,
    DECLARE_POSTS,
    EVALUATE,
    FILE_COUNTY,
    RECEIVE,
    RENEW,
    SIGN,
    YEAR,
)
from tests.season import client_at
from tests.seed import id_number, seed_reference

DAY = date(2027, 8, 10)  # agreements are still signed (until 08-15); every placement step is open
NATIONAL: Actor = {"level": "national", "sub": "ops-national"}
GANSU: Actor = {"level": "provincial", "code": "62", "sub": "ops-gansu"}  # the serving province
BEIJING: Actor = {"level": "provincial", "code": "11", "sub": "ops-beijing"}  # recruited the volunteers
YUNNAN: Actor = {"level": "provincial", "code": "53", "sub": "ops-yunnan"}  # another serving province
YONGCHANG: Actor = {"level": "county", "code": "620321", "sub": "ops-yongchang"}  # the volunteers' county
TONGWEI: Actor = {"level": "county", "code": "621121", "sub": "ops-tongwei"}  # another county of 62
LONGXI: Actor = {"level": "county", "code": "621122", "sub": "ops-longxi"}  # applies to be a service county
WEIXIN: Actor = {"level": "county", "code": "530629", "sub": "ops-weixin"}  # a county of 53
PKU: Actor = {"level": "school", "code": "10001", "sub": "ops-pku"}  # the volunteers' school
LZU: Actor = {"level": "school", "code": "10730", "sub": "ops-lzu"}  # a school in Gansu

# The volunteers, students of 北京大学 (10001) recruited by Beijing (11) to serve in Gansu (62).
VOLUNTEERS = {
    "trained": (1, "TRAINED", None),
    "assigned": (2, "TRAINED", "620321"),
    "dispatched": (3, "DISPATCHED", "620321"),
    "serving": (4, "IN_SERVICE", "620321"),
}


def volunteer(key: str) -> Actor:
    """The account of the volunteer `key` (see VOLUNTEERS)."""
    return {"level": "volunteer", "sub": f"placed-{VOLUNTEERS[key][0]}"}


async def prepare_placement(hub: Any) -> dict[str, str]:
    """Placement in mid-course, written straight to the database; the global ids of its objects."""
    await seed_reference(hub)  # 2027-2028; 621121, 620321 (62) and 530629 (53) are ACTIVE service counties
    now = datetime.now(UTC)
    ids: dict[str, str] = {}
    async with hub.write_sessionmaker() as session, session.begin():
        for code, name, status in (
            ("621122", "陇西县", "NOT_SERVICE"),
            ("621123", "渭源县", "APPLIED"),
            ("621124", "临洮县", "PROVINCE_APPROVED"),
        ):
            session.add(
                m.County(code=code, name=name, province_code="62", status=status, key_assistance="NATIONAL_KEY")
            )
        await session.flush()
        units = {}
        for county, name in (("620321", "河西堡镇"), ("621121", "平襄镇"), ("530629", "扎西镇")):
            units[county] = m.ServiceUnit(county_code=county, name=name, level="TOWNSHIP")
            session.add(units[county])
        await session.flush()
        ids["unit"] = to_global_id("ServiceUnit", units["620321"].id)
        posts = {}
        for key, county, status, headcount in (
            ("declared_post", "620321", "DECLARED", 2),
            ("confirmed_post", "620321", "PROVINCE_CONFIRMED", 2),
            ("approved_post", "620321", "APPROVED", 3),
            ("other_county_post", "621121", "APPROVED", 2),
            ("yunnan_post", "530629", "APPROVED", 2),
        ):
            posts[key] = m.Post(
                year=YEAR,
                unit_id=units[county].id,
                county_code=county,
                title=f"乡村教育-{key}",
                category="RURAL_EDUCATION",
                headcount=headcount,
                status=status,
            )
            session.add(posts[key])
        await session.flush()
        ids.update({key: to_global_id("Post", post.id) for key, post in posts.items()})
        for key, (n, status, county) in VOLUNTEERS.items():
            person = m.Volunteer(
                subject=volunteer(key)["sub"],
                name=f"志愿者{n}",
                id_number=id_number(n, area="110101"),
                phone=f"1380000{n:04d}",
                gender="FEMALE",
                birth_date=date(2004, 5, 6),
                school_code="10001",
                degree="BACHELOR",
                registered_at=now,
            )
            session.add(person)
            await session.flush()
            app = m.Application(
                year=YEAR,
                volunteer_id=person.id,
                active_volunteer_id=person.id,
                school_code="10001",
                recruiting_province_code="11",
                preference_1="62",
                preference_2="53",
                preference_3="65",
                accepts_adjustment=False,
                status=status,
                submitted_at=now,
                recruited_at=now,
                serving_province_code="62",
                quota_recruiting_code="11",
                confirmation_number=f"XB2027-1162-PLACE{n:04d}",
                county_code=county,
            )
            session.add(app)
            await session.flush()
            ids[key] = to_global_id("Application", app.id)
            if status == "IN_SERVICE":
                agreement = m.ServiceAgreement(
                    application_id=app.id,
                    volunteer_id=person.id,
                    post_id=posts["approved_post"].id,
                    county_code=county,
                    unit_id=units[county].id,
                    term_year=1,
                    starts_on=date(2027, 8, 1),
                    ends_on=date(2028, 7, 31),
                    signed_at=now,
                    reported_on=date(2027, 8, 1),
                )
                session.add(agreement)
                await session.flush()
                ids["agreement"] = to_global_id("ServiceAgreement", agreement.id)
    return ids


def county_only(county: str, *applicants: str) -> tuple[tuple[str, Actor], ...]:
    """The county office acts only in its own county; `county` is the one concerned."""
    same_province = TONGWEI if county != TONGWEI["code"] else YONGCHANG
    return (
        ("national", NATIONAL),
        ("provincial 62 (the county's province)", GANSU),
        ("provincial 11 (recruited the volunteers)", BEIJING),
        ("school 10001 (the volunteers' school)", PKU),
        *((f"volunteer ({a})", volunteer(a)) for a in applicants or ("serving",)),
        (f"county {same_province['code']} (same province)", same_province),
        ("county 530629 (another province)", WEIXIN),
    )


def serving_province_only(*applicants: str) -> tuple[tuple[str, Actor], ...]:
    """Gansu (62) serves; Beijing (11) only recruited the volunteers, Yunnan (53) serves elsewhere."""
    return (
        ("national", NATIONAL),
        ("county 620321 (in the serving province)", YONGCHANG),
        ("school 10001 (the volunteers' school)", PKU),
        ("school 10730 (a school in the serving province)", LZU),
        *((f"volunteer ({a})", volunteer(a)) for a in applicants or ("serving",)),
        ("provincial 11 (the recruiting province)", BEIJING),
        ("provincial 53 (another serving province)", YUNNAN),
    )


def national_only() -> tuple[tuple[str, Actor], ...]:
    """The national office's jurisdiction is the whole country: every other level is refused."""
    return (
        ("provincial 62", GANSU),
        ("county 620321", YONGCHANG),
        ("school 10001", PKU),
        ("volunteer", volunteer("serving")),
    )


CASES = [
    # the county office of the county concerned
    Case(
        "applyServiceCounty",
        APPLY_COUNTY,
        DAY,
        lambda ids: {
            "countyCode": "621122",
            "hasLeadingGroup": True,
            "hasProjectOffice": True,
            "contactPerson": "李主任",
            "intakeCapacity": 20,
            "governmentApprovalRef": "陇政发〔2027〕8号",
        },
        LONGXI,
        county_only("621122"),
    ),
    Case(
        "createServiceUnit",
        CREATE_UNIT,
        DAY,
        lambda ids: {"countyCode": "620321", "name": "红山窑镇", "level": "TOWNSHIP"},
        YONGCHANG,
        county_only("620321"),
    ),
    Case(
        "declarePost",
        DECLARE_POST,
        DAY,
        lambda ids: {
            "year": YEAR,
            "unitId": ids["unit"],
            "title": "镇中学数学",
            "category": "RURAL_EDUCATION",
            "headcount": 2,
        },
        YONGCHANG,
        county_only("620321"),
    ),
    Case(
        "declarePosts",
        DECLARE_POSTS,
        DAY,
        lambda ids: {
            "posts": [
                {
                    "year": YEAR,
                    "unitId": ids["unit"],
                    "title": "镇中学语文",
                    "category": "RURAL_EDUCATION",
                    "headcount": 1,
                }
            ]
        },
        YONGCHANG,
        county_only("620321"),
    ),
    Case(
        "receiveVolunteers",
        RECEIVE,
        DAY,
        lambda ids: {"applicationIds": [ids["assigned"]]},
        YONGCHANG,
        county_only("620321", "assigned"),
    ),
    Case(
        "signServiceAgreement",
        SIGN,
        DAY,
        lambda ids: {
            "applicationId": ids["dispatched"],
            "postId": ids["approved_post"],
            "startsOn": "2027-08-01",
            "endsOn": "2028-07-31",
        },
        YONGCHANG,
        county_only("620321", "dispatched"),
    ),
    Case(
        "renewServiceAgreement",
        RENEW,
        DAY,
        lambda ids: {"agreementId": ids["agreement"]},
        YONGCHANG,
        county_only("620321", "serving"),
    ),
    # the provincial office of the serving province
    Case(
        "decideServiceCounty",
        DECIDE_COUNTY,
        DAY,
        lambda ids: {"countyCode": "621123", "decision": "APPROVE"},
        GANSU,
        (*serving_province_only(), ("county 621123 (the applicant county)", {"level": "county", "code": "621123"})),
    ),
    Case(
        "confirmPosts",
        CONFIRM_POSTS,
        DAY,
        lambda ids: {"postIds": [ids["declared_post"]], "decision": "APPROVE"},
        GANSU,
        serving_province_only(),
    ),
    Case(
        "assignCounty",
        ASSIGN,
        DAY,
        lambda ids: {"applicationId": ids["trained"], "countyCode": "620321"},
        GANSU,
        serving_province_only("trained"),
    ),
    Case(
        "changePost",
        CHANGE_POST,
        DAY,
        lambda ids: {"agreementId": ids["agreement"], "postId": ids["other_county_post"], "reason": "本人申请"},
        GANSU,
        serving_province_only("serving"),
    ),
    Case(
        "recordCountyEvaluation",
        EVALUATE,
        DAY,
        lambda ids: {"countyCode": "620321", "year": YEAR, "passed": True, "remarks": "合格"},
        GANSU,
        serving_province_only(),
    ),
    # the national office
    Case("fileServiceCounty", FILE_COUNTY, DAY, lambda ids: {"countyCode": "621124"}, NATIONAL, national_only()),
    Case(
        "approvePosts",
        APPROVE_POSTS,
        DAY,
        lambda ids: {"postIds": [ids["confirmed_post"]], "decision": "APPROVE"},
        NATIONAL,
        national_only(),
    ),
]

PLACEMENT_MUTATIONS = [
    "applyServiceCounty",
    "createServiceUnit",
    "declarePost",
    "declarePosts",
    "receiveVolunteers",
    "signServiceAgreement",
    "renewServiceAgreement",
    "decideServiceCounty",
    "confirmPosts",
    "assignCounty",
    "changePost",
    "recordCountyEvaluation",
    "fileServiceCounty",
    "approvePosts",
]


def test_the_table_covers_every_placement_mutation() -> None:
    assert sorted(c.operation for c in CASES) == sorted(PLACEMENT_MUTATIONS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.operation)
async def test_only_the_owning_office_performs_a_placement_mutation(settings, case: Case) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, case.day) as front:
        ids = await prepare_placement(front.hub)
        failures = await case_failures(front, case, ids, PLACEMENT_TABLES, audit_subject=True)
        assert not failures, f"{case.operation}:\n" + "\n".join(failures)


# Requests that also break a domain rule, each from someone outside the mutation's jurisdiction, sent after
# the agreement milestone: the permission is decided first (authenticate → authorize → validate), so the
# outsider learns nothing from a userError and is FORBIDDEN.
OUTSIDERS: list[Outsider] = [
    (
        "applyServiceCounty",  # every R9 condition fails, and the county is already a service county
        APPLY_COUNTY,
        WEIXIN,
        lambda ids: {
            "countyCode": "620321",
            "hasLeadingGroup": False,
            "hasProjectOffice": False,
            "contactPerson": " ",
            "intakeCapacity": 0,
            "governmentApprovalRef": "",
        },
    ),
    (
        "createServiceUnit",  # a duplicate name
        CREATE_UNIT,
        TONGWEI,
        lambda ids: {"countyCode": "620321", "name": "河西堡镇", "level": "TOWNSHIP"},
    ),
    (
        "declarePost",  # headcount 0
        DECLARE_POST,
        TONGWEI,
        lambda ids: {"year": YEAR, "unitId": ids["unit"], "title": " ", "category": "YOUTH_WORK", "headcount": 0},
    ),
    (
        "declarePosts",  # headcount 0, a blank title
        DECLARE_POSTS,
        TONGWEI,
        lambda ids: {
            "posts": [{"year": YEAR, "unitId": ids["unit"], "title": " ", "category": "YOUTH_WORK", "headcount": 0}]
        },
    ),
    (
        "receiveVolunteers",  # already in service
        RECEIVE,
        TONGWEI,
        lambda ids: {"applicationIds": [ids["serving"]]},
    ),
    (
        "signServiceAgreement",  # after the milestone, a post of another province, longer than a year
        SIGN,
        WEIXIN,
        lambda ids: {
            "applicationId": ids["dispatched"],
            "postId": ids["yunnan_post"],
            "startsOn": "2027-08-01",
            "endsOn": "2029-07-31",
        },
    ),
    (
        "renewServiceAgreement",
        RENEW,
        TONGWEI,
        lambda ids: {"agreementId": ids["agreement"]},
    ),
    (
        "decideServiceCounty",  # a rejection without a reason, of a county that did not apply
        DECIDE_COUNTY,
        YUNNAN,
        lambda ids: {"countyCode": "621122", "decision": "REJECT"},
    ),
    (
        "confirmPosts",  # an already approved post
        CONFIRM_POSTS,
        YUNNAN,
        lambda ids: {"postIds": [ids["approved_post"]], "decision": "APPROVE"},
    ),
    (
        "assignCounty",  # a county of another province, for an application already placed
        ASSIGN,
        YUNNAN,
        lambda ids: {"applicationId": ids["serving"], "countyCode": "530629"},
    ),
    (
        "changePost",  # to a post of another province, without a reason
        CHANGE_POST,
        YUNNAN,
        lambda ids: {"agreementId": ids["agreement"], "postId": ids["yunnan_post"], "reason": " "},
    ),
    (
        "recordCountyEvaluation",  # not a year code
        EVALUATE,
        YUNNAN,
        lambda ids: {"countyCode": "620321", "year": "2027", "passed": False},
    ),
    (
        "fileServiceCounty",  # a county the province has not approved
        FILE_COUNTY,
        GANSU,
        lambda ids: {"countyCode": "621122"},
    ),
    (
        "approvePosts",  # a post the province has not confirmed
        APPROVE_POSTS,
        GANSU,
        lambda ids: {"postIds": [ids["declared_post"]], "decision": "APPROVE"},
    ),
]


async def test_an_outsider_is_refused_before_any_domain_rule_is_checked(settings) -> None:  # type: ignore[no-untyped-def]
    assert sorted(o[0] for o in OUTSIDERS) == sorted(PLACEMENT_MUTATIONS)
    async with client_at(settings, date(2027, 12, 31)) as front:  # the agreement milestone has passed
        ids = await prepare_placement(front.hub)
        failures, written = await outsider_failures(front, OUTSIDERS, ids, PLACEMENT_TABLES)
        assert not written, f"refused calls wrote {written}"
        assert not failures, "\n".join(failures)
