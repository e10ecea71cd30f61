"""Group-buy's settings: the payment window, the video bucket and the queue its processor reads."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.settings import Settings, env_int


@dataclass(frozen=True)
class GroupBuySettings:
    payment_window_s: int = 900
    video_bucket: str = "ontime-videos"
    video_queue_url: str | None = None
    """Where the buyer's retry hands an upload back to the processor (`ONTIME_VIDEO_QUEUE_URL`)."""
    video_max_mb: int = 100

    @classmethod
    def of(cls, platform: Settings) -> GroupBuySettings:
        env = platform.env
        return cls(payment_window_s=env_int(env, "ONTIME_PAYMENT_WINDOW_S", 900),
                   video_bucket=env.get("ONTIME_VIDEO_BUCKET", "ontime-videos"),
                   video_queue_url=env.get("ONTIME_VIDEO_QUEUE_URL") or None,
                   video_max_mb=env_int(env, "ONTIME_VIDEO_MAX_MB", 100))
