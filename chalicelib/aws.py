"""One botocore session per container, and every AWS client made from it.

A botocore session parses its own copy of the endpoint data (`endpoints.json`, 1.2 MB), lists
botocore's ~400 service folders, parses each service model and resolves the credentials: ≈ 50 ms
of CPU at its first client. PynamoDB gives every model a session (and a client) of its own, so a
first request that touched five tables paid that five times. Here a container has one session:
the PynamoDB models share one DynamoDB client (`persistence/tables.py`), and the platform's other
clients (SQS, `@connections`, S3) come from the same session, each built once, at first use.

Every client also starts from one `Config` with a fixed `user_agent` (the session's default client
config, which a client's own `config` is merged over): botocore otherwise rebuilds its User-Agent
header from about fifteen parts (SDK, OS, language, execution environment, config, features),
checking every character of each, twice per call. That was a quarter of the client-side CPU of a
`PostToConnection` (≈ 60 of 230 µs) and of a `GetItem`, and a transition makes about six calls, all
billed in Lambda (`./dev bench profile`).

Never at import: a session copies botocore's built-in handlers when it is created, so whatever
registers there (moto, the local stack's call counters, the tests' IAM recorder) must come first.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.session import Session

SERVICES = ("dynamodb", "sqs", "apigatewaymanagementapi", "s3")
"""Every AWS service the app makes clients of. The deployment keeps botocore's data of these only
(`infra/package.py`), so `client` refuses any other: a new one is declared here, where the tests
see it, not found missing in AWS."""

_lock = threading.RLock()
"""botocore builds clients from one session unsafely across threads (the local stack has many)."""
_session: Session | None = None


def user_agent() -> str:
    import platform

    import botocore

    return f"ontime botocore/{botocore.__version__} Python/{platform.python_version()}"


def client_config(**settings: Any) -> Config:
    """The app's client `Config`: the fixed User-Agent, and `settings` (a client's own)."""
    from botocore.config import Config

    return Config(user_agent=user_agent(), **settings)


def session() -> Session:
    """The container's botocore session."""
    global _session
    if _session is None:
        with _lock:
            if _session is None:
                from botocore.session import get_session

                made = get_session()
                made.set_default_client_config(client_config())
                _session = made
    return _session


def client(service: str, **options: Any) -> Any:
    """A new client of the shared session (`region_name`, `endpoint_url`, `config`, as botocore's
    `create_client` takes them): build it once per container and keep it."""
    if service not in SERVICES:
        raise ValueError(f"{service!r} is not in chalicelib.aws.SERVICES: declare it there, or the "
                         "deployment package will not hold its botocore data")
    with _lock:
        return session().create_client(service, **options)


class LazyClient:
    """A client of the shared session built at its first call: a request that sends no alarm and
    pushes nothing (`GET /health`, most reads) builds neither the SQS nor the `@connections` client."""

    def __init__(self, service: str, **options: Any) -> None:
        self._service = service
        self._options = options
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            with _lock:
                if self._client is None:
                    self._client = client(self._service, **self._options)
        return getattr(self._client, name)


def created_under_lock() -> threading.RLock:
    """The lock clients are built under, for a client built lazily elsewhere (PynamoDB's)."""
    return _lock


def forget() -> None:
    """Start again from a fresh session (tests that count sessions; clients already built keep theirs)."""
    global _session
    with _lock:
        _session = None
