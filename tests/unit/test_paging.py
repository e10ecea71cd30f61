"""Opaque `next_token`s: what we issue round-trips; anything else is a malformed request."""

from __future__ import annotations

import base64

import pytest

from chalicelib.core.errors import MalformedRequest
from chalicelib.persistence.paging import decode_token, encode_token

KEY = {"id": {"S": "ord_1"}, "pending_merchant_id": {"S": "m1"}, "answer_deadline": {"N": "1795000120000"}}


def test_a_token_we_issued_decodes_to_the_key_it_encodes() -> None:
    token = encode_token(KEY)
    assert token is not None and "=" not in token
    assert decode_token(token) == KEY


def test_no_key_means_no_token_and_no_token_means_the_first_page() -> None:
    assert encode_token(None) is None and encode_token({}) is None
    assert decode_token(None) is None and decode_token("") is None


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize("garbage", [
    "not-a-token",
    "%%%",
    "\u00e9t\u00e9",
    b64(b"not json"),
    b64(b"[1, 2]"),
    b64(b'"text"'),
    b64(b'{"id": "ord_1"}'),
    b64(b'{"id": 1}'),
    b64(b"\xff\xfe"),
    "a",
])
def test_a_token_we_did_not_issue_is_a_malformed_request(garbage: str) -> None:
    with pytest.raises(MalformedRequest) as refused:
        decode_token(garbage)
    assert [e.field for e in refused.value.errors] == ["next_token"]
