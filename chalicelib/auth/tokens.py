"""Bearer-token verification: a JWKS-backed verifier for AWS stages (the local stack brings its own
issuer, `devstack/tokens.py`).

PyJWT is imported on first use, not at import time, to keep it off the cold-start path.
"""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.auth.principal import Principal, principal_from_claims
from chalicelib.core.errors import Unauthenticated

CLOCK_SKEW_S = 30


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal: ...


class JwksVerifier:
    """RS256 tokens from an OIDC issuer (a Cognito user pool in AWS); keys cached per container."""

    def __init__(self, jwks_url: str, issuer: str, audience: str | None) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._client: Any = None

    def verify(self, token: str) -> Principal:
        import jwt

        if self._client is None:
            self._client = jwt.PyJWKClient(self._jwks_url, cache_keys=True, lifespan=3600)
        try:
            key = self._client.get_signing_key_from_jwt(token).key
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"token rejected: {exc}") from exc
        return principal_of(token, key, algorithms=["RS256"], issuer=self._issuer, audience=self._audience)


def principal_of(token: str, key: Any, *, algorithms: list[str], issuer: str, audience: str | None = None
                 ) -> Principal:
    """The caller a signed token names, if the signature, issuer, audience and times check out."""
    import jwt

    try:
        claims = jwt.decode(token, key, algorithms=algorithms, issuer=issuer, audience=audience, leeway=CLOCK_SKEW_S,
                            options={"verify_aud": audience is not None})
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"token rejected: {exc}") from exc
    return principal_from_claims(claims)


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("send an Authorization: Bearer <token> header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()
