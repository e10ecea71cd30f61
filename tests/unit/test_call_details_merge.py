"""The details merge: any interleaving, reordering or repetition of the customer's field updates
ends with each field's newest text (property-based)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.calls.call import DETAIL_FIELDS, DetailValue
from chalicelib.calls.details import merge

# Each field's edits as a terminal makes them: versions 1…n, each with the text typed so far.
edits = st.dictionaries(st.sampled_from(DETAIL_FIELDS),
                        st.lists(st.text(max_size=8), min_size=1, max_size=6), min_size=1)


def updates_of(typed: dict[str, list[str]]) -> list[dict[str, DetailValue]]:
    return [{name: DetailValue(version, text)} for name, texts in typed.items()
            for version, text in enumerate(texts, start=1)]


@given(typed=edits, data=st.data())
def test_any_order_of_the_updates_ends_with_each_fields_newest_text(typed: dict[str, list[str]],
                                                                    data: st.DataObject) -> None:
    updates = updates_of(typed)
    # Reordered, some delivered twice, some batched together: as late and duplicate messages arrive.
    shuffled = data.draw(st.permutations(updates + data.draw(st.lists(st.sampled_from(updates), max_size=5))))
    details: dict[str, DetailValue] = {}
    for update in shuffled:
        details, _ = merge(details, update)
    assert details == {name: DetailValue(len(texts), texts[-1]) for name, texts in typed.items()}


@given(typed=edits, data=st.data())
def test_batched_updates_merge_like_single_ones(typed: dict[str, list[str]], data: st.DataObject) -> None:
    updates = data.draw(st.permutations(updates_of(typed)))
    one_by_one: dict[str, DetailValue] = {}
    for update in updates:
        one_by_one, _ = merge(one_by_one, update)
    halves: dict[str, DetailValue] = {}
    cut = len(updates) // 2
    for batch in (updates[:cut], updates[cut:]):
        combined: dict[str, DetailValue] = {}
        for update in batch:
            combined, _ = merge(combined, update)
        halves, _ = merge(halves, combined)
    assert halves == one_by_one


def test_the_changed_fields_are_only_those_an_update_moved_forward() -> None:
    held = {"content": DetailValue(3, "abc"), "price_proposal": DetailValue(1, "9")}
    merged, changed = merge(held, {"content": DetailValue(2, "ab"), "price_proposal": DetailValue(2, "90"),
                                   "when": DetailValue(1, "noon")})
    assert changed == {"price_proposal": DetailValue(2, "90"), "when": DetailValue(1, "noon")}
    assert merged["content"] == DetailValue(3, "abc")


def test_a_tie_at_one_version_is_settled_the_same_way_in_any_order() -> None:
    a, b = {"content": DetailValue(4, "apples")}, {"content": DetailValue(4, "pears")}
    assert merge(merge({}, a)[0], b)[0] == merge(merge({}, b)[0], a)[0]
