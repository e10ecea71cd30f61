"""The catalogue's settings: the answer window a merchant gets unless it sets its own."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.settings import Settings, env_int


@dataclass(frozen=True)
class CatalogueSettings:
    default_answer_window_s: int = 120
    min_window_s: int = 30
    max_window_s: int = 900

    @classmethod
    def of(cls, platform: Settings) -> CatalogueSettings:
        return cls(env_int(platform.env, "ONTIME_DEFAULT_ANSWER_WINDOW_S", 120), platform.min_window_s,
                   platform.max_window_s)
