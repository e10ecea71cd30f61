"""bench.calls' accounting: the missed calls' lateness, doubles and losses, and the relayed
signals' latency matched back to their sends; the burst it sends is realistic and unique."""

from __future__ import annotations

import json

from bench.calls import Sent, account_relay, account_ringing, burst, most_at_once, payload_key


def test_missed_lateness_is_the_customers_first_receipt_minus_the_ring_deadline() -> None:
    deadlines = {"cal_1": 10_000, "cal_2": 11_000}
    result = account_ringing(deadlines, [("cal_1", "missed", 10_040), ("cal_2", "missed", 11_120)],
                             [("cal_1", "missed", 10_030)], margin_ms=5000)
    assert sorted(result.lateness_ms) == [40, 120]
    assert result.doubled == [] and result.lost == [] and result.wrong == []


def test_a_call_told_missed_twice_at_either_side_is_doubled_and_one_never_told_is_lost() -> None:
    deadlines = {"cal_1": 10_000, "cal_2": 11_000, "cal_3": 12_000}
    customer = [("cal_1", "missed", 10_050), ("cal_1", "missed", 10_900), ("cal_2", "missed", 11_010),
                ("cal_9", "missed", 1)]  # not one of this run's calls
    merchant = [("cal_2", "missed", 11_005), ("cal_2", "missed", 11_400)]
    result = account_ringing(deadlines, customer, merchant, margin_ms=5000)
    assert sorted(result.doubled) == ["cal_1", "cal_2"]
    assert result.lost == ["cal_3"]
    assert sorted(result.lateness_ms) == [10, 50]


def test_a_missed_after_the_margin_is_lost_and_another_status_is_wrong() -> None:
    result = account_ringing({"cal_1": 0, "cal_2": 0}, [("cal_1", "missed", 6000), ("cal_2", "declined", 10)], [],
                             margin_ms=5000)
    assert sorted(result.lost) == ["cal_1", "cal_2"] and result.wrong == [("cal_2", "declined")]


def test_relay_latency_is_receipt_minus_send_and_copies_strays_and_gaps_are_counted() -> None:
    sent = [Sent("cal_1", "customer", "a", 100.0), Sent("cal_1", "customer", "b", 101.0),
            Sent("cal_1", "merchant", "c", 100.0), Sent("cal_1", "merchant", "d", 102.0)]
    received = [("cal_1", "customer", "a", 105.0), ("cal_1", "customer", "b", 104.0),
                ("cal_1", "customer", "a", 130.0),  # a copy
                ("cal_1", "customer", "c", 110.0),  # the merchant's, said to be the customer's
                ("cal_2", "merchant", "zz", 1.0)]
    result = account_relay(sent, received)
    assert sorted(result.latency_ms) == [3.0, 5.0]
    assert result.doubled == 1 and result.misrouted == 2 and result.reordered == 1
    assert [s.key for s in result.undelivered] == ["c", "d"]


def test_a_burst_is_one_sdp_of_about_4_kb_then_candidates_of_about_200_bytes_each_unique() -> None:
    first, second = burst("customer", 1, 0, 15), burst("customer", 1, 0, 15)
    assert [p["type"] for p in first] == ["offer", *["candidate"] * 15]
    assert burst("merchant", 1, 0, 1)[0]["type"] == "answer"
    assert 3800 <= len(json.dumps(first[0])) <= 4600
    assert all(150 <= len(json.dumps(p)) <= 260 for p in first[1:])
    keys = [payload_key(p) for p in first + second]
    assert len(set(keys)) == len(keys)


def test_the_most_calls_ringing_at_once_counts_overlapping_intervals() -> None:
    assert most_at_once([(0, 2), (1, 3), (2, 4)]) == 2
    assert most_at_once([(0, 10), (1, 2), (3, 4)]) == 2
    assert most_at_once([]) == 0
    assert most_at_once(iter([(0, 1), (2, 3), (4, 5)])) == 1, "from a generator too"
