"""The local stage's own token issuer (HS256) and `POST /dev/tokens`, which hands out its tokens.

Both exist only in the local stack: the deployed package contains neither (`devstack/` is not in
the zip), so an AWS stage cannot verify, let alone issue, a development token. The secret is
drawn per run unless `ONTIME_DEV_SIGNING_SECRET` names one (tests that restart the stack). Its
tokens are held to the same claims as an AWS stage's (`principal_of`): `exp`, `iat`, `sub`, `iss`,
at most a day long.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Literal

from chalicelib.auth.principal import Principal
from chalicelib.auth.tokens import MAX_LIFETIME_S, principal_of
from chalicelib.http.fields import Id, Strict, example
from chalicelib.http.responses import ResponseBody
from chalicelib.http.routing import Call, Routes

LOCAL_ISSUER = "ontime-local"


class DevTokenIssuer:
    def __init__(self, secret: str | None = None, issuer: str = LOCAL_ISSUER) -> None:
        self._secret = secret or secrets.token_urlsafe(32)
        self._issuer = issuer

    def issue(self, claims: dict[str, Any], ttl_s: int = 12 * 3600) -> str:
        import jwt

        if ttl_s > MAX_LIFETIME_S:
            raise ValueError(f"a token lives at most {MAX_LIFETIME_S} s; the verifier refuses longer ones")
        now = int(time.time())
        payload = {**claims, "iss": self._issuer, "iat": now, "exp": now + ttl_s}
        return jwt.encode(payload, self._secret, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        return principal_of(token, self._secret, algorithms=["HS256"], issuer=self._issuer)


class DevTokenIn(Strict):
    model_config = example(
        {"role": "merchant", "sub": "staff-1", "merchant_id": "m_demo"},
        {"role": "customer", "sub": "u_alice"})

    role: Literal["customer", "merchant", "installer", "supplier", "carrier", "ops"]
    sub: Id
    merchant_id: Id | None = None
    supplier_id: Id | None = None


class IssuedToken(ResponseBody):
    token: str
    claims: dict[str, str]


routes = Routes(__name__, DevTokenIssuer)


@routes.route("/dev/tokens", methods=["POST"], status=201, public=True, body=DevTokenIn, response=IssuedToken)
def issue_token(call: Call[DevTokenIssuer]) -> dict[str, Any]:
    """A signed token for any party (local stage only: no deployed stage has this route)."""
    claims = call.body(DevTokenIn).model_dump(exclude_none=True)
    return {"token": call.services.issue(claims), "claims": claims}
