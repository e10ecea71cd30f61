"""A call's ICE servers: STUN as configured, and TURN with a coturn `use-auth-secret` credential
(`<expiry s>:<user>`, base64 HMAC-SHA1 of it under the shared secret) valid for at most ten
minutes; none at all where none are configured (the local stage)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from chalicelib.calls.ice import IceConfig, IceServers, ice_servers
from chalicelib.settings import BadSetting

NOW_MS = 1_795_000_000_123
SECRET = "coturns-static-auth-secret"
TURN = ("turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:443?transport=tcp")


def test_no_servers_are_configured_locally_and_none_are_given() -> None:
    assert ice_servers(IceConfig.of({}), "u1", NOW_MS) == IceServers((), None)


def test_stun_alone_needs_no_credential_and_nothing_expires() -> None:
    config = IceConfig.of({"ONTIME_STUN_URLS": "stun:stun.example.com:3478, stun:stun2.example.com"})
    assert ice_servers(config, "u1", NOW_MS) == IceServers(
        ({"urls": ["stun:stun.example.com:3478", "stun:stun2.example.com"]},), None)


def test_the_turn_credential_is_what_coturn_computes_from_its_static_auth_secret() -> None:
    config = IceConfig.of({"ONTIME_STUN_URLS": "stun:stun.example.com", "ONTIME_TURN_URLS": ",".join(TURN),
                           "ONTIME_TURN_SECRET": SECRET, "ONTIME_TURN_TTL_S": "300"})
    given = ice_servers(config, "m1", NOW_MS)
    stun, turn = given.servers
    expiry_s = NOW_MS // 1000 + 300
    assert stun == {"urls": ["stun:stun.example.com"]}
    assert turn["urls"] == list(TURN) and turn["username"] == f"{expiry_s}:m1"
    # coturn's check (turn_server/ns_turn_server.c, `use-auth-secret`), written out independently
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{expiry_s}:m1".encode(), hashlib.sha1).digest()).decode()
    assert turn["credential"] == expected
    assert given.expires_at == expiry_s * 1000


def test_a_credential_lasts_ten_minutes_by_default() -> None:
    config = IceConfig(turn_urls=TURN[:1], turn_secret=SECRET)
    assert ice_servers(config, "u1", NOW_MS).expires_at == (NOW_MS // 1000 + 600) * 1000


def test_each_user_gets_a_credential_of_its_own() -> None:
    config = IceConfig(turn_urls=TURN[:1], turn_secret=SECRET)
    first, second = (ice_servers(config, user, NOW_MS).servers[0] for user in ("u1", "u2"))
    assert first["credential"] != second["credential"]


@pytest.mark.parametrize("ttl", ["601", "3600", "0", "-5", "ten"])
def test_a_credential_lifetime_over_ten_minutes_or_not_positive_is_refused(ttl: str) -> None:
    with pytest.raises(BadSetting, match="ONTIME_TURN_TTL_S"):
        IceConfig.of({"ONTIME_TURN_URLS": TURN[0], "ONTIME_TURN_SECRET": SECRET, "ONTIME_TURN_TTL_S": ttl})


def test_turn_servers_without_the_secret_are_refused() -> None:
    with pytest.raises(BadSetting, match="ONTIME_TURN_SECRET"):
        IceConfig.of({"ONTIME_TURN_URLS": TURN[0]})


@pytest.mark.parametrize(("variable", "url"), [("ONTIME_STUN_URLS", "https://stun.example.com"),
                                               ("ONTIME_STUN_URLS", "turn:turn.example.com"),
                                               ("ONTIME_TURN_URLS", "stun:stun.example.com")])
def test_a_url_of_the_wrong_scheme_is_refused(variable: str, url: str) -> None:
    with pytest.raises(BadSetting, match=variable):
        IceConfig.of({variable: url, "ONTIME_TURN_SECRET": SECRET})
