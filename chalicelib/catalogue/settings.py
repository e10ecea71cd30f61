"""The catalogue's settings: the answer window a merchant gets unless it sets its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.settings import env_int


@dataclass(frozen=True)
class CatalogueSettings:
    default_answer_window_s: int = 120
    min_window_s: int = 30
    max_window_s: int = 900

    @classmethod
    def from_env(cls, env: Mapping[str, str], min_window_s: int, max_window_s: int) -> CatalogueSettings:
        return cls(env_int(env, "ONTIME_DEFAULT_ANSWER_WINDOW_S", 120), min_window_s, max_window_s)
