"""Split orders' settings: how long a purchase waits for its payment, and where virtual goods are redeemed."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.settings import Settings, env_int


@dataclass(frozen=True)
class CheckoutSettings:
    payment_window_s: int = 900
    redeem_base_url: str = "https://ontime.example/redeem/"

    @classmethod
    def of(cls, platform: Settings) -> CheckoutSettings:
        return cls(env_int(platform.env, "ONTIME_PAYMENT_WINDOW_S", 900),
                   platform.env.get("ONTIME_REDEEM_BASE_URL", "https://ontime.example/redeem/"))
