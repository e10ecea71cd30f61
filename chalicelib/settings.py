"""The platform's typed settings, read from the environment at first use (never at import).

Each workflow package reads its own settings from the same environment (`Settings.env`, see the
package's `settings.py`). A stage must be named: `ONTIME_STAGE` missing or unknown refuses to
start instead of guessing. The local stage's token issuer and sandbox payment provider are built by
the local stack (`devstack/`), which is never deployed; the secrets read here (payment callbacks,
page tokens) come from the stage's environment: in AWS from the stack (`infra/platform.py`), in the
local stack drawn per run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

LOCAL_STAGE = "local"
AWS_STAGES = ("dev", "prod")
"""The stages `.chalice/config.json` deploys."""
STAGES = (LOCAL_STAGE, *AWS_STAGES)
ALARM_QUEUE_NAME = "ontime-alarms"
"""Fixed because Chalice binds queues by name at import time; one stage per AWS account."""


class UnknownStage(RuntimeError):
    """`ONTIME_STAGE` is missing or names no stage: the function refuses to start."""


class BadSetting(ValueError):
    """A setting that cannot mean what it says: the function refuses to start."""


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_prefix: str
    alarm_queue_url: str | None
    ws_management_endpoint: str | None
    # Auth: AWS stages verify RS256 tokens from an OIDC/Cognito issuer (the local stack brings its own).
    jwt_issuer: str
    jwt_audience: str | None
    jwks_url: str | None
    # Windows: the bounds every configurable window is held to (answer windows, escalation periods).
    min_window_s: int = 30
    max_window_s: int = 900
    # Payments (any workflow that sells): the provider's callback secrets; the first signs (sandbox),
    # any verifies, so secrets can rotate.
    payment_provider: str = "none"
    """`none` (checkouts answer 503 until a provider is configured); the local stack brings its sandbox."""
    payment_webhook_secrets: tuple[str, ...] = ()
    # Lists: `next_token`s are signed with the first secret and verified with any (rotation), and
    # refused once older than `page_token_max_age_s` (`chalicelib/http/page_tokens.py`).
    page_token_secrets: tuple[str, ...] = ()
    page_token_max_age_s: int = 24 * 3600
    # Wait-state engine.
    due_shards: int = 16
    sweep_interval_s: int = 60
    overdue_grace_s: int = 5
    # HTTP.
    max_body_bytes: int = 64 * 1024
    validate_responses: bool = False
    """Check every answer against its route's declared model (the tests and the local stack do)."""
    # Objects (S3): where presigned uploads and downloads and the functions' own calls go.
    s3_endpoint_url: str | None = None
    """A local endpoint such as the local stack's (`ONTIME_S3_ENDPOINT_URL`); None: AWS's regional one."""
    cors_origins: tuple[str, ...] = ()
    """The browser origins that may call the REST API (`ONTIME_CORS_ORIGINS`, comma-separated): the
    local stack's own pages locally, the `CorsOrigins` parameter in AWS; none: no browser may."""
    # WebSocket: how many package actions (`call.signal`, …) one connection may send per window
    # (a fixed window per connection, `persistence/budgets.py`); the platform's own actions are free.
    ws_action_limit: int = 50
    ws_action_window_s: int = 5
    env: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    """The environment these were read from, for the packages' own settings."""

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    def table_name(self, short_name: str) -> str:
        return f"{self.table_prefix}{short_name}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        stage = env.get("ONTIME_STAGE")
        if stage not in STAGES:
            raise UnknownStage(f"ONTIME_STAGE must name the stage ({', '.join(STAGES)}), not {stage!r}: "
                               "a function never guesses which stage it is")
        local = stage == LOCAL_STAGE
        return cls(
            stage=stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            table_prefix=env.get("ONTIME_TABLE_PREFIX", "ontime-"),
            alarm_queue_url=env.get("ONTIME_ALARM_QUEUE_URL"),
            ws_management_endpoint=env.get("ONTIME_WS_MANAGEMENT_ENDPOINT"),
            jwt_issuer=env.get("ONTIME_JWT_ISSUER", ""),
            jwt_audience=env.get("ONTIME_JWT_AUDIENCE") or None,
            jwks_url=env.get("ONTIME_JWKS_URL") or None,
            min_window_s=1 if local else 30,
            payment_provider=env.get("ONTIME_PAYMENT_PROVIDER", "none"),
            payment_webhook_secrets=tuple(filter(None, env.get("ONTIME_PAYMENT_WEBHOOK_SECRETS", "").split(","))),
            page_token_secrets=tuple(filter(None, env.get("ONTIME_PAGE_TOKEN_SECRETS", "").split(","))),
            sweep_interval_s=int(env.get("ONTIME_SWEEP_INTERVAL_S", "60")),
            overdue_grace_s=int(env.get("ONTIME_OVERDUE_GRACE_S", "2" if local else "5")),
            max_body_bytes=int(env.get("ONTIME_MAX_BODY_BYTES", str(64 * 1024))),
            validate_responses=env.get("ONTIME_VALIDATE_RESPONSES", "") == "1",
            s3_endpoint_url=env.get("ONTIME_S3_ENDPOINT_URL") or None,
            cors_origins=origins(env.get("ONTIME_CORS_ORIGINS", "")),
            ws_action_limit=_positive(env, "ONTIME_WS_ACTION_LIMIT", 50),
            ws_action_window_s=_positive(env, "ONTIME_WS_ACTION_WINDOW_S", 5),
            env=MappingProxyType(dict(env)),
        )


_ORIGIN = re.compile(r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def origins(listed: str) -> tuple[str, ...]:
    """Comma-separated origins as a browser writes them in `Origin` (`https://app.example.com`,
    `http://127.0.0.1:8000`: lower case, no default port, no path), whatever case or default port
    they were configured with. `*` is refused: an allowed origin is echoed, never a wildcard."""
    allowed: list[str] = []
    for entry in filter(None, (part.strip().lower().rstrip("/") for part in listed.split(","))):
        match = _ORIGIN.fullmatch(entry)
        if match is None:
            raise BadSetting(f"ONTIME_CORS_ORIGINS: {entry!r} is not an origin (scheme://host[:port], no path)")
        scheme, host, port = match.groups()
        allowed.append(f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else ""))
    return tuple(dict.fromkeys(allowed))


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = env_int(env, name, default)
    if value < 1:
        raise BadSetting(f"{name} must be at least 1, not {value}")
    return value


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    """An integer setting of a package (its default when the variable is absent)."""
    return int(env.get(name, str(default)))


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()
