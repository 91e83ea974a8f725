"""`hub events list|retry|replay|catalogue` and `hub worker` (issue 16)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update

from hub import models as m
from hub.i18n import _


def _since(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not an ISO date or time: {value!r}", value=value)) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def add_arguments(sub: Any, settings: Callable[[], Any], plugins: Callable[[Any], Any]) -> None:
    events = sub.add_parser("events", help=_("the outbox of events and their webhook deliveries"))
    actions = events.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help=_("events with their deliveries by status"))
    listing.add_argument("--since", type=_since, default=None, help=_("ISO date or time (UTC unless given)"))
    listing.add_argument("--type", default=None, help=_("one event type (a mutation name)"))
    listing.add_argument("--limit", type=int, default=50, help=_("at most this many events (default 50)"))
    retry = actions.add_parser("retry", help=_("send dead (or the named) deliveries again from now"))
    retry.add_argument("--delivery", type=int, action="append", default=None, help=_("a delivery id (repeatable)"))
    replay = actions.add_parser("replay", help=_("deliver every event since a time again (same webhook-id)"))
    replay.add_argument(
        "--since", type=_since, required=True, help=_("replay the events committed since this ISO time")
    )
    catalogue = actions.add_parser("catalogue", help=_("print docs/events.md: the event types of the live schema"))
    catalogue.add_argument("--output", "-o", default=None, help=_("write to this file instead of stdout"))
    events.set_defaults(func=lambda args: run_events(args, settings(), plugins))
    worker = sub.add_parser("worker", help=_("deliver webhooks (and relay events) until stopped"))
    worker.set_defaults(func=lambda args: run_worker(settings(), plugins))


def run_events(args: argparse.Namespace, settings: Any, plugins: Callable[[Any], Any]) -> None:
    if args.action == "catalogue":
        from hub.events.catalogue import catalogue, render
        from hub.runtime import core_permissions
        from hub.schema import compose

        loaded = plugins(settings)
        text = render(catalogue(compose(loaded), loaded.permissions(core_permissions())))
        if args.output:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
        return
    asyncio.run(_events(args, settings))


async def _events(args: argparse.Namespace, settings: Any) -> None:
    from hub.db import make_engine, make_sessionmaker
    from hub.events.delivery import now

    engine = make_engine(settings.database_url, 2, settings.pgbouncer)
    try:
        maker = make_sessionmaker(engine, write=True)
        async with maker() as session, session.begin():
            if args.action == "list":
                query = select(m.DomainEvent).order_by(m.DomainEvent.id)
                if args.since:
                    query = query.where(m.DomainEvent.at >= args.since)
                if args.type:
                    query = query.where(m.DomainEvent.type == args.type)
                events = list((await session.execute(query.limit(args.limit))).scalars())
                counts: dict[int, dict[str, int]] = {}
                rows = await session.execute(
                    select(m.Delivery.event_id, m.Delivery.status, func.count())
                    .where(m.Delivery.event_id.in_([e.id for e in events]))
                    .group_by(m.Delivery.event_id, m.Delivery.status)
                )
                for event_id, status, n in rows:
                    counts.setdefault(event_id, {})[status] = n
                for e in events:
                    statuses = " ".join(f"{k}={v}" for k, v in sorted(counts.get(e.id, {}).items())) or "-"
                    print(f"{e.id}\t{e.uid}\t{e.at.isoformat()}\t{e.type}\t{statuses}")
                print(_("{count} events", count=len(events)), file=sys.stderr)
            elif args.action == "retry":
                chosen = m.Delivery.id.in_(args.delivery) if args.delivery else m.Delivery.status == "DEAD"
                done = await session.execute(
                    update(m.Delivery)
                    .where(chosen)
                    .values(status="PENDING", attempts=0, next_attempt_at=now(), leased_until=None)
                )
                print(_("{count} deliveries pending again", count=done.rowcount))
            else:  # replay
                since = select(m.DomainEvent.id).where(m.DomainEvent.at >= args.since)
                again = await session.execute(
                    update(m.Delivery)
                    .where(m.Delivery.event_id.in_(since))
                    .values(status="PENDING", attempts=0, next_attempt_at=now(), leased_until=None)
                )
                events = await session.execute(
                    update(m.DomainEvent).where(m.DomainEvent.at >= args.since).values(fanned_out=False)
                )
                print(
                    _(
                        "{count} events since {since} to deliver again; {deliveries} deliveries pending again "
                        "(endpoints added since get them too)",
                        count=events.rowcount,
                        since=args.since.isoformat(),
                        deliveries=again.rowcount,
                    )
                )
    finally:
        await engine.dispose()


def run_worker(settings: Any, plugins: Callable[[Any], Any]) -> None:
    from hub.events.worker import Worker
    from hub.runtime import Hub

    async def main() -> None:
        hub = Hub(settings, plugins(settings))
        worker = Worker(hub)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await worker.start()
        print(_("worker delivering events of {url} (stop with Ctrl-C)", url=settings.database_url), flush=True)
        await stop.wait()
        await worker.close()
        await hub.dispose()
        print(_("worker stopped"), flush=True)

    asyncio.run(main())
