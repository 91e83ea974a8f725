"""GraphQL documents and set-up of placement (R8–R14, R26–R27), shared by the placement tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hub import models as m

YEAR = "2027-2028"
ERRORS = "userErrors { code message field }"
APPLY_COUNTY = f"""mutation($input: ApplyServiceCountyInput!) {{ applyServiceCounty(input: $input) {{
  county {{ code status }} {ERRORS} }} }}"""
DECIDE_COUNTY = f"""mutation($input: CountyDecisionInput!) {{ decideServiceCounty(input: $input) {{
  county {{ code status }} {ERRORS} }} }}"""
FILE_COUNTY = f"""mutation($input: FileServiceCountyInput!) {{ fileServiceCounty(input: $input) {{
  county {{ code status }} {ERRORS} }} }}"""
CREATE_UNIT = f"""mutation($input: CreateServiceUnitInput!) {{ createServiceUnit(input: $input) {{
  serviceUnit {{ id name level county {{ code }} }} {ERRORS} }} }}"""
DECLARE_POST = f"""mutation($input: DeclarePostInput!) {{ declarePost(input: $input) {{
  post {{ id status headcount specialProject townshipOrBelow }} {ERRORS} }} }}"""
DECLARE_POSTS = f"""mutation($input: DeclarePostsInput!) {{ declarePosts(input: $input) {{
  posts {{ id status headcount }} {ERRORS} }} }}"""
CONFIRM_POSTS = f"""mutation($input: PostsDecisionInput!) {{ confirmPosts(input: $input) {{
  posts {{ id status }} {ERRORS} }} }}"""
APPROVE_POSTS = f"""mutation($input: PostsDecisionInput!) {{ approvePosts(input: $input) {{
  posts {{ id status }} {ERRORS} }} }}"""
ASSIGN = f"""mutation($input: AssignCountyInput!) {{ assignCounty(input: $input) {{
  application {{ id status county {{ code }} }} {ERRORS} }} }}"""
RECEIVE = f"""mutation($input: ReceiveVolunteersInput!) {{ receiveVolunteers(input: $input) {{
  applications {{ id status }} {ERRORS} }} }}"""
SIGN = f"""mutation($input: SignServiceAgreementInput!) {{ signServiceAgreement(input: $input) {{
  agreement {{ id termYear startsOn endsOn post {{ id filled }} county {{ code }} unit {{ name }} }} {ERRORS} }} }}"""
RENEW = f"""mutation($input: RenewServiceAgreementInput!) {{ renewServiceAgreement(input: $input) {{
  agreement {{ id termYear startsOn endsOn }} {ERRORS} }} }}"""
CHANGE_POST = f"""mutation($input: ChangePostInput!) {{ changePost(input: $input) {{
  agreement {{ id post {{ id }} county {{ code }} }} {ERRORS} }} }}"""
EVALUATE = f"""mutation($input: CountyEvaluationInput!) {{ recordCountyEvaluation(input: $input) {{
  county {{ code status }} {ERRORS} }} }}"""

NATIONAL = {"level": "national", "sub": "ops-national"}
GANSU = {"level": "provincial", "code": "62", "sub": "ops-gansu"}


def county_actor(code: str) -> dict[str, str]:
    return {"level": "county", "code": code, "sub": f"ops-{code}"}


async def trained_volunteers(hub: Any, count: int, serving: str = "62", start: int = 1, year: str = YEAR) -> list[int]:
    """`count` recruited and trained applications of `year` for `serving` (school 10730), written directly."""
    from tests.seed import id_number

    now = datetime.now(UTC)
    ids = []
    async with hub.write_sessionmaker() as session, session.begin():
        for n in range(start, start + count):
            volunteer = m.Volunteer(
                subject=f"trained-{n}",
                name=f"培训{n}",
                id_number=id_number(n),
                phone=f"137{n:08d}",
                gender="MALE",
                birth_date=date(2004, 5, 6),
                school_code="10730",
                degree="BACHELOR",
                registered_at=now,
            )
            session.add(volunteer)
            await session.flush()
            app = m.Application(
                year=year,
                volunteer_id=volunteer.id,
                active_volunteer_id=volunteer.id,
                school_code="10730",
                recruiting_province_code="62",
                preference_1=serving,
                preference_2="53",
                preference_3="65",
                accepts_adjustment=True,
                status="TRAINED",
                submitted_at=now,
                recruited_at=now,
                serving_province_code=serving,
                quota_recruiting_code="62",
                confirmation_number=f"T-{n}",
            )
            session.add(app)
            await session.flush()
            ids.append(app.id)
    return ids


async def approved_posts(hub: Any, county: str, headcounts: list[tuple[str, str, int]]) -> list[int]:
    """Approved posts (unit level, category, headcount) of `county` for YEAR, written directly."""
    ids = []
    async with hub.write_sessionmaker() as session, session.begin():
        for index, (level, category, headcount) in enumerate(headcounts):
            unit = m.ServiceUnit(county_code=county, name=f"{county}-unit-{index}-{level}", level=level)
            session.add(unit)
            await session.flush()
            post = m.Post(
                year=YEAR,
                unit_id=unit.id,
                county_code=county,
                title=f"岗位{index}",
                category=category,
                headcount=headcount,
                status="APPROVED",
            )
            session.add(post)
            await session.flush()
            ids.append(post.id)
    return ids
