"""Batches of thousands of rows check their text column by column at once (hub.rules.text.texts_fit, used by
hub.db.check_text_rows) and look for each problem one value at a time only when there is one: the batch check
must find a problem exactly when the per-value check (text_problem) would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.rules.text import text_problem, texts_fit

ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12)


@given(values=st.lists(ANY_TEXT, max_size=8), limit=st.one_of(st.none(), st.integers(min_value=0, max_value=12)))
def test_the_batch_finds_a_problem_exactly_when_a_value_has_one(values: list[str], limit: int | None) -> None:
    assert texts_fit(values, limit) == all(text_problem(value, limit) is None for value in values)


def test_control_characters_and_lengths_are_found_in_a_batch() -> None:
    assert texts_fit(["张三", "tab\tand\nnewline"], 20)
    assert not texts_fit(["张三", "bell\x07"], None)
    assert not texts_fit(["张三", "x" * 21], 20)
    assert not texts_fit(["lone surrogate \ud800"], None)
