"""Installer dispatch's settings: a new area's defaults (the spec's 10 min / 20 min and a 5.00
deduction), how often a request without an installer looks again, and the completion photos."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.core.money import Money
from chalicelib.settings import Settings, env_int


@dataclass(frozen=True)
class DispatchSettings:
    default_remind_after_s: int = 600
    default_revoke_after_s: int = 1200
    default_deduction: Money = field(default_factory=lambda: Money(500, "CNY"))
    min_period_s: int = 30
    """The shortest escalation period an area may set (the platform's window bound)."""
    installer_retry_s: int = 60
    photo_bucket: str = "ontime-photos"
    photo_max_bytes: int = 10 * 1024 * 1024

    @classmethod
    def of(cls, platform: Settings) -> DispatchSettings:
        env = platform.env
        return cls(min_period_s=platform.min_window_s, installer_retry_s=env_int(env, "ONTIME_INSTALLER_RETRY_S", 60),
                   photo_bucket=env.get("ONTIME_PHOTO_BUCKET", "ontime-photos"))
