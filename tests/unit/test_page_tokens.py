"""Signed `next_token`s: what we sealed opens on the same list for the same caller within a day;
anything else — edited, forged, another list's, another caller's, stale, garbage — is a 400 naming
`next_token`, decided before anything inside the token is decoded."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.auth.principal import Principal, Role
from chalicelib.core.errors import MalformedRequest
from chalicelib.http.page_tokens import DEFAULT_MAX_AGE_S, MAX_TOKEN_CHARS, ListBinding, PageTokens
from chalicelib.persistence.paging import decode_token, encode_token

SECRET = b"a-page-token-secret-of-at-least-32-bytes"
TOKENS = PageTokens([SECRET])
NOW_S = 1_795_000_000
MERCHANT = Principal("staff-1", Role.MERCHANT, merchant_id="m1")
KEY = {"id": {"S": "ord_1"}, "pending_merchant_id": {"S": "m1"}, "answer_deadline": {"N": "1795000120000"}}
INNER = encode_token(KEY) or ""
PENDING = ListBinding("/merchant/orders", {}, [("status", "pending")], MERCHANT)


def refused(tokens: PageTokens, token: str, binding: ListBinding = PENDING, now_s: int = NOW_S) -> str:
    with pytest.raises(MalformedRequest) as refusal:
        tokens.open(token, binding, now_s)
    assert [e.field for e in refusal.value.errors] == ["next_token"]
    return refusal.value.errors[0].message


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_sealed_token_opens_to_the_stores_own_token_on_its_list_for_its_caller() -> None:
    token = TOKENS.seal(INNER, PENDING, NOW_S)
    assert TOKENS.open(token, PENDING, NOW_S + 5) == INNER
    assert decode_token(TOKENS.open(token, PENDING, NOW_S + 5)) == KEY


def test_the_order_of_filters_does_not_matter_but_their_values_do() -> None:
    two = ListBinding("/ops/installations", {}, [("area_id", "north"), ("status", "pending")], None)
    swapped = ListBinding("/ops/installations", {}, [("status", "pending"), ("area_id", "north")], None)
    token = TOKENS.seal(INNER, two, NOW_S)
    assert TOKENS.open(token, swapped, NOW_S) == INNER
    refused(TOKENS, token, ListBinding("/ops/installations", {}, [("area_id", "south"), ("status", "pending")], None))


@pytest.mark.parametrize("position", range(0, 120, 7))
def test_a_token_with_any_character_changed_is_refused(position: int) -> None:
    token = TOKENS.seal(INNER, PENDING, NOW_S)
    at = position % len(token)
    edited = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1:]
    refused(TOKENS, edited)


def test_a_later_issue_time_cannot_be_written_in_to_make_a_stale_token_fresh() -> None:
    inner, _issued, signature = TOKENS.seal(INNER, PENDING, NOW_S - DEFAULT_MAX_AGE_S - 1).rsplit(".", 2)
    refused(TOKENS, f"{inner}.{NOW_S}.{signature}")


@pytest.mark.parametrize("other", [
    ListBinding("/orders", {}, [], MERCHANT),
    ListBinding("/merchant/orders", {}, [("status", "all")], MERCHANT),
    ListBinding("/merchant/orders", {}, [], MERCHANT),
    ListBinding("/merchant/orders", {}, [("status", "pending"), ("status", "all")], MERCHANT),
    ListBinding("/merchant/orders", {"merchant_id": "m1"}, [("status", "pending")], MERCHANT),
], ids=["another route", "another filter value", "no filter", "a filter more", "another path parameter"])
def test_a_token_from_another_list_is_refused(other: ListBinding) -> None:
    refused(TOKENS, TOKENS.seal(INNER, PENDING, NOW_S), other)


def test_path_parameters_bind_a_token_to_the_resource_it_lists() -> None:
    ledger = ListBinding("/installers/{installer_id}/ledger", {"installer_id": "i-near"}, [], None)
    token = TOKENS.seal(INNER, ledger, NOW_S)
    refused(TOKENS, token, ListBinding("/installers/{installer_id}/ledger", {"installer_id": "i-far"}, [], None))


@pytest.mark.parametrize("stranger", [
    Principal("staff-2", Role.MERCHANT, merchant_id="m1"),
    Principal("staff-1", Role.MERCHANT, merchant_id="m2"),
    Principal("staff-1", Role.OPS),
    Principal("staff-1", Role.SUPPLIER, supplier_id="m1"),
    None,
], ids=["another staff member", "another merchant", "another role", "a supplier id for a merchant id", "nobody"])
def test_a_token_another_caller_was_given_is_refused(stranger: Principal | None) -> None:
    token = TOKENS.seal(INNER, PENDING, NOW_S)
    refused(TOKENS, token, ListBinding(PENDING.path, PENDING.path_params, PENDING.filters, stranger))


def test_a_token_lasts_a_day_then_is_refused_as_expired() -> None:
    token = TOKENS.seal(INNER, PENDING, NOW_S)
    assert TOKENS.open(token, PENDING, NOW_S + DEFAULT_MAX_AGE_S) == INNER
    assert "expired" in refused(TOKENS, token, now_s=NOW_S + DEFAULT_MAX_AGE_S + 1)


def test_a_token_issued_in_the_future_is_refused() -> None:
    token = TOKENS.seal(INNER, PENDING, NOW_S + 3600)
    refused(TOKENS, token, now_s=NOW_S)
    assert TOKENS.open(TOKENS.seal(INNER, PENDING, NOW_S + 30), PENDING, NOW_S) == INNER  # clock skew


def test_a_previous_secret_still_opens_tokens_while_the_new_one_seals() -> None:
    new = b"a-newer-page-token-secret-of-32-bytes!!!"
    rotated = PageTokens([new, SECRET])
    before = TOKENS.seal(INNER, PENDING, NOW_S)
    assert rotated.open(before, PENDING, NOW_S) == INNER
    after = rotated.seal(INNER, PENDING, NOW_S)
    assert PageTokens([new]).open(after, PENDING, NOW_S) == INNER
    refused(TOKENS, after)


def test_a_token_sealed_with_another_secret_is_refused() -> None:
    forger = PageTokens([b"someone-elses-secret-of-at-least-32-bytes"])
    refused(TOKENS, forger.seal(INNER, PENDING, NOW_S))


def _signed_looking(inner: str) -> str:
    return f"{inner}.{NOW_S}.{b64(bytes(32))}"


@pytest.mark.parametrize("garbage", [
    "x", ".", "..", "a.b", "a..c", ".1.sig", "a.1.", "a.-1.sig", "a.1e9.sig", "a.1234567890123.sig",
    "\u00e9t\u00e9.1.sig", "%%garbage", " " * 10, "x" * (MAX_TOKEN_CHARS + 1),
    INNER,  # a raw start key, as every token was before they were signed
    b64(json.dumps({"id": {"S": "ord_1"}}).encode()),
    _signed_looking(INNER),
    _signed_looking(b64(b"not json")),
], ids=lambda g: repr(g[:24]))
def test_anything_we_did_not_seal_is_refused(garbage: str) -> None:
    refused(TOKENS, garbage)


def test_deeply_nested_json_in_a_signed_looking_envelope_is_refused_unread() -> None:
    nested = b64(b"[" * 2500 + b"]" * 2500)
    refused(TOKENS, _signed_looking(nested))
    refused(TOKENS, _signed_looking(b64(b'{"a":' * 600 + b"{}" + b"}" * 600)))


def test_even_a_validly_sealed_deeply_nested_inner_token_decodes_to_a_refusal_not_a_crash() -> None:
    """Only a holder of the secret could seal one; the store's decode still refuses it cleanly."""
    nested = b64(b"[" * 1400 + b"]" * 1400)  # deeper than Python's recursion limit, within MAX_TOKEN_CHARS
    opened = TOKENS.open(TOKENS.seal(nested, PENDING, NOW_S), PENDING, NOW_S)
    with pytest.raises(MalformedRequest):
        decode_token(opened)


@pytest.mark.parametrize("secrets", [[], [b"short"], [SECRET, b"short"]])
def test_page_tokens_need_secrets_long_enough_to_sign_with(secrets: list[bytes]) -> None:
    with pytest.raises(ValueError, match="secret"):
        PageTokens(secrets)
