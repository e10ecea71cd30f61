"""Bearer tokens: the header's parsing and the local issuer's signatures and expiry."""

from __future__ import annotations

import time

import jwt
import pytest

from chalicelib.auth.principal import Role
from chalicelib.auth.tokens import CLOCK_SKEW_S, MAX_LIFETIME_S, bearer_token
from chalicelib.core.errors import Unauthenticated
from devstack.tokens import DevTokenIssuer

SECRET = "a-secret-only-tests-know-32-bytes!"
ISSUER = DevTokenIssuer(SECRET, "ontime-local")


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


def signed(**claims: object) -> str:
    """A token signed with the issuer's own secret, with exactly these claims (None leaves one out)."""
    now = int(time.time())
    defaults: dict[str, object] = {"role": "customer", "sub": "u1", "iss": "ontime-local", "iat": now,
                                   "exp": now + 600}
    payload = {name: value for name, value in {**defaults, **claims}.items() if value is not None}
    return jwt.encode(payload, SECRET, algorithm="HS256")


def test_a_token_signed_with_the_right_key_but_no_expiry_is_refused() -> None:
    with pytest.raises(Unauthenticated, match="exp"):
        ISSUER.verify(signed(exp=None))


@pytest.mark.parametrize("missing", ["iat", "sub", "iss"])
def test_a_token_without_its_issue_time_subject_or_issuer_is_refused(missing: str) -> None:
    with pytest.raises(Unauthenticated, match=missing):
        ISSUER.verify(signed(**{missing: None}))


def test_a_token_minted_to_live_longer_than_a_day_is_refused() -> None:
    now = int(time.time())
    assert ISSUER.verify(signed(iat=now, exp=now + MAX_LIFETIME_S)).sub == "u1"
    with pytest.raises(Unauthenticated, match="longer than 24 h"):
        ISSUER.verify(signed(iat=now, exp=now + MAX_LIFETIME_S + 1))
    with pytest.raises(Unauthenticated, match="longer than 24 h"):
        ISSUER.verify(signed(iat=now - 29 * 86400, exp=now + 86400))


def test_a_token_issued_in_the_future_or_not_yet_valid_is_refused() -> None:
    now = int(time.time())
    with pytest.raises(Unauthenticated, match="iat"):
        ISSUER.verify(signed(iat=now + 3600, exp=now + 7200))
    with pytest.raises(Unauthenticated, match="not yet valid"):
        ISSUER.verify(signed(nbf=now + 3600))


def test_the_local_issuer_does_not_mint_tokens_the_verifier_would_refuse() -> None:
    with pytest.raises(ValueError, match="at most"):
        ISSUER.issue({"role": "ops", "sub": "x"}, ttl_s=MAX_LIFETIME_S + 1)
