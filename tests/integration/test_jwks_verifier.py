"""The AWS-stage verifier against a real JWKS endpoint on localhost (an OIDC issuer's shape)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
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


@pytest.fixture(scope="module")
def jwks_url(signing_key: rsa.RSAPrivateKey) -> Iterator[str]:
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    body = json.dumps({"keys": [{**public_jwk, "kid": "key-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


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
