"""The one botocore `Config` every AWS client of the app starts from: boto3's and PynamoDB's.

A fixed `user_agent`: botocore otherwise rebuilds its User-Agent header from about fifteen parts
(SDK, OS, language, execution environment, config, features), checking every character of each,
twice per call (when it serializes the request and again just before signing). That was a quarter
of the client-side CPU of a `PostToConnection` (≈ 60 of 230 µs) and of a `GetItem`, and a
transition makes about six calls, all billed in Lambda. With `user_agent` set botocore takes its
plain path, which only appends `user_agent_extra`: the same requests with a shorter header.
"""

from __future__ import annotations

import platform
from typing import Any

import botocore
from botocore.config import Config
from botocore.session import Session, get_session

USER_AGENT = f"ontime botocore/{botocore.__version__} Python/{platform.python_version()}"


def client_config(**settings: Any) -> Config:
    return Config(user_agent=USER_AGENT, **settings)


def _configured_session() -> Session:
    session = get_session()
    session.set_default_client_config(client_config())  # PynamoDB's own Config is merged over it
    return session


def configure_pynamodb_clients() -> None:
    """PynamoDB builds each model's botocore client itself, from a session of its own, and takes
    no `Config`; a session's default client config is the one place it reads one from."""
    from pynamodb.connection import base

    base.get_session = _configured_session  # type: ignore[attr-defined]  # idempotent
