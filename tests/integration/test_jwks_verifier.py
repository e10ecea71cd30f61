"""The AWS-stage verifier against a real JWKS endpoint on localhost (an OIDC issuer's shape)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.auth.principal import Role
from chalicelib.auth.tokens import JwksVerifier
from chalicelib.core.errors import Unauthenticated

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class JwksEndpoint:
    """A JWKS endpoint on localhost that serves `keys`, answers 503 when `down`, or holds each
    request until released when `hanging`; `fetches` counts the requests it got."""

    def __init__(self, keys: dict[str, rsa.RSAPrivateKey]) -> None:
        self.keys = dict(keys)
        self.down = False
        self.hanging = False
        self.fetches = 0
        self.release = threading.Event()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                endpoint.fetches += 1
                if endpoint.hanging:
                    endpoint.release.wait(10)
                if endpoint.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                body = json.dumps({"keys": [
                    {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "use": "sig",
                     "alg": "RS256"} for kid, key in endpoint.keys.items()]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def jwks_url(signing_key: rsa.RSAPrivateKey) -> Iterator[str]:
    served = JwksEndpoint({"key-1": signing_key})
    yield served.url
    served.close()


def _token(key: Any, claims: dict[str, Any], kid: str = "key-1", algorithm: str = "RS256") -> str:
    now = int(time.time())
    return jwt.encode({"iss": ISSUER, "iat": now, "exp": now + 600, "aud": "ontime-app", **claims}, key,
                      algorithm=algorithm, headers={"kid": kid})


def test_cognito_token_with_group_and_custom_merchant_claim_is_accepted(
        signing_key: rsa.RSAPrivateKey, jwks_url: str) -> None:
    verifier = JwksVerifier(jwks_url, ISSUER, "ontime-app")
    principal = verifier.verify(_token(signing_key, {"sub": "staff-1", "cognito:groups": ["merchant"],
                                                     "custom:merchant_id": "m_1"}))
    assert (principal.sub, principal.role, principal.merchant_id) == ("staff-1", Role.MERCHANT, "m_1")


def test_token_from_another_issuer_is_rejected(signing_key: rsa.RSAPrivateKey, jwks_url: str) -> None:
    verifier = JwksVerifier(jwks_url, ISSUER, "ontime-app")
    with pytest.raises(Unauthenticated):
        verifier.verify(_token(signing_key, {"sub": "u1", "role": "customer", "iss": "https://evil.example"}))


def test_token_signed_by_an_unknown_key_is_rejected(jwks_url: str) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier = JwksVerifier(jwks_url, ISSUER, "ontime-app")
    with pytest.raises(Unauthenticated):
        verifier.verify(_token(stranger, {"sub": "u1", "role": "customer"}))


def test_symmetric_token_is_rejected_outside_the_local_stage(jwks_url: str) -> None:
    verifier = JwksVerifier(jwks_url, ISSUER, "ontime-app")
    forged = _token("a-shared-secret-that-is-long-enough-0123", {"sub": "u1", "role": "ops"}, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        verifier.verify(forged)


def test_expired_token_and_wrong_audience_are_rejected(signing_key: rsa.RSAPrivateKey, jwks_url: str) -> None:
    verifier = JwksVerifier(jwks_url, ISSUER, "ontime-app")
    with pytest.raises(Unauthenticated):
        verifier.verify(_token(signing_key, {"sub": "u1", "role": "customer", "exp": int(time.time()) - 120}))
    with pytest.raises(Unauthenticated):
        verifier.verify(_token(signing_key, {"sub": "u1", "role": "customer", "aud": "another-app"}))


def test_a_token_without_an_expiry_or_one_minted_for_a_month_is_rejected(
        signing_key: rsa.RSAPrivateKey, jwks_url: str) -> None:
    verifier = JwksVerifier(jwks_url, ISSUER, "ontime-app")
    now = int(time.time())
    never_expires = jwt.encode({"iss": ISSUER, "iat": now, "aud": "ontime-app", "sub": "u1", "role": "ops"},
                               signing_key, algorithm="RS256", headers={"kid": "key-1"})
    with pytest.raises(Unauthenticated, match="exp"):
        verifier.verify(never_expires)
    with pytest.raises(Unauthenticated, match="longer than"):
        verifier.verify(_token(signing_key, {"sub": "u1", "role": "ops", "exp": now + 30 * 86400}))


# ── the keys' cache: a JWKS endpoint that can be slowed down, taken down and rotated ──────────


class Monotonic:
    """The verifier's clock for its cache: moved by the test, never slept on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def endpoint(signing_key: rsa.RSAPrivateKey) -> Iterator[JwksEndpoint]:
    served = JwksEndpoint({"key-1": signing_key})
    yield served
    served.close()


def _cached(endpoint: JwksEndpoint, clock: Monotonic, **options: float) -> JwksVerifier:
    return JwksVerifier(endpoint.url, ISSUER, "ontime-app", lifespan_s=3600, retry_s=30, monotonic=clock,
                        **options)


CUSTOMER = {"sub": "u1", "role": "customer"}


def test_a_jwks_endpoint_that_hangs_fails_verification_within_the_timeout(
        signing_key: rsa.RSAPrivateKey, endpoint: JwksEndpoint) -> None:
    endpoint.hanging = True
    verifier = _cached(endpoint, Monotonic(), timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(Unauthenticated, match="could not be verified right now"):
        verifier.verify(_token(signing_key, CUSTOMER))
    assert time.monotonic() - started < 2


def test_keys_are_fetched_once_and_reused(signing_key: rsa.RSAPrivateKey, endpoint: JwksEndpoint) -> None:
    clock = Monotonic()
    verifier = _cached(endpoint, clock)
    for _ in range(5):
        assert verifier.verify(_token(signing_key, CUSTOMER)).sub == "u1"
        clock.now += 600
    assert endpoint.fetches == 1


def test_cached_keys_survive_a_jwks_outage_and_the_outage_costs_one_fetch_per_interval(
        signing_key: rsa.RSAPrivateKey, endpoint: JwksEndpoint) -> None:
    clock = Monotonic()
    verifier = _cached(endpoint, clock)
    assert verifier.verify(_token(signing_key, CUSTOMER)).sub == "u1"
    endpoint.down = True
    clock.now += 3601  # the keys are due for a refresh, which fails: they are kept
    for _ in range(10):
        assert verifier.verify(_token(signing_key, CUSTOMER)).sub == "u1"
    assert endpoint.fetches == 2
    clock.now += 30
    assert verifier.verify(_token(signing_key, CUSTOMER)).sub == "u1"
    assert endpoint.fetches == 3
    endpoint.down = False
    clock.now += 30
    assert verifier.verify(_token(signing_key, CUSTOMER)).sub == "u1"
    clock.now += 30
    verifier.verify(_token(signing_key, CUSTOMER))
    assert endpoint.fetches == 4  # back to one fetch per lifespan


def test_a_cold_container_during_an_outage_cannot_verify_and_says_so(
        signing_key: rsa.RSAPrivateKey, endpoint: JwksEndpoint) -> None:
    endpoint.down = True
    verifier = _cached(endpoint, Monotonic())
    for _ in range(3):
        with pytest.raises(Unauthenticated, match="could not be verified right now"):
            verifier.verify(_token(signing_key, CUSTOMER))
    assert endpoint.fetches == 1


def test_unknown_key_ids_refetch_the_keys_at_most_once_per_interval(
        signing_key: rsa.RSAPrivateKey, endpoint: JwksEndpoint) -> None:
    clock = Monotonic()
    verifier = _cached(endpoint, clock)
    verifier.verify(_token(signing_key, CUSTOMER))
    clock.now += 31
    for n in range(20):
        with pytest.raises(Unauthenticated, match="does not publish"):
            verifier.verify(_token(signing_key, CUSTOMER, kid=f"made-up-{n}"))
    assert endpoint.fetches == 2


def test_a_rotated_in_key_is_fetched_when_a_token_first_names_it(
        signing_key: rsa.RSAPrivateKey, endpoint: JwksEndpoint) -> None:
    clock = Monotonic()
    verifier = _cached(endpoint, clock)
    verifier.verify(_token(signing_key, CUSTOMER))
    newer = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    endpoint.keys["key-2"] = newer
    clock.now += 30
    assert verifier.verify(_token(newer, CUSTOMER, kid="key-2")).sub == "u1"
    assert verifier.verify(_token(signing_key, CUSTOMER)).sub == "u1"


def test_a_key_the_issuer_stops_publishing_is_no_longer_trusted_after_the_next_refresh(
        signing_key: rsa.RSAPrivateKey, endpoint: JwksEndpoint) -> None:
    clock = Monotonic()
    verifier = _cached(endpoint, clock)
    verifier.verify(_token(signing_key, CUSTOMER))
    endpoint.keys = {"key-2": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
    clock.now += 3600
    with pytest.raises(Unauthenticated, match="does not publish"):
        verifier.verify(_token(signing_key, CUSTOMER))


def test_a_token_naming_no_key_is_rejected_without_a_fetch(
        signing_key: rsa.RSAPrivateKey, endpoint: JwksEndpoint) -> None:
    verifier = _cached(endpoint, Monotonic())
    no_kid = jwt.encode({"iss": ISSUER, "iat": int(time.time()), "exp": int(time.time()) + 60, **CUSTOMER},
                        signing_key, algorithm="RS256")
    with pytest.raises(Unauthenticated, match="kid"):
        verifier.verify(no_kid)
    assert endpoint.fetches == 0
