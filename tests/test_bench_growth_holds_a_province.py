"""bench.generate's `--grow N --hold CODES` (issue 17, "independent of national size"): the data set of the scale,
unchanged, and then the rest of the nation grown N times on the same counties — so a held province's own pages
have the same answer at both sizes while the nation around them grows. A pure function: no database."""

from __future__ import annotations

from typing import Any

import pytest

from bench import generate

SCALE = 0.02
HELD = "62"


def _of_held(table: str, row: dict[str, Any]) -> bool:
    """Whether a row belongs to, or points at, the held province."""
    if table == "applications":
        codes = (row["recruiting_province_code"], row.get("serving_province_code"), row.get("county_code"))
        codes += (row["preference_1"], row["preference_2"], row["preference_3"])
        return any((code or "").startswith(HELD) for code in codes)
    keys = ("province_code", "county_code", "serving_province_code", "recruiting_province_code")
    return any((row.get(key) or "").startswith(HELD) for key in keys)


@pytest.fixture(scope="module")
def sizes() -> tuple[generate.DataSet, generate.DataSet]:
    return generate.build(SCALE, seed=7), generate.build(SCALE, seed=7, grow=5, hold=[HELD])


def test_the_nation_grows_five_times_on_the_same_counties(sizes: tuple[generate.DataSet, generate.DataSet]) -> None:
    small, large = (data.counts() for data in sizes)
    for table in ("posts", "volunteers", "applications"):
        assert large[table] == 5 * small[table], table
    assert large["service_agreements"] > 4 * small["service_agreements"]
    assert large["counties"] == small["counties"] and large["service_units"] == small["service_units"]
    assert sizes[1].rows["counties"] == sizes[0].rows["counties"]


def test_the_held_province_is_the_same_row_for_row(sizes: tuple[generate.DataSet, generate.DataSet]) -> None:
    small, large = sizes
    for table in ("counties", "schools", "posts", "applications", "province_scales", "quotas", "trainings"):
        held_small = [row for row in small.rows[table] if _of_held(table, row)]
        held_large = [row for row in large.rows[table] if _of_held(table, row)]
        assert held_small, table
        assert held_large == held_small, table
    volunteers = {a["volunteer_id"] for a in small.rows["applications"] if _of_held("applications", a)}
    assert [v for v in large.rows["volunteers"] if v["id"] in volunteers] == [
        v for v in small.rows["volunteers"] if v["id"] in volunteers
    ]


def test_the_data_set_of_the_scale_is_unchanged_underneath(sizes: tuple[generate.DataSet, generate.DataSet]) -> None:
    small, large = sizes
    for table in generate.LOAD_ORDER:
        if table in ("province_scales", "quotas"):  # what the nation uses: they grow with it
            continue
        assert large.rows[table][: len(small.rows[table])] == small.rows[table], table
    for table in generate.LOAD_ORDER:  # every row still fits the hub's table
        generate.records(table, large.rows[table])


def test_growing_refuses_what_it_cannot_do() -> None:
    with pytest.raises(ValueError, match="no province 99"):
        generate.build(SCALE, seed=7, grow=2, hold=["99"])
    with pytest.raises(ValueError, match="grow"):
        generate.build(SCALE, seed=7, grow=0.5)
