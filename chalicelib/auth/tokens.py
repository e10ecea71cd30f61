"""Bearer-token verification: a JWKS-backed verifier for AWS stages (the local stack brings its own
issuer, `devstack/tokens.py`), and the claim checks every verifier shares (`principal_of`).

Every token must carry `exp`, `iat`, `sub` and `iss`, and live at most `MAX_LIFETIME_S` (24 h,
Cognito's longest ID/access token validity): a token without an expiry, or one minted to last a
month, is a stolen credential that never dies. `nbf`, when present, is checked too.

PyJWT is imported on first use, not at import time, to keep it off the cold-start path.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from chalicelib.auth.principal import Principal, principal_from_claims
from chalicelib.core.errors import Unauthenticated
from chalicelib.core.observability import log

CLOCK_SKEW_S = 30
MAX_LIFETIME_S = 24 * 3600
"""The longest `exp - iat` accepted."""
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss"]
UNVERIFIABLE = "the token could not be verified right now"
"""A 401 that is not the caller's fault (the issuer's keys are unreachable): try again shortly."""

JWKS_TIMEOUT_S = 3.0
"""Per network operation of a JWKS fetch; the REST function has 10 s in all."""
JWKS_LIFESPAN_S = 3600.0
"""How long fetched keys are used before they are fetched again (then kept if the fetch fails)."""
JWKS_RETRY_S = 30.0
"""At most one fetch per this interval per container: for a key id we do not know (a rotation, or
someone sending made-up ids) and after a failed fetch, so an outage costs one timeout, not one per
request."""


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal: ...


class JwksVerifier:
    """RS256 tokens from an OIDC issuer (a Cognito user pool in AWS), with its keys cached per
    container: fetched at first use and every `lifespan_s`, kept through a JWKS outage (a failed
    fetch leaves the known keys in place), fetched again for an unknown key id at most every
    `retry_s`. Without any key (a cold container during an outage) a token cannot be verified:
    401 `UNVERIFIABLE`."""

    def __init__(self, jwks_url: str, issuer: str, audience: str | None, *, timeout_s: float = JWKS_TIMEOUT_S,
                 lifespan_s: float = JWKS_LIFESPAN_S, retry_s: float = JWKS_RETRY_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._timeout_s = timeout_s
        self._lifespan_s = lifespan_s
        self._retry_s = retry_s
        self._monotonic = monotonic
        self._client: Any = None
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._tried_at: float | None = None
        self._failing = False
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        import jwt

        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"token rejected: {exc}") from exc
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("token rejected: it names no signing key (kid)")
        return principal_of(token, self._key(kid), algorithms=["RS256"], issuer=self._issuer,
                            audience=self._audience)

    def _key(self, kid: str) -> Any:
        with self._lock:
            now = self._monotonic()
            expired = self._fetched_at is None or now - self._fetched_at >= self._lifespan_s
            if (expired or kid not in self._keys) and (self._tried_at is None or now - self._tried_at >= self._retry_s):
                self._fetch(now)
            key = self._keys.get(kid)
            failing = self._failing
        if key is not None:
            return key
        if failing:
            raise Unauthenticated(UNVERIFIABLE)
        raise Unauthenticated("token rejected: it is signed by a key its issuer does not publish")

    def _fetch(self, now: float) -> None:
        import jwt

        self._tried_at = now
        if self._client is None:
            self._client = jwt.PyJWKClient(self._jwks_url, cache_jwk_set=False, timeout=self._timeout_s)
        try:
            keys = self._client.get_signing_keys(refresh=True)
        except (jwt.PyJWTError, ValueError, OSError) as exc:  # unreachable, slow, not JSON, no keys
            self._failing = True
            log("auth.jwks_unavailable", logging.ERROR, url=self._jwks_url, error=repr(exc),
                keys_kept=len(self._keys))
            return
        self._keys = {key.key_id: key.key for key in keys}
        self._fetched_at, self._failing = now, False


def principal_of(token: str, key: Any, *, algorithms: list[str], issuer: str, audience: str | None = None
                 ) -> Principal:
    """The caller a signed token names, if the signature, issuer, audience and times check out."""
    import jwt

    try:
        claims = jwt.decode(token, key, algorithms=algorithms, issuer=issuer, audience=audience, leeway=CLOCK_SKEW_S,
                            options={"verify_aud": audience is not None, "require": REQUIRED_CLAIMS})
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"token rejected: {exc}") from exc
    if int(claims["exp"]) - int(claims["iat"]) > MAX_LIFETIME_S:
        raise Unauthenticated(f"token rejected: it lives longer than {MAX_LIFETIME_S // 3600} h")
    return principal_from_claims(claims)


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("send an Authorization: Bearer <token> header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()
