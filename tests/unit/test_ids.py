"""Ids: random, except under an Idempotency-Key, where a request run again issues the same ones."""

from __future__ import annotations

from chalicelib.core.ids import derived_from, is_id, issued_by_a_rerun, new_id


def test_ids_are_random_outside_a_keyed_request() -> None:
    first, second = new_id("ord"), new_id("ord")
    assert first != second and is_id(first) and first.startswith("ord_")
    assert not issued_by_a_rerun(first)


def test_a_keyed_request_run_again_issues_the_same_ids_in_the_same_order() -> None:
    def run() -> list[str]:
        with derived_from("customer:u1:POST /orders:key-1\nhash"):
            return [new_id("ord"), new_id("ord"), new_id("sup")]

    first, again = run(), run()
    assert first == again
    assert len(set(first)) == 3 and all(is_id(i) and len(i) == len(new_id("ord")) for i in first)
    with derived_from("customer:u1:POST /orders:key-2\nhash"):
        other = new_id("ord")
        assert issued_by_a_rerun(other) and not issued_by_a_rerun(first[0])
    assert other not in first
    assert not issued_by_a_rerun(other)  # outside the request again
