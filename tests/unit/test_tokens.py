"""Bearer tokens: the header's parsing and the local issuer's signatures and expiry."""

from __future__ import annotations

import time

import jwt
import pytest

from chalicelib.auth.principal import Role
from chalicelib.auth.tokens import CLOCK_SKEW_S, bearer_token
from chalicelib.core.errors import Unauthenticated
from devstack.tokens import DevTokenIssuer

ISSUER = DevTokenIssuer("a-secret-only-tests-know-32-bytes!", "ontime-local")


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer abc.def.ghi", "abc.def.ghi"),
    ("bearer abc", "abc"),
    ("BEARER   abc  ", "abc"),
])
def test_the_token_is_read_from_a_bearer_authorization_header(header: str, token: str) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "abc.def.ghi", "Token x"])
def test_anything_but_a_bearer_token_is_unauthenticated(header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        bearer_token(header)


def test_an_issued_token_verifies_to_its_principal() -> None:
    principal = ISSUER.verify(ISSUER.issue({"role": "merchant", "sub": "staff-1", "merchant_id": "m1"}))
    assert (principal.role, principal.sub, principal.merchant_id) == (Role.MERCHANT, "staff-1", "m1")


def test_an_expired_token_is_refused() -> None:
    token = ISSUER.issue({"role": "customer", "sub": "u1"}, ttl_s=-(CLOCK_SKEW_S + 5))
    with pytest.raises(Unauthenticated, match="expired"):
        ISSUER.verify(token)


def test_a_token_signed_with_another_key_is_refused() -> None:
    forged = DevTokenIssuer("another-secret-of-at-least-32-bytes", "ontime-local").issue({"role": "ops", "sub": "x"})
    with pytest.raises(Unauthenticated):
        ISSUER.verify(forged)


def test_a_token_from_another_issuer_is_refused() -> None:
    foreign = DevTokenIssuer("a-secret-only-tests-know-32-bytes!", "someone-else").issue({"role": "ops", "sub": "x"})
    with pytest.raises(Unauthenticated):
        ISSUER.verify(foreign)


def test_an_unsigned_token_is_refused() -> None:
    now = int(time.time())
    unsigned = jwt.encode({"role": "ops", "sub": "x", "iss": "ontime-local", "exp": now + 60}, None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(Unauthenticated):
        ISSUER.verify(unsigned)


@pytest.mark.parametrize("garbage", ["", "x", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", "\u00e9\u00e9.\u00e9"])
def test_garbage_is_refused_as_unauthenticated(garbage: str) -> None:
    with pytest.raises(Unauthenticated):
        ISSUER.verify(garbage)
