"""Payment callbacks are accepted only when signed with the shared secret, over this very body,
recently."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.payments.signing import TOLERANCE_S, BadSignature, sign, verify

SECRET = b"sandbox-secret-of-some-length"
BODY = b'{"payment_id":"pay_1","status":"succeeded","amount":12345,"currency":"CNY"}'
NOW = 1_795_000_000


def test_a_callback_signed_with_the_secret_just_now_is_accepted() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, NOW), NOW) == NOW
    assert verify(SECRET, BODY, sign(SECRET, BODY, NOW - TOLERANCE_S), NOW) == NOW - TOLERANCE_S


@given(tampered=st.binary(max_size=200).filter(lambda b: b != BODY))
def test_any_other_body_under_the_same_signature_is_refused(tampered: bytes) -> None:
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, tampered, sign(SECRET, BODY, NOW), NOW)


def test_another_secret_or_a_moved_timestamp_is_refused() -> None:
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, BODY, sign(b"someone-else", BODY, NOW), NOW)
    moved = sign(SECRET, BODY, NOW).replace(f"t={NOW}", f"t={NOW + 1}")
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, BODY, moved, NOW)


def test_an_old_or_future_signature_is_refused() -> None:
    with pytest.raises(BadSignature, match="too old"):
        verify(SECRET, BODY, sign(SECRET, BODY, NOW - TOLERANCE_S - 1), NOW)
    with pytest.raises(BadSignature, match="too old"):
        verify(SECRET, BODY, sign(SECRET, BODY, NOW + TOLERANCE_S + 1), NOW)


@pytest.mark.parametrize("header", [None, "", "v1=abc", "t=abc,v1=00", "t=1,t=2,v1=00", "garbage", "t=-5,v1=00"])
def test_missing_or_malformed_headers_are_refused(header: str | None) -> None:
    with pytest.raises(BadSignature):
        verify(SECRET, BODY, header, NOW)


def test_one_matching_signature_among_several_is_enough_for_a_secret_rotation() -> None:
    good = sign(SECRET, BODY, NOW)
    rotated = f"{sign(b'old-secret', BODY, NOW)},{good.split(',')[1]}"
    assert verify(SECRET, BODY, rotated, NOW) == NOW
