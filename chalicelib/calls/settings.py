"""The video-call workflow's settings: ring deadlines, presence checks, the payment window, ICE."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.calls.ice import IceConfig
from chalicelib.settings import BadSetting, Settings, env_int

DEFAULT_RING_S = 30
MAX_RING_S = 120


@dataclass(frozen=True)
class CallSettings:
    min_ring_s: int = 5
    """A merchant's ring deadline is `min_ring_s` … `MAX_RING_S` (the local stage: from 1 s)."""
    presence_check_s: int = 30
    """How often a connected call looks for its terminals; two misses in a row end it."""
    payment_window_s: int = 900
    ice: IceConfig = field(default_factory=IceConfig)

    @classmethod
    def of(cls, platform: Settings) -> CallSettings:
        env = platform.env
        presence = env_int(env, "ONTIME_CALL_PRESENCE_CHECK_S", 30)
        if not 1 <= presence <= 3600:
            raise BadSetting(f"ONTIME_CALL_PRESENCE_CHECK_S must be 1 … 3600 seconds, not {presence}")
        return cls(min_ring_s=1 if platform.is_local else 5, presence_check_s=presence,
                   payment_window_s=env_int(env, "ONTIME_PAYMENT_WINDOW_S", 900), ice=IceConfig.of(env))
