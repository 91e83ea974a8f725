"""The recruitment season end to end through /graphql with real tokens (R7, R15–R25): the national office
sets the year, reference data, scales and quotas; volunteers apply; the school signs off; the recruiting
province selects, examines, publicizes and signs; the serving province trains; a withdrawn recruit is
replaced. Each step is read back through the contract's queries."""

from __future__ import annotations

from datetime import date

from tests.season import (
    APPLY,
    APPROVE_TRAINING,
    ATTEND,
    EXAM,
    GANSU,
    LZU,
    NATIONAL,
    PUBLICIZE,
    REGISTER,
    REPLACE,
    SCHEDULE,
    SELECT,
    SET_QUOTA,
    SET_SCALE,
    SET_YEAR,
    SIGN_OFF,
    SIGN_RECRUITMENT,
    UPSERT_COUNTIES,
    UPSERT_SCHOOLS,
    WITHDRAW,
    YEAR,
    client_at,
    must,
)
from tests.seed import id_number

READ_APPLICATION = """query($id: ID!) { node(id: $id) { ... on Application { status year
  volunteer { name } school { code } recruitingProvince { code } preferences { code } acceptsAdjustment
  schoolSignOff { decision by } selection { writtenScore interviewScore psychologicalPassed selected }
  physicalExam { passed examinedOn } publicNotice { startsOn endsOn }
  recruitmentAgreement { confirmationNumber servingProvince { code } } servingProvince { code }
  training { id status days servingProvince { code } } replacementFor { id } replacedBy { id } } } }"""


async def _recruit_until_publicized(settings, names: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Register, apply, sign off, select, examine and publicize one applicant per name; their ids."""
    ids = []
    async with client_at(settings, date(2027, 3, 1)) as front:
        for n, name in enumerate(names, start=1):
            volunteer = {"level": "volunteer", "sub": f"applicant-{name}"}
            await must(
                front,
                REGISTER,
                {
                    "name": name,
                    "idNumber": id_number(n),
                    "phone": f"1380000{n:04d}",
                    "schoolCode": "10730",
                    "degree": "BACHELOR",
                    "hasWorkExperience": False,
                },
                volunteer,
            )
            applied = await must(
                front,
                APPLY,
                {"year": YEAR, "preferredProvinceCodes": ["62", "53", "65"], "acceptsAdjustment": n % 2 == 0},
                volunteer,
            )
            ids.append(applied["application"]["id"])
    async with client_at(settings, date(2027, 5, 17)) as front:
        for gid in ids:
            await must(front, SIGN_OFF, {"applicationId": gid, "decision": "APPROVE"}, LZU)
    async with client_at(settings, date(2027, 5, 25)) as front:
        for gid in ids:
            await must(
                front,
                SELECT,
                {
                    "applicationId": gid,
                    "writtenScore": 86.5,
                    "interviewScore": 90,
                    "psychologicalPassed": True,
                    "selected": True,
                },
                GANSU,
            )
    async with client_at(settings, date(2027, 6, 8)) as front:
        for gid in ids:
            await must(front, EXAM, {"applicationId": gid, "passed": True, "examinedOn": "2027-06-05"}, GANSU)
        await must(front, PUBLICIZE, {"applicationIds": ids, "startsOn": "2027-06-08", "endsOn": "2027-06-12"}, GANSU)
    return ids


async def _set_up_the_year(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, date(2027, 1, 10)) as front:
        year = await must(front, SET_YEAR, {"code": YEAR, "milestones": []}, NATIONAL)
        assert len(year["programYear"]["milestones"]) == 7
        await must(
            front,
            UPSERT_SCHOOLS,
            {
                "schools": [
                    {"code": "10730", "name": "兰州大学", "provinceCode": "62"},
                    {"code": "10001", "name": "北京大学", "provinceCode": "11"},
                ]
            },
            NATIONAL,
        )
        await must(
            front,
            UPSERT_COUNTIES,
            {"counties": [{"code": "621121", "name": "通渭县", "keyAssistance": "NATIONAL_KEY", "remote": True}]},
            NATIONAL,
        )
        for province, scale in (("62", 40), ("53", 30), ("65", 20)):
            scaled = await must(front, SET_SCALE, {"year": YEAR, "provinceCode": province, "scale": scale}, NATIONAL)
            assert scaled["province"]["scale"] == scale
        await must(
            front,
            SET_QUOTA,
            {"year": YEAR, "recruitingProvinceCode": "62", "servingProvinceCode": "62", "quota": 2},
            NATIONAL,
        )
        await must(
            front,
            SET_QUOTA,
            {"year": YEAR, "recruitingProvinceCode": "62", "servingProvinceCode": "53", "quota": 1},
            NATIONAL,
        )


async def test_the_season_from_registration_to_trained_volunteers(settings) -> None:  # type: ignore[no-untyped-def]
    await _set_up_the_year(settings)
    first, second, third = await _recruit_until_publicized(settings, ["李雷", "韩梅梅", "王强"])

    async with client_at(settings, date(2027, 6, 12)) as front:  # the notice's last day: too early
        early = await front.ok(
            SIGN_RECRUITMENT, {"input": {"applicationId": first, "servingProvinceCode": "62"}}, **GANSU
        )
        assert early["signRecruitmentAgreement"]["userErrors"][0]["code"] == "INVALID_STATE"

    async with client_at(settings, date(2027, 6, 13)) as front:
        signed = await must(front, SIGN_RECRUITMENT, {"applicationId": first, "servingProvinceCode": "62"}, GANSU)
        agreement = signed["application"]["recruitmentAgreement"]
        assert signed["application"]["status"] == "RECRUITED"
        assert agreement["servingProvince"]["code"] == "62" and agreement["confirmationNumber"].startswith("XB2027")
        await must(front, SIGN_RECRUITMENT, {"applicationId": second, "servingProvinceCode": "62"}, GANSU)
        data = await front.ok(
            f'{{ quotas(year: "{YEAR}", recruitingProvinceCode: "62") {{ servingProvince {{ code }} quota used }} }}',
            **NATIONAL,
        )
        assert {q["servingProvince"]["code"]: (q["quota"], q["used"]) for q in data["quotas"]} == {
            "62": (2, 2),
            "53": (1, 0),
        }
        full = await front.ok(
            SIGN_RECRUITMENT, {"input": {"applicationId": third, "servingProvinceCode": "62"}}, **GANSU
        )
        assert full["signRecruitmentAgreement"]["userErrors"][0]["code"] == "QUOTA_EXCEEDED"

        # R25: the second recruit withdraws; the third, publicized and unrecruited, replaces them
        await must(
            front,
            WITHDRAW,
            {"applicationId": second, "reason": "考取公务员"},
            {"level": "volunteer", "sub": "applicant-韩梅梅"},
        )
        replaced = await must(
            front, REPLACE, {"withdrawnApplicationId": second, "replacementApplicationId": third}, GANSU
        )
        assert replaced["application"]["status"] == "RECRUITED"
        assert replaced["application"]["replacementFor"]["id"] == second
        data = await front.ok(
            f'{{ quotas(year: "{YEAR}", recruitingProvinceCode: "62", servingProvinceCode: "62") {{ quota used }} }}',
            **NATIONAL,
        )
        assert data["quotas"] == [{"quota": 2, "used": 2}]  # net quota use unchanged

    async with client_at(settings, date(2027, 6, 25)) as front:
        training = await must(
            front,
            SCHEDULE,
            {
                "year": YEAR,
                "servingProvinceCode": "62",
                "location": "兰州",
                "startsOn": "2027-07-20",
                "endsOn": "2027-07-23",
            },
            GANSU,
        )
        assert training["training"] == {"id": training["training"]["id"], "status": "PROPOSED", "days": 4}
        training_id = training["training"]["id"]
        await must(front, APPROVE_TRAINING, {"trainingId": training_id}, NATIONAL)
        # the recruiting provinces are informed: they read the serving province's trainings
        seen = await front.ok(
            f'{{ trainings(year: "{YEAR}", servingProvinceCode: "62") {{ id status location }} }}',
            level="provincial",
            code="11",
        )
        assert seen["trainings"] == [{"id": training_id, "status": "APPROVED", "location": "兰州"}]

    async with client_at(settings, date(2027, 7, 24)) as front:
        attended = await must(front, ATTEND, {"trainingId": training_id, "applicationIds": [first, third]}, GANSU)
        assert [a["status"] for a in attended["applications"]] == ["TRAINED", "TRAINED"]

        record = (await front.ok(READ_APPLICATION, {"id": first}, **GANSU))["node"]
        assert record["status"] == "TRAINED"
        assert record["schoolSignOff"] == {"decision": "APPROVE", "by": "ops-lzu"}
        assert record["selection"] == {
            "writtenScore": 86.5,
            "interviewScore": 90.0,
            "psychologicalPassed": True,
            "selected": True,
        }
        assert record["physicalExam"] == {"passed": True, "examinedOn": "2027-06-05"}
        assert record["publicNotice"] == {"startsOn": "2027-06-08", "endsOn": "2027-06-12"}
        assert record["servingProvince"] == {"code": "62"}
        assert record["training"] == {
            "id": training_id,
            "status": "APPROVED",
            "days": 4,
            "servingProvince": {"code": "62"},
        }
        withdrawn = (await front.ok(READ_APPLICATION, {"id": second}, **GANSU))["node"]
        assert withdrawn["status"] == "WITHDRAWN" and withdrawn["replacedBy"] == {"id": third}
        # the volunteer reads their own record; the health data is theirs to see
        own = (await front.ok(READ_APPLICATION, {"id": first}, level="volunteer", sub="applicant-李雷"))["node"]
        assert own["physicalExam"]["passed"] is True
        # and the national office reads it masked of health data
        national = (await front.ok(READ_APPLICATION, {"id": first}, **NATIONAL))["node"]
        assert national["physicalExam"] is None
        log = await front.ok(
            f'{{ auditLog(targetId: "{first}", first: 50) {{ edges {{ node {{ operation }} }} }} }}', **NATIONAL
        )
        assert [e["node"]["operation"] for e in log["auditLog"]["edges"]] == [
            "submitApplication",
            "signOffApplication",
            "recordSelection",
            "recordPhysicalExam",
            "publicize",
            "signRecruitmentAgreement",
            "recordAttendance",
        ]
