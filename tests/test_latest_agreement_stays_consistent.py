"""R26–R27: each application's latest agreement, kept on it by hub.agreements (latest_post_id,
latest_term_year), always equals the one recomputed from scratch from service_agreements — after every
step of a random sequence of agreement writes through the API (signServiceAgreement, renewServiceAgreement,
changePost, refused calls included), and after writes that bypass the mutations (an ORM insert and update
as fixtures write them, a bulk ORM update, a deletion). Every post's `filled` then counts the holders of
that recomputation, and a rolled-back write leaves the kept columns as they were."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from hub import agreements
from hub import models as m
from hub.ids import int_key, to_global_id
from tests.placement import (
    CHANGE_POST,
    GANSU,
    NATIONAL,
    RENEW,
    SIGN,
    approved_posts,
    county_actor,
    trained_volunteers,
)
from tests.season import client_at
from tests.seed import seed_reference

TONGWEI, YONGCHANG = "621121", "620321"  # two service counties of Gansu (62)
SIGNING_DAY = date(2027, 8, 10)  # before the service-agreement milestone; every term is still in force
TERM = {"startsOn": "2027-08-01", "endsOn": "2028-07-31"}
STEPS = 40
POST_OF = """query($id: ID!) { node(id: $id) { ... on Post { filled } } }"""


async def _drift(hub: Any) -> list[tuple[int, Any, Any]]:
    """(application, kept, recomputed) wherever the kept latest agreement differs from scratch."""
    async with hub.sessionmaker() as session:
        kept = {
            key: (post, term)
            for key, post, term in (
                await session.execute(
                    select(m.Application.id, m.Application.latest_post_id, m.Application.latest_term_year)
                )
            ).all()
        }
        scratch = {key: (post, term) for key, post, term in (await session.execute(agreements.latest())).all()}
    assert set(scratch) <= set(kept)
    return [
        (key, kept[key], scratch.get(key, (None, None)))
        for key in sorted(kept)
        if kept[key] != scratch.get(key, (None, None))
    ]


async def _holders_from_scratch(hub: Any) -> Counter[int]:
    async with hub.sessionmaker() as session:
        latest = agreements.latest().subquery()
        rows = await session.execute(
            select(latest.c.post_id)
            .join(m.Application, m.Application.id == latest.c.application_id)
            .where(m.Application.status == "IN_SERVICE")
        )
        return Counter(post for (post,) in rows.all())


async def _dispatched(hub: Any, count: int, county: str, start: int) -> list[str]:
    keys = await trained_volunteers(hub, count, county[:2], start)
    async with hub.write_sessionmaker() as session, session.begin():
        await session.execute(
            update(m.Application).where(m.Application.id.in_(keys)).values(county_code=county, status="DISPATCHED")
        )
    return [to_global_id("Application", key) for key in keys]


def _accepted_or_refused(body: dict[str, Any], field: str) -> dict[str, Any] | None:
    """The agreement the call wrote, or None when it was refused with a userError (a crash fails)."""
    assert not body.get("errors"), body["errors"]
    payload = body["data"][field]
    if payload["agreement"] is None:
        assert payload["userErrors"], payload
    return payload["agreement"]


@pytest.mark.parametrize("seed", [17, 2027])
async def test_the_kept_latest_agreement_equals_a_recomputation(settings, hub, seed: int) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    posts = {
        TONGWEI: await approved_posts(
            hub,
            TONGWEI,
            [("TOWNSHIP", "RURAL_EDUCATION", 2), ("TOWNSHIP", "RURAL_HEALTH", 3), ("VILLAGE", "YOUTH_WORK", 4)],
        ),
        YONGCHANG: await approved_posts(hub, YONGCHANG, [("VILLAGE", "RURAL_GOVERNANCE", 3)]),
    }
    every_post = [p for ids in posts.values() for p in ids]
    waiting = {TONGWEI: await _dispatched(hub, 7, TONGWEI, 1), YONGCHANG: await _dispatched(hub, 4, YONGCHANG, 8)}
    chance = random.Random(seed)
    signed: list[str] = []  # global ids of every agreement written, renewals included
    done = Counter[str]()
    assert await _drift(hub) == []

    async with client_at(settings, SIGNING_DAY) as front:
        for _ in range(STEPS):
            kind = chance.choice(["sign", "sign", "renew", "change"] if signed else ["sign"])
            if kind == "sign":
                county = chance.choice([c for c in waiting if waiting[c]] or list(waiting))
                if not waiting[county]:
                    continue
                application = chance.choice(waiting[county])
                post = to_global_id("Post", chance.choice(posts[county]))
                term = {"applicationId": application, "postId": post, **TERM}
                agreement = _accepted_or_refused(
                    await front.gql(SIGN, {"input": term}, **county_actor(county)), "signServiceAgreement"
                )
                if agreement is not None:
                    waiting[county].remove(application)
            elif kind == "renew":
                current = chance.choice(signed)  # the latest one, or an earlier term (INVALID_STATE)
                async with front.hub.sessionmaker() as session:
                    county = (await session.get(m.ServiceAgreement, int_key(current, "ServiceAgreement"))).county_code
                agreement = _accepted_or_refused(
                    await front.gql(RENEW, {"input": {"agreementId": current}}, **county_actor(county)),
                    "renewServiceAgreement",
                )
            else:
                move = {
                    "agreementId": chance.choice(signed),
                    "postId": to_global_id("Post", chance.choice(every_post)),
                    "reason": "本人申请调岗",
                }
                agreement = _accepted_or_refused(await front.gql(CHANGE_POST, {"input": move}, **GANSU), "changePost")
            if agreement is not None:
                done[kind] += 1
                if agreement["id"] not in signed:
                    signed.append(agreement["id"])
            assert await _drift(hub) == [], (kind, done)

        assert done["sign"] >= 3 and done["renew"] >= 1 and done["change"] >= 1, done
        holders = await _holders_from_scratch(hub)
        for post in every_post:
            node = (await front.ok(POST_OF, {"id": to_global_id("Post", post)}, **NATIONAL))["node"]
            assert node["filled"] == holders.get(post, 0), post


async def test_writes_that_bypass_the_mutations_keep_it_too(settings, hub) -> None:  # type: ignore[no-untyped-def]
    """A fixture's ORM insert and update, a bulk ORM update and a deletion: each refreshes the applications
    it touched in its own transaction; a rolled-back one changes nothing."""
    await seed_reference(hub)
    first, second = await approved_posts(hub, TONGWEI, [("TOWNSHIP", "RURAL_EDUCATION", 5)] * 2)
    keys = await trained_volunteers(hub, 3)
    async with hub.write_sessionmaker() as session, session.begin():
        for key in keys:
            app = await session.get(m.Application, key)
            app.status, app.county_code = "IN_SERVICE", TONGWEI
            for term in (1, 2):
                session.add(
                    m.ServiceAgreement(
                        application_id=key,
                        volunteer_id=app.volunteer_id,
                        post_id=first,
                        county_code=TONGWEI,
                        unit_id=(await session.get(m.Post, first)).unit_id,
                        term_year=term,
                        starts_on=date(2026 + term, 8, 1),
                        ends_on=date(2027 + term, 7, 31),
                        signed_at=datetime.now(UTC),
                    )
                )
        await session.flush()
        assert (app.latest_post_id, app.latest_term_year) == (first, 2)  # the loaded object sees it at once
    assert await _drift(hub) == []

    async with hub.write_sessionmaker() as session, session.begin():  # an ORM update of the latest term
        latest = (
            await session.execute(
                select(m.ServiceAgreement).where(
                    m.ServiceAgreement.application_id == keys[0], m.ServiceAgreement.term_year == 2
                )
            )
        ).scalar_one()
        latest.post_id = second
    assert await _drift(hub) == []
    assert (await _holders_from_scratch(hub))[second] == 1

    async with hub.write_sessionmaker() as session, session.begin():  # a bulk ORM update
        await session.execute(
            update(m.ServiceAgreement).where(m.ServiceAgreement.application_id == keys[1]).values(post_id=second)
        )
    assert await _drift(hub) == []

    async with hub.write_sessionmaker() as session, session.begin():  # a deletion of the latest term
        latest = (
            await session.execute(
                select(m.ServiceAgreement).where(
                    m.ServiceAgreement.application_id == keys[2], m.ServiceAgreement.term_year == 2
                )
            )
        ).scalar_one()
        await session.delete(latest)
    assert await _drift(hub) == []

    with pytest.raises(RuntimeError):  # rolled back: the kept columns stay with the agreements
        async with hub.write_sessionmaker() as session, session.begin():
            latest = (
                await session.execute(select(m.ServiceAgreement).where(m.ServiceAgreement.application_id == keys[2]))
            ).scalar_one()
            latest.post_id = second
            await session.flush()
            raise RuntimeError("abandon the transaction")
    assert await _drift(hub) == []
    async with hub.sessionmaker() as session:
        kept = (
            await session.execute(
                select(m.Application.latest_post_id, m.Application.latest_term_year)
                .where(m.Application.id.in_(keys))
                .order_by(m.Application.id)
            )
        ).all()
    assert [tuple(row) for row in kept] == [(second, 2), (second, 2), (first, 1)]
