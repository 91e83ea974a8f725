"""bench/matching.py keeps running (issue 19): its figures on a tiny instance, the matcher never placing fewer
applicants, nor fewer first choices, than the first-come order. Pure computation, no database."""

from __future__ import annotations

from bench.matching import main, run


def test_the_matching_bench_runs_on_a_tiny_instance(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    figures = run(applicants=120, national=640, seed=3)
    for scope in ("one_province", "all_provinces"):
        matcher, first_come = figures[scope]["matcher_percent"], figures[scope]["greedy_percent"]  # type: ignore[index]
        assert matcher["unplaced"] <= first_come["unplaced"]
        assert (100 - matcher["unplaced"], matcher["first"]) >= (100 - first_come["unplaced"], first_come["first"])
    main(["--applicants", "60", "--national", "320", "--json", str(tmp_path / "figures.json")])
    assert "one_province:" in capsys.readouterr().out and (tmp_path / "figures.json").exists()
