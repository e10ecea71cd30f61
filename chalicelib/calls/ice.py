"""The ICE servers a call's two terminals get: STUN to learn their public addresses, and TURN to
relay their media when no direct path exists (symmetric NATs, a firewall that only lets 443 out).

TURN credentials are the "TURN REST API" kind that coturn checks with `use-auth-secret`: the
username is `<expiry unix s>:<user>` and the password base64(HMAC-SHA1(static-auth-secret,
username)). The TURN server needs no call to us and no user table; a credential is worth nothing
after its expiry, so one leaked from a browser is short-lived (`ttl_s`, at most 10 minutes: a call
that lasts longer renegotiates with the fresh servers its rejoin gets). See `docs/turn.md`.

Pure: no AWS. The local stage configures none (loopback needs no STUN/TURN); in AWS the secret
comes from Secrets Manager through the stack (`ONTIME_TURN_SECRET`, `infra/platform.py`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.settings import BadSetting

MAX_TTL_S = 600
"""A credential is valid this long at most after it is given out."""
STUN_SCHEMES = ("stun:", "stuns:")
TURN_SCHEMES = ("turn:", "turns:")


@dataclass(frozen=True)
class IceConfig:
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: str | None = None
    """coturn's `static-auth-secret`."""
    ttl_s: int = MAX_TTL_S

    def __post_init__(self) -> None:
        if not 1 <= self.ttl_s <= MAX_TTL_S:
            raise BadSetting(f"ONTIME_TURN_TTL_S must be 1 … {MAX_TTL_S} seconds, not {self.ttl_s}")
        for url in self.stun_urls:
            if not url.startswith(STUN_SCHEMES):
                raise BadSetting(f"ONTIME_STUN_URLS: {url!r} is not a stun: or stuns: URL")
        for url in self.turn_urls:
            if not url.startswith(TURN_SCHEMES):
                raise BadSetting(f"ONTIME_TURN_URLS: {url!r} is not a turn: or turns: URL")
        if self.turn_urls and not self.turn_secret:
            raise BadSetting("ONTIME_TURN_URLS is set but ONTIME_TURN_SECRET is not: TURN servers would refuse "
                             "every credential")

    @classmethod
    def of(cls, env: Mapping[str, str]) -> IceConfig:
        """From `ONTIME_STUN_URLS`, `ONTIME_TURN_URLS` (comma-separated), `ONTIME_TURN_SECRET` and
        `ONTIME_TURN_TTL_S`; none set: no ICE servers."""
        ttl = env.get("ONTIME_TURN_TTL_S", str(MAX_TTL_S))
        try:
            ttl_s = int(ttl)
        except ValueError:
            raise BadSetting(f"ONTIME_TURN_TTL_S must be a whole number of seconds, not {ttl!r}") from None
        return cls(stun_urls=_urls(env.get("ONTIME_STUN_URLS", "")), turn_urls=_urls(env.get("ONTIME_TURN_URLS", "")),
                   turn_secret=env.get("ONTIME_TURN_SECRET") or None, ttl_s=ttl_s)


@dataclass(frozen=True)
class IceServers:
    servers: tuple[dict[str, Any], ...]
    """`RTCIceServer` dictionaries, as a browser's `RTCPeerConnection({iceServers})` takes them."""
    expires_at: int | None
    """When the TURN credential stops working (ms); None when there is no TURN server."""


def ice_servers(config: IceConfig, user: str, now_ms: int) -> IceServers:
    """The servers for `user` (a party's id: the TURN server logs it), its TURN credential valid
    for `config.ttl_s` from `now_ms`."""
    servers: list[dict[str, Any]] = []
    if config.stun_urls:
        servers.append({"urls": list(config.stun_urls)})
    if not config.turn_urls or config.turn_secret is None:
        return IceServers(tuple(servers), None)
    expiry_s = now_ms // 1000 + config.ttl_s
    username = f"{expiry_s}:{user}"
    servers.append({"urls": list(config.turn_urls), "username": username,
                    "credential": turn_credential(config.turn_secret, username)})
    return IceServers(tuple(servers), expiry_s * 1000)


def turn_credential(secret: str, username: str) -> str:
    """What coturn computes from its `static-auth-secret` to check the password of `username`."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _urls(listed: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(filter(None, (part.strip() for part in listed.split(",")))))
