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

The session's data loader knows only the services declared below (`DeclaredServicesLoader`), both
their models and their endpoints. botocore's own lists every folder of its data at the first client,
twice (service models, endpoint rule sets), to check that the service exists: ≈ 8 ms each where
botocore holds its ~400 services (the development tree, the local stack). And it parses all of
`endpoints.json` (1.2 MB, ≈ 13 ms) for the few entries of these services: the loader reads them
from `aws_endpoints.json` instead, botocore's same data cut to these services (60 KB, written by
`./dev infra` for the installed botocore; any other botocore version, or an `endpoints.json` of
`AWS_DATA_PATH`, and botocore's own loading is left as it is).

Every client retries the same way (`RETRIES`, `CONNECT_TIMEOUT_S`, `READ_TIMEOUT_S`; the table of
`docs/retries.md`): botocore's `standard` mode, three attempts in all, each retry after a full-jitter
exponential wait (`botocore/retries/standard.py`, `ExponentialBackoff.delay_amount`:
`rand(0, 1) × min(base × 2^i, 20 s)`, `base` 1 s after a throttling error, 25 ms (DynamoDB) or 50 ms
otherwise), and no retry at all once the client's retry quota is spent (`RetryQuotaChecker`: a
failing dependency makes requests fail fast instead of multiplying the load). A call gives up after
three attempts of at most 1 s to connect and 2 s to read: ≈ 3 s of backoff when throttled, 9 s at the
very worst (three slow connects each followed by a read timeout), under the API function's Lambda
timeout (10 s), itself far under API Gateway's 29 s: a request answers a 503 problem
(`chalicelib/core/transient.py`) before Lambda or API Gateway would cut it off. DynamoDB answers in
milliseconds and SQS, `@connections` and S3's small calls in tens: these timeouts only cut off what
is already lost.

Never at import: a session copies botocore's built-in handlers when it is created, so whatever
registers there (moto, the local stack's call counters, the tests' IAM recorder) must come first.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.loaders import Loader
    from botocore.session import Session

SERVICES = ("dynamodb", "sqs", "apigatewaymanagementapi", "s3")
"""Every AWS service the app makes clients of. The deployment keeps botocore's data of these only
(`infra/package.py`), so `client` refuses any other: a new one is declared here, where the tests
see it, not found missing in AWS."""
CREDENTIAL_SERVICES = ("sts", "sso", "sso-oidc")
"""What botocore's credential chain may make clients of, from the same session (assumed roles, SSO
profiles): known to the session's loader and kept in the package, never made by the app itself."""

_lock = threading.RLock()
"""botocore builds clients from one session unsafely across threads (the local stack has many)."""
_session: Session | None = None


def user_agent() -> str:
    import platform

    import botocore

    return f"ontime botocore/{botocore.__version__} Python/{platform.python_version()}"


RETRY_MODE = "standard"
MAX_ATTEMPTS = 3
"""Attempts in all, the first included (botocore's `total_max_attempts`)."""
RETRIES: dict[str, Any] = {"mode": RETRY_MODE, "total_max_attempts": MAX_ATTEMPTS}
CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 2.0


def client_config(**settings: Any) -> Config:
    """The app's client `Config`: the fixed User-Agent, the retry policy and timeouts, and
    `settings` (a client's own)."""
    from botocore.config import Config

    policy: dict[str, Any] = {"retries": dict(RETRIES), "connect_timeout": CONNECT_TIMEOUT_S,
                              "read_timeout": READ_TIMEOUT_S}
    return Config(user_agent=user_agent(), **{**policy, **settings})


def session() -> Session:
    """The container's botocore session."""
    global _session
    if _session is None:
        with _lock:
            if _session is None:
                from botocore.session import get_session

                made = get_session()
                made.register_component("data_loader", declared_services_loader(made.get_config_variable("data_path")))
                made.set_default_client_config(client_config())
                _session = made
    return _session


DECLARED_ENDPOINTS = Path(__file__).with_name("aws_endpoints.json")
"""botocore's endpoint data of the declared services, for the botocore it was written for."""


def declared_services_loader(data_path: str | None) -> Loader:
    """botocore's data loader for `AWS_DATA_PATH` (`data_path`, read as botocore's `create_loader`
    reads it) that knows only `SERVICES` and `CREDENTIAL_SERVICES`."""
    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import Loader, instance_cache

    class DeclaredServicesLoader(Loader):
        @instance_cache
        def list_available_services(self, type_name: str) -> list[str]:
            """The declared services that have `type_name` data (botocore's looks in every folder)."""
            return sorted(name for name in (*SERVICES, *CREDENTIAL_SERVICES) if self._has_data(name, type_name))

        def _has_data(self, service: str, type_name: str) -> bool:
            try:
                return bool(self.list_api_versions(service, type_name))
            except DataNotFoundError:
                return False

        @instance_cache
        def load_data_with_path(self, name: str) -> tuple[Any, str]:
            if name == "endpoints":
                declared = self._declared_endpoints()
                if declared is not None:
                    return declared
            loaded: tuple[Any, str] = super().load_data_with_path(name)
            return loaded

        def _declared_endpoints(self) -> tuple[Any, str] | None:
            """What botocore would load for `endpoints` when that is its own file: the declared
            services' part of it, under the same path (so the endpoints resolve as with it)."""
            for path in self._potential_locations("endpoints"):
                if self.is_builtin_path(path):
                    document = json.loads(DECLARED_ENDPOINTS.read_bytes(), object_pairs_hook=OrderedDict)
                    return (document["endpoints"], path) if document["botocore"] == botocore_version() else None
                if self.file_loader.exists(path):  # an AWS_DATA_PATH's (or ~/.aws/models') own endpoints
                    return None
            return None

    paths = [os.path.expanduser(os.path.expandvars(path)) for path in (data_path or "").split(os.pathsep) if path]
    loader: Loader = DeclaredServicesLoader(extra_search_paths=paths)
    return loader


def botocore_version() -> str:
    import botocore

    return str(botocore.__version__)


def declared_endpoints_document() -> str:
    """`aws_endpoints.json` for the installed botocore: its `endpoints.json` with each partition's
    services cut to the declared ones (by their endpoint prefix, as botocore resolves them)."""
    from botocore.loaders import JSONFileLoader, Loader

    builtin = Loader(extra_search_paths=[Loader.BUILTIN_DATA_PATH], include_default_search_paths=False)
    prefixes = {builtin.load_service_model(name, "service-2")["metadata"]["endpointPrefix"]
                for name in (*SERVICES, *CREDENTIAL_SERVICES)}
    endpoints = JSONFileLoader().load_file(os.path.join(Loader.BUILTIN_DATA_PATH, "endpoints"))
    for partition in endpoints["partitions"]:
        partition["services"] = {name: entry for name, entry in partition["services"].items() if name in prefixes}
    return json.dumps({"botocore": botocore_version(), "endpoints": endpoints}, indent=1) + "\n"


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
