"""One typed settings object, read from the environment at first use (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

LOCAL_STAGE = "local"
ALARM_QUEUE_NAME = "ontime-alarms"
"""Fixed because Chalice binds queues by name at import time; one stage per AWS account."""


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_prefix: str
    alarm_queue_url: str | None
    ws_management_endpoint: str | None
    # Auth: AWS stages verify RS256 tokens from an OIDC/Cognito issuer; the local stage signs its own.
    jwt_issuer: str
    jwt_audience: str | None
    jwks_url: str | None
    dev_signing_secret: str | None
    # Windows (bounds apply to every configurable window: answer windows, escalation periods).
    default_answer_window_s: int = 120
    min_answer_window_s: int = 30
    max_answer_window_s: int = 900
    # Installer dispatch (defaults of a new area; the spec's 10 min / 20 min and a 5.00 deduction).
    default_remind_after_s: int = 600
    default_revoke_after_s: int = 1200
    default_deduction: int = 500
    default_currency: str = "CNY"
    installer_retry_s: int = 60
    # Photos of completed installations.
    photo_bucket: str = "ontime-photos"
    s3_endpoint_url: str | None = None
    photo_max_bytes: int = 10 * 1024 * 1024
    # Split orders (workflow 03): the payment window and the payment provider.
    payment_window_s: int = 900
    payment_provider: str = "none"
    """`sandbox` (the local stack's provider) or `none` (checkouts answer 503 until one is set)."""
    payment_webhook_secrets: tuple[str, ...] = ()
    """Callback signing secrets; the first signs (sandbox), any verifies (so secrets can rotate)."""
    payment_callback_url: str | None = None
    sandbox_base_url: str | None = None
    """Where the sandbox's pay pages are served (the local REST front)."""
    redeem_base_url: str = "https://ontime.example/redeem/"
    # Wait-state engine.
    due_shards: int = 16
    sweep_interval_s: int = 60
    overdue_grace_s: int = 5
    # HTTP.
    max_body_bytes: int = 64 * 1024

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    def table_name(self, short_name: str) -> str:
        return f"{self.table_prefix}{short_name}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        stage = env.get("ONTIME_STAGE", LOCAL_STAGE)
        local = stage == LOCAL_STAGE
        secret = env.get("ONTIME_DEV_SIGNING_SECRET", "ontime-local-development-signing-secret") if local else None
        return cls(
            stage=stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            table_prefix=env.get("ONTIME_TABLE_PREFIX", "ontime-"),
            alarm_queue_url=env.get("ONTIME_ALARM_QUEUE_URL"),
            ws_management_endpoint=env.get("ONTIME_WS_MANAGEMENT_ENDPOINT"),
            jwt_issuer=env.get("ONTIME_JWT_ISSUER", "ontime-local" if local else ""),
            jwt_audience=env.get("ONTIME_JWT_AUDIENCE") or None,
            jwks_url=env.get("ONTIME_JWKS_URL") or None,
            dev_signing_secret=secret,
            default_answer_window_s=int(env.get("ONTIME_DEFAULT_ANSWER_WINDOW_S", "120")),
            min_answer_window_s=1 if local else 30,
            installer_retry_s=int(env.get("ONTIME_INSTALLER_RETRY_S", "60")),
            photo_bucket=env.get("ONTIME_PHOTO_BUCKET", "ontime-photos"),
            s3_endpoint_url=env.get("ONTIME_S3_ENDPOINT_URL") or None,
            sweep_interval_s=int(env.get("ONTIME_SWEEP_INTERVAL_S", "60")),
            overdue_grace_s=int(env.get("ONTIME_OVERDUE_GRACE_S", "2" if local else "5")),
            max_body_bytes=int(env.get("ONTIME_MAX_BODY_BYTES", str(64 * 1024))),
            payment_window_s=int(env.get("ONTIME_PAYMENT_WINDOW_S", "900")),
            payment_provider=env.get("ONTIME_PAYMENT_PROVIDER", "sandbox" if local else "none"),
            payment_webhook_secrets=tuple(filter(None, env.get(
                "ONTIME_PAYMENT_WEBHOOK_SECRETS", "ontime-local-sandbox-webhook-secret" if local else "").split(","))),
            payment_callback_url=env.get("ONTIME_PAYMENT_CALLBACK_URL") or None,
            sandbox_base_url=env.get("ONTIME_SANDBOX_BASE_URL") or None,
            redeem_base_url=env.get("ONTIME_REDEEM_BASE_URL", "https://ontime.example/redeem/"),
        )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()
