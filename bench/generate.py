"""A deterministic national data set through the hub's own tables, loaded with COPY.

At `--scale 1.0` (national): the 32 provinces of the migrations, ~1,000 counties over the 13 western
provinces and 6 central ones, 6 service units per county, ~1,000 schools, 10,000 APPROVED posts of
2027-2028, 20,000 volunteers with one application each in every program year 2023-2024 … 2027-2028
(100,000 applications; the withdrawn ones are inactive), ~19,000 of them IN_SERVICE in 2027-2028 with a
service agreement on a post whose headcount is never overdrawn, insurance, trainings, allowance
standards, scales and quotas that cover what is used. Every row is a dict keyed by the columns of the
hub's SQLModel tables (`hub.models`), checked against them, and copied with asyncpg in chunks.

    python -m bench.generate --scale 1.0 --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/xibu_bench

Two ways to make the nation bigger (issue 17: "Q1, Q2 and the inbox independent of national size"):

- `--scale 5` multiplies everything, counties too: Gansu gets ~275 counties instead of its real ~86 (55 here),
  county 620121 more volunteers, province 62 five times the applications awaiting it. The province's own pages
  then answer five times as much, so their cost grows with their answer and says nothing about the nation.
- `--scale 1 --grow 5 --hold 62` is the data set of `--scale 1` (the same rows, the same seed) and then the rest
  of the nation grown until it is five times as big — 5,000 schools, 50,000 posts, 100,000 volunteers with
  500,000 applications — in what really grows from one year to another (students, schools, posts in the
  service counties), never in counties, which are geography. Nothing is added to or points at a held province:
  the new schools are elsewhere, the new posts in other provinces' counties, the new volunteers study elsewhere,
  serve elsewhere and prefer other provinces. So Gansu's dashboard, county 620121's volunteer page and province
  62's inbox have the same answer, byte for byte, at both sizes, and only the nation around them has grown: the
  honest test of "independent of national size". The national reports (the funding report) see all of it.

A database remembers how it was made (`COMMENT ON DATABASE`, JSON: scale, seed, grow, hold; `made_with`).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects import postgresql

from hub import agreements
from hub import models as m
from hub.reference import load_provinces
from hub.rules.deadlines import default_milestones
from hub.rules.idnumbers import check_character

CURRENT_YEAR = "2027-2028"
YEARS = ("2023-2024", "2024-2025", "2025-2026", "2026-2027", CURRENT_YEAR)
BENCH_TODAY = date(2027, 11, 15)  # HUB_TODAY of every bench server: inside 2027-2028's service period
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/xibu_bench"

# Counties per province at scale 1.0: the 13 western provinces (Gansu 62 has ~55) and 6 central ones.
COUNTIES_PER_PROVINCE = {
    "15": 80, "45": 75, "50": 30, "51": 110, "52": 75, "53": 95, "54": 60,
    "61": 70, "62": 55, "63": 35, "64": 20, "65": 80, "66": 14,
    "14": 35, "34": 30, "36": 35, "41": 40, "42": 30, "43": 30,
}  # fmt: skip
POSTS, VOLUNTEERS, SCHOOLS = 10_000, 20_000, 1_000
IN_SERVICE_SHARE, DISPATCHED_SHARE = 0.95, 0.02
CENTRAL_WEIGHT = 0.25  # central service counties take fewer posts than western ones
BIG_COUNTY_WEIGHT = 4  # the first county of each province (e.g. 620121, Q2's county) has 4× the posts
CATEGORIES = {
    "RURAL_EDUCATION": (32, ("中心小学支教", "初级中学支教", "幼儿园保教")),
    "RURAL_CONSTRUCTION": (20, ("乡村建设助理", "农技推广助理")),
    "RURAL_HEALTH": (18, ("卫生院医疗助理", "公共卫生服务")),
    "YOUTH_WORK": (8, ("团委青年工作", "青少年服务站")),
    "RURAL_GOVERNANCE": (22, ("乡村治理助理", "便民服务中心")),
}
KEY_ASSISTANCE = (("NATIONAL_KEY", 4), ("LOCAL_KEY", 3), ("POVERTY_EXITED", 2), ("NONE", 1))
HEADCOUNTS = ((1, 35), (2, 30), (3, 20), (4, 15))
SYLLABLES = "安宁和平康乐永昌定远临泽古浪民勤景泰靖会通渭陇西漳岷源洮武山谷秦清水庄静华亭崇信灵台泾川镇合池环庆正礼两当徽成文宕舟曲迭玛夏河卓尼潭"  # noqa: E501
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞宇浩然博文欣怡思雨晨阳子涵梓轩佳琪俊雅婷志建国海燕丹凯旭东"  # noqa: E501
SCHOOL_KINDS = (
    "大学",
    "师范大学",
    "理工大学",
    "农业大学",
    "医科大学",
    "财经大学",
    "民族大学",
    "工业大学",
    "职业技术学院",
)
PAST_STATUSES = (("NOT_SELECTED", 40), ("SCHOOL_REJECTED", 25), ("EXAM_FAILED", 15), ("WITHDRAWN", 20))
WAITING_STATUSES = (("SUBMITTED", 30), ("SCHOOL_APPROVED", 30), ("SELECTED", 20), ("WITHDRAWN", 20))
LOAD_ORDER = (
    "program_years",
    "milestone_dates",
    "counties",
    "schools",
    "service_units",
    "province_scales",
    "quotas",
    "trainings",
    "allowance_standards",
    "posts",
    "volunteers",
    "applications",
    "service_agreements",
    "insurance_policies",
)
TABLES = {t.name: t for t in (getattr(m, name).__table__ for name in m.__all__)}  # type: ignore[attr-defined]
CHUNK = 20_000
GROWTH_SEED = 1_000_003  # the growth of `--grow` draws from its own generator: the data set of --scale is unchanged


@dataclass
class DataSet:
    """Rows per table name, each a dict of column values; plus the facts the bench queries rely on."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, **values: Any) -> dict[str, Any]:
        row = dict(values)
        self.rows[table].append(row)
        return row

    def counts(self) -> dict[str, int]:
        return {name: len(self.rows[name]) for name in LOAD_ORDER}


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split along `weights` by the largest remainder (deterministic, sums exactly)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    counts = [math.floor(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _place(index: int, salt: int) -> str:
    """Two syllables, distinct for distinct `index` below len(SYLLABLES)**2."""
    n = len(SYLLABLES)
    return SYLLABLES[index % n] + SYLLABLES[(index // n + salt) % n]


def _id_number(province: str, n: int, birth: date) -> str:
    first17 = f"{province}{n // 1000:04d}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + check_character(first17)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def build(scale: float = 1.0, seed: int = 7, grow: float = 1.0, hold: Sequence[str] = ()) -> DataSet:
    """The whole data set in memory, a pure function of its arguments. With `grow` > 1 it is the data set of
    `scale` and then the nation's growth around the `hold` provinces (`grow_nation`); `grow` 1 adds nothing."""
    if grow < 1:
        raise ValueError(f"grow is a factor of 1 or more, not {grow}")
    rng = random.Random(seed)
    data = DataSet()
    provinces = {p["code"]: p for p in load_provinces()}
    unknown = set(hold) - provinces.keys()
    if unknown:
        raise ValueError(f"no province {', '.join(sorted(unknown))} to hold")
    for year in YEARS:
        data.add("program_years", code=year)
        for milestone, closes_on in default_milestones(year).items():
            data.add("milestone_dates", year=year, milestone=milestone.value, closes_on=closes_on, extended=False)
    counties, units_of = _counties(data, rng, scale)
    codes = sorted(provinces)
    schools = _schools(data, provinces, codes, max(len(codes), round(SCHOOLS * scale)))
    service_counties = [c for c in counties if c["status"] == "ACTIVE"]
    posts = _posts(data, rng, provinces, service_counties, units_of, round(POSTS * scale))
    serving = sorted({p["county_code"][:2] for p in posts})
    training_of = _trainings(data, rng, provinces, serving)
    west = [c for c in codes if provinces[c]["region"] == "WEST"]
    tally = _Tally()
    count = max(1, round(VOLUNTEERS * scale))
    _volunteers(data, rng, count, schools, posts, service_counties, west, training_of, tally)
    if grow > 1:
        grow_nation(data, random.Random(seed + GROWTH_SEED), provinces, scale * grow, set(hold), training_of, tally)
    _scales_and_quotas(data, serving, tally)
    return data


@dataclass
class _Tally:
    """What the volunteers used: places per (recruiting, serving) province (quotas), in service per province."""

    used: Counter[tuple[str, str]] = field(default_factory=Counter)
    in_service_of: Counter[str] = field(default_factory=Counter)


def grow_nation(
    data: DataSet,
    rng: random.Random,
    provinces: dict[str, dict[str, Any]],
    size: float,
    held: set[str],
    training_of: dict[str, int],
    tally: _Tally,
) -> None:
    """Grow the nation to `size` (schools, posts, volunteers with five years of applications each) on the
    counties it has, without touching the `held` provinces: the new schools are elsewhere, the new posts in
    other provinces' service counties, the new volunteers study elsewhere, serve elsewhere and prefer other
    provinces. See the module's docstring for why."""
    codes = sorted(c for c in provinces if c not in held)
    _schools(data, provinces, codes, round(SCHOOLS * size) - len(data.rows["schools"]))
    schools = [s for s in data.rows["schools"] if s["province_code"] not in held]
    service_counties = [
        c
        for c in data.rows["counties"]
        if c["status"] == "ACTIVE" and c["province_code"] not in held and c["province_code"] in training_of
    ]
    units_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for unit in data.rows["service_units"]:
        units_of[unit["county_code"]].append(unit)
    posts = _posts(data, rng, provinces, service_counties, units_of, round(POSTS * size) - len(data.rows["posts"]))
    west = [c for c in codes if provinces[c]["region"] == "WEST"]
    count = round(VOLUNTEERS * size) - len(data.rows["volunteers"])
    _volunteers(data, rng, count, schools, posts, service_counties, west, training_of, tally)


def _counties(
    data: DataSet, rng: random.Random, scale: float
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Counties and their units: code = province + prefecture (01…) + county (21…30)."""
    counties: list[dict[str, Any]] = []
    units_of: dict[str, list[dict[str, Any]]] = {}
    unit_id = 0
    for p_index, (province, full) in enumerate(COUNTIES_PER_PROVINCE.items()):
        for i in range(max(1, round(full * scale))):
            code = f"{province}{1 + i // 10:02d}{21 + i % 10:02d}"
            name = _place(i, p_index * 3) + "县"
            status = "NOT_SERVICE" if i % 13 == 12 else "ACTIVE"
            county = data.add(
                "counties",
                code=code,
                name=name,
                province_code=province,
                key_assistance=_weighted(rng, KEY_ASSISTANCE),
                remote=rng.random() < 0.3,
                status=status,
                first_service_year=None if status == "NOT_SERVICE" else "2019-2020",
            )
            counties.append(county)
            units = []
            for level, unit_name in (
                ("COUNTY", f"{name}团委"),
                ("TOWNSHIP", f"{_place(i + 1, 5)}镇"),
                ("TOWNSHIP", f"{_place(i + 2, 9)}镇"),
                ("TOWNSHIP", f"{_place(i + 3, 13)}乡"),
                ("VILLAGE", f"{_place(i + 4, 17)}村"),
                ("VILLAGE", f"{_place(i + 5, 21)}村"),
            ):
                unit_id += 1
                units.append(data.add("service_units", id=unit_id, county_code=code, name=unit_name, level=level))
            units_of[code] = units
    return counties, units_of


def _schools(
    data: DataSet, provinces: dict[str, dict[str, Any]], codes: Sequence[str], count: int
) -> list[dict[str, Any]]:
    """`count` more schools, in turn in each province of `codes`; codes and names go on from those there."""
    ordinal = Counter(s["province_code"] for s in data.rows["schools"])
    start = len(data.rows["schools"])
    rows = []
    for i in range(max(0, count)):
        province = codes[i % len(codes)]
        n = ordinal[province]
        ordinal[province] += 1
        short = provinces[province]["name"][:2]
        kind = SCHOOL_KINDS[n % len(SCHOOL_KINDS)]
        batch = n // len(SCHOOL_KINDS)
        school_name = f"{short}{kind}" if batch == 0 else f"{short}第{batch + 1}{kind}"
        rows.append(data.add("schools", code=f"{10001 + start + i:05d}", name=school_name, province_code=province))
    return rows


def _posts(
    data: DataSet,
    rng: random.Random,
    provinces: dict[str, dict[str, Any]],
    service_counties: Sequence[dict[str, Any]],
    units_of: dict[str, list[dict[str, Any]]],
    count: int,
) -> list[dict[str, Any]]:
    """`count` more posts of the current year, APPROVED, over `service_counties` (central ones weigh less)."""
    weights = []
    for c in service_counties:
        west = provinces[c["province_code"]]["region"] == "WEST"
        big = c["code"].endswith("0121")
        weights.append((1.0 if west else CENTRAL_WEIGHT) * (BIG_COUNTY_WEIGHT if big else 1))
    rows: list[dict[str, Any]] = []
    post_id = len(data.rows["posts"])
    for county, n_posts in zip(service_counties, apportion(count, weights), strict=True):
        units = units_of[county["code"]]
        for _ in range(n_posts):
            category = _weighted(rng, [(k, w) for k, (w, _titles) in CATEGORIES.items()])
            unit = units[0] if rng.random() < 0.06 else rng.choice(units[1:])
            post_id += 1
            rows.append(
                data.add(
                    "posts",
                    id=post_id,
                    year=CURRENT_YEAR,
                    unit_id=unit["id"],
                    county_code=county["code"],
                    title=unit["name"] + rng.choice(CATEGORIES[category][1]),
                    category=category,
                    headcount=_weighted(rng, HEADCOUNTS),
                    status="APPROVED",
                    local_project_id=None,
                )
            )
    return rows


def _trainings(
    data: DataSet, rng: random.Random, provinces: dict[str, dict[str, Any]], serving: Sequence[str]
) -> dict[str, int]:
    """A training and an allowance standard per serving province of the current year; training ids by province."""
    current_first = int(CURRENT_YEAR[:4])
    training_of = {}
    for t_id, province in enumerate(serving, start=1):
        training_of[province] = t_id
        data.add(
            "trainings",
            id=t_id,
            year=CURRENT_YEAR,
            serving_province_code=province,
            location=f"{provinces[province]['name']}省级培训基地",
            starts_on=date(current_first, 7, 20),
            ends_on=date(current_first, 7, 24),
            status="APPROVED",
        )
        data.add(
            "allowance_standards",
            id=t_id,
            year=CURRENT_YEAR,
            province_code=province,
            county_code=None,
            monthly_allowance=Decimal(2400 + 100 * rng.randrange(9)),
            hardship_allowance=Decimal(100 * rng.randrange(6)),
        )
    return training_of


def _volunteers(
    data: DataSet,
    rng: random.Random,
    count: int,
    schools: Sequence[dict[str, Any]],
    posts: Sequence[dict[str, Any]],
    service_counties: Sequence[dict[str, Any]],
    west: Sequence[str],
    training_of: dict[str, int],
    tally: _Tally,
) -> None:
    """`count` more volunteers from `schools`, each with an application in every year; ~95% take a place of the
    current year on `posts` (never more than a post's headcount), a few more are dispatched to `service_counties`;
    preferences among `west`."""
    current_first = int(CURRENT_YEAR[:4])
    first = len(data.rows["volunteers"])
    places = [p for p in posts for _ in range(p["headcount"])]
    rng.shuffle(places)
    order = list(range(count))
    rng.shuffle(order)
    n_placed = min(len(places), round(count * IN_SERVICE_SHARE))
    placement = {v: places[k] for k, v in enumerate(order[:n_placed])}
    dispatched_to = {
        v: rng.choice(service_counties)["code"] for v in order[n_placed : n_placed + round(count * DISPATCHED_SHARE)]
    }
    app_id, agreement_id = len(data.rows["applications"]), len(data.rows["service_agreements"])
    for k in range(count):
        n = first + k
        volunteer_id = n + 1
        school = rng.choice(schools)
        birth = date(2000 + rng.randrange(6), 1 + rng.randrange(12), 1 + rng.randrange(28))
        id_number = _id_number(school["province_code"], n, birth)
        registered = _at(date(current_first - 4, 3, 1) + timedelta(days=rng.randrange(40)))
        data.add(
            "volunteers",
            id=volunteer_id,
            subject=f"bench-volunteer-{volunteer_id}",
            name=_name(rng),
            id_number=id_number,
            phone=f"13{volunteer_id:09d}",
            gender="MALE" if int(id_number[16]) % 2 else "FEMALE",
            birth_date=birth,
            school_code=school["code"],
            degree=_weighted(rng, (("BACHELOR", 85), ("MASTER", 14), ("DOCTOR", 1))),
            graduate_teaching_group=rng.random() < 0.05,
            has_work_experience=rng.random() < 0.1,
            volunteer_experience=None,
            registered_at=registered,
        )
        for year in YEARS:
            first_year = int(year[:4])
            if year != CURRENT_YEAR:
                status = _weighted(rng, PAST_STATUSES)
            elif k in placement:
                status = "IN_SERVICE"
            elif k in dispatched_to:
                status = "DISPATCHED"
            else:
                status = _weighted(rng, WAITING_STATUSES)
            prefs = rng.sample(west, 3)
            post = placement.get(k)
            county_code = post["county_code"] if post else dispatched_to.get(k)
            if county_code and county_code[:2] not in prefs:
                prefs[0] = county_code[:2]
            app_id += 1
            submitted = _at(date(first_year, 4, 1) + timedelta(days=rng.randrange(40)))
            app = data.add(
                "applications",
                id=app_id,
                year=year,
                volunteer_id=volunteer_id,
                active_volunteer_id=None if status == "WITHDRAWN" else volunteer_id,
                school_code=school["code"],
                recruiting_province_code=school["province_code"],
                preference_1=prefs[0],
                preference_2=prefs[1],
                preference_3=prefs[2],
                accepts_adjustment=rng.random() < 0.7,
                status=status,
                submitted_at=submitted,
                withdrawn_reason="个人原因" if status == "WITHDRAWN" else None,
            )
            if status in ("SUBMITTED", "WITHDRAWN"):
                continue
            app.update(
                sign_off_decision="REJECT" if status == "SCHOOL_REJECTED" else "APPROVE",
                sign_off_reason="未取得推荐资格" if status == "SCHOOL_REJECTED" else None,
                sign_off_by=f"school-{school['code']}",
                sign_off_at=_at(date(first_year, 5, 17)),
            )
            if status in ("SCHOOL_REJECTED", "SCHOOL_APPROVED"):
                continue
            app.update(
                written_score=round(55 + rng.random() * 40, 1),
                interview_score=round(55 + rng.random() * 40, 1),
                psychological_passed=status != "NOT_SELECTED" or rng.random() < 0.8,
                selected=status != "NOT_SELECTED",
            )
            if status in ("NOT_SELECTED", "SELECTED"):
                continue
            app.update(exam_passed=status != "EXAM_FAILED", examined_on=date(first_year, 6, 5))
            if status == "EXAM_FAILED":
                continue
            assert county_code is not None
            province = county_code[:2]
            app.update(
                notice_starts_on=date(first_year, 6, 11),
                notice_ends_on=date(first_year, 6, 15),
                recruited_at=_at(date(first_year, 6, 18)),
                serving_province_code=province,
                confirmation_number=f"XB{first_year}-{province}-{app_id:07d}",
                quota_recruiting_code=school["province_code"],
                training_id=training_of[province],
                county_code=county_code,
            )
            tally.used[(school["province_code"], province)] += 1
            if post is None:
                continue
            tally.in_service_of[province] += 1
            agreement_id += 1
            starts = date(first_year, 8, 10) + timedelta(days=rng.randrange(6))
            data.add(
                "service_agreements",
                id=agreement_id,
                application_id=app_id,
                volunteer_id=volunteer_id,
                post_id=post["id"],
                county_code=county_code,
                unit_id=post["unit_id"],
                term_year=1,
                starts_on=starts,
                ends_on=date(first_year + 1, 7, 31),
                signed_at=_at(starts),
                reported_on=starts,
            )
            kinds = ("ACCIDENT",) if rng.random() < 0.04 else ("MAJOR_ILLNESS", "ACCIDENT")
            for kind in kinds:
                data.add(
                    "insurance_policies",
                    id=len(data.rows["insurance_policies"]) + 1,
                    volunteer_id=volunteer_id,
                    kind=kind,
                    policy_number=f"PICC-{kind[:2]}-{volunteer_id:07d}",
                    valid_from=starts,
                    valid_until=date(first_year + 1, 7, 31),
                )


def _scales_and_quotas(data: DataSet, serving: Sequence[str], tally: _Tally) -> None:
    """Scales and quotas that cover what is used (R8, R15–R18)."""
    for year in YEARS:
        for province in serving:
            in_service = tally.in_service_of[province]
            data.add("province_scales", year=year, province_code=province, scale=in_service + in_service // 10 + 5)
    for (recruiting, serving_code), n_used in sorted(tally.used.items()):
        data.add(
            "quotas",
            year=CURRENT_YEAR,
            recruiting_province_code=recruiting,
            serving_province_code=serving_code,
            quota=n_used + max(1, n_used // 10),
        )


def records(table_name: str, rows: Iterable[dict[str, Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The table's columns and the rows as tuples in that order: unknown keys and missing required
    values fail here, so the generator stays in step with `hub.models`."""
    table = TABLES[table_name]
    columns = list(table.columns)
    names = [c.name for c in columns]
    defaults = {c.name: (c.default.arg if c.default is not None and c.default.is_scalar else None) for c in columns}
    required = {c.name for c in columns if not c.nullable and c.default is None}
    out = []
    for row in rows:
        unknown = row.keys() - set(names)
        missing = required - row.keys()
        if unknown or missing:
            raise ValueError(f"{table_name}: unknown columns {sorted(unknown)}, missing {sorted(missing)}")
        out.append(tuple(row[n] if n in row else defaults[n] for n in names))
    return names, out


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    admin = asyncpg_dsn(url).rsplit("/", 1)[0] + "/postgres"
    connection = await asyncpg.connect(admin, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def create_database(url: str, replace: bool = False) -> None:
    """CREATE DATABASE from template0 (no other session can block it); `replace` drops it first."""
    name = database_name(url)
    if replace:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(url, f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")


async def drop_database(url: str) -> None:
    await _admin(url, f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def migrate(url: str) -> None:
    """`hub db upgrade` on the bench database, with every installed plugin's revisions."""
    from hub import migrate as hub_migrate
    from hub.plugins import HubPlugins
    from hub.settings import Settings

    hub_migrate.upgrade(Settings(database_url=url), HubPlugins(None))


async def load(url: str, data: DataSet, log: Any = print) -> None:
    """COPY every table in foreign-key order, in chunks; reset the id sequences; VACUUM (ANALYZE)."""
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=10)
    try:
        for name in ("applications", "posts", "volunteers", "counties"):
            if await connection.fetchval(f"SELECT count(*) FROM {name}"):
                raise RuntimeError(f"{name} is not empty: the bench loads into an empty, migrated database")
        # Row-by-row foreign-key triggers would cost most of the load: they are off while copying (this
        # session only) and every foreign key is then checked set-based, before anything commits.
        async with connection.transaction():
            await connection.execute("SET LOCAL session_replication_role = replica")
            for name in LOAD_ORDER:
                started = time.perf_counter()
                columns, rows = records(name, data.rows[name])
                for i in range(0, len(rows), CHUNK):
                    await connection.copy_records_to_table(name, records=rows[i : i + CHUNK], columns=columns)
                log(f"  {name:<20} {len(rows):>8} rows  {time.perf_counter() - started:6.2f} s")
            # COPY bypasses the session that keeps each application's latest agreement (hub.agreements):
            # the same statement, over every application, in the same transaction.
            started = time.perf_counter()
            await connection.execute(agreements.refresh_sql(postgresql.dialect()))
            log(f"  {'latest agreements':<20} {'kept':>8}       {time.perf_counter() - started:6.2f} s")
            started = time.perf_counter()
            await check_foreign_keys(connection, LOAD_ORDER)
            log(f"  {'foreign keys':<20} {'checked':>8}       {time.perf_counter() - started:6.2f} s")
        for name in LOAD_ORDER:
            if "id" in TABLES[name].columns and TABLES[name].c.id.primary_key:
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"  # noqa: E501
                )
        # VACUUM too, not only ANALYZE: hint bits and visibility maps are set now, so neither the first
        # timed requests nor an autovacuum in the middle of a measurement pay for the bulk load.
        started = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE)")
        log(f"  {'VACUUM (ANALYZE)':<20} {'':>8}       {time.perf_counter() - started:6.2f} s")
    finally:
        await connection.close()


FOREIGN_KEYS = """
SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
       array(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
       array(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY($1::text[])
"""


async def check_foreign_keys(connection: Any, tables: Sequence[str]) -> None:
    """Every foreign key of `tables`, checked with one anti-join each; a dangling reference raises."""
    for name, child, parent, columns, referenced in await connection.fetch(FOREIGN_KEYS, list(tables)):
        present = " AND ".join(f"c.{col} IS NOT NULL" for col in columns)
        match = " AND ".join(f"p.{ref} = c.{col}" for col, ref in zip(columns, referenced, strict=True))
        orphans = f"NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})"
        dangling = await connection.fetchval(f"SELECT count(*) FROM {child} c WHERE {present} AND {orphans}")
        if dangling:
            raise RuntimeError(f"{dangling} rows of {child} break the foreign key {name}")


def generate(
    url: str,
    scale: float,
    seed: int,
    create: bool = True,
    replace: bool = False,
    log: Any = print,
    grow: float = 1.0,
    hold: Sequence[str] = (),
) -> float:
    """Create (optionally) and migrate the database, build and load the data set, and note on the database how
    it was made (`made_with`); the seconds it took."""
    started = time.perf_counter()
    if create:
        log(f"creating database {database_name(url)} ...")
        asyncio.run(create_database(url, replace))
    log("migrating (hub.migrate.upgrade) ...")
    migrate(url)
    step = time.perf_counter()
    data = build(scale, seed, grow, hold)
    grown = f", the nation grown {grow:g}× holding {','.join(hold) or 'nothing'}" if grow > 1 else ""
    log(f"built the data set at scale {scale}{grown} (seed {seed}) in {time.perf_counter() - step:.2f} s; loading ...")
    asyncio.run(load(url, data, log))
    asyncio.run(_note(url, {"scale": scale, "seed": seed, "grow": grow, "hold": list(hold)}))
    elapsed = time.perf_counter() - started
    counts = data.counts()
    log(
        f"loaded {counts['counties']} counties, {counts['posts']} posts, {counts['volunteers']} volunteers, "
        f"{counts['applications']} applications, {counts['service_agreements']} agreements in {elapsed:.1f} s"
    )
    return elapsed


async def _note(url: str, how: dict[str, Any]) -> None:
    import json

    literal = json.dumps(how).replace("'", "''")
    await _admin(url, f"COMMENT ON DATABASE \"{database_name(url)}\" IS '{literal}'")


def made_with(url: str) -> dict[str, Any] | None:
    """How bench.generate made the database at `url` (scale, seed, grow, hold), or None if it does not say."""
    import json

    import asyncpg

    async def read() -> str | None:
        connection = await asyncpg.connect(asyncpg_dsn(url), timeout=10)
        try:
            return await connection.fetchval(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
            )
        finally:
            await connection.close()

    text = asyncio.run(read())
    try:
        how = json.loads(text) if text else None
    except ValueError:
        return None
    return how if isinstance(how, dict) else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national; 0.01 = tiny")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="postgresql+asyncpg URL of the bench database")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--grow",
        type=float,
        default=1.0,
        help="the data set of --scale, then the nation grown to this many times its size, on the same counties",
    )
    parser.add_argument(
        "--hold", default="", help="comma-separated province codes --grow leaves as they are (e.g. 62: the bench's)"
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--replace", action="store_true", help="drop the database first if it exists")
    how.add_argument("--existing", action="store_true", help="load into an existing (empty or migrated) database")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if not args.database_url.startswith("postgresql+asyncpg://"):
        sys.exit("bench: --database-url must be a postgresql+asyncpg:// URL")
    if args.scale <= 0 or args.scale > 10:
        sys.exit("bench: --scale must be in (0, 10]")
    hold = [code.strip() for code in args.hold.split(",") if code.strip()]
    if args.grow < 1 or args.scale * args.grow > 10:
        sys.exit("bench: --grow must be 1 or more, and --scale × --grow at most 10")
    if hold and args.grow == 1:
        sys.exit("bench: --hold holds provinces while the nation grows: give --grow too")
    try:
        generate(
            args.database_url,
            args.scale,
            args.seed,
            create=not args.existing,
            replace=args.replace,
            grow=args.grow,
            hold=hold,
        )
    except ValueError as refused:  # an unknown province to hold
        sys.exit(f"bench: {refused}")


if __name__ == "__main__":
    main()
