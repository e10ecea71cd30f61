"""Importing `app.py` is a Lambda container's init, paid by every cold start (and `chalice package`
does it with no environment at all): it loads the framework, PynamoDB and the route table, and
nothing that only some first request needs — no module of a workflow package (views, schemas,
services), no pydantic, PyJWT, JSON Schema or Powertools, no API document generator — and it
opens no connection. Each import is checked in a fresh interpreter, as a container starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.bootstrap import contributions
from chalicelib.registry import WORKFLOWS

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise AssertionError("importing app.py tried to reach the network")

socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
# As in the Lambda package: pyOpenSSL is only a test dependency (aiortc's), and botocore imports it,
# and with it cryptography, whenever it is installed.
sys.modules["OpenSSL"] = None
{statement}
print(json.dumps(sorted(sys.modules)))
"""
NOT_AT_IMPORT = ("pydantic", "pydantic_core", "jwt", "cryptography", "jsonschema", "aws_lambda_powertools",
                 "chalicelib.http.openapi", "chalicelib.push.asyncapi", "chalicelib.http.fields",
                 "chalicelib.http.responses", "chalicelib.push.messages")


def modules_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after `statement`, with neither a stage nor AWS settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONTIME_", "AWS_"))}
    done = subprocess.run([sys.executable, "-c", PROBE.format(statement=statement)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    modules: set[str] = set(json.loads(done.stdout.strip().splitlines()[-1]))
    return modules


@pytest.fixture(scope="module")
def imported() -> set[str]:
    return modules_after("import app")


def test_importing_app_imports_no_module_of_any_workflow_package(imported: set[str]) -> None:
    packages = tuple(f"chalicelib.{c.name}" for c in WORKFLOWS)
    assert sorted(m for m in imported if m in packages or m.startswith(tuple(f"{p}." for p in packages))) == []


def test_reading_every_packages_declaration_imports_none_of_their_services_views_or_schemas() -> None:
    """What each container's first build reads: the packages' wiring (their tables, settings and seeds
    come with the package's first use: test_a_first_order_builds_…)."""
    loaded = modules_after("from chalicelib import bootstrap; bootstrap.contributions()")
    # `video_infra`: group-buy's video pipeline declarations (constants its wiring passes on).
    allowed = ("wiring", "settings", "seed", "tables", "video_infra")
    assert sorted(m for c in WORKFLOWS for m in loaded
                  if m.startswith(f"chalicelib.{c.name}.") and m.rsplit(".", 1)[1] not in allowed) == []
    assert "pydantic" not in loaded


BUILD_EVERY_PACKAGE = """
from chalicelib import bootstrap
from chalicelib.settings import Settings

class Refusing:
    def verify(self, token):
        raise AssertionError("no token is checked")

config = Settings.from_env({"ONTIME_STAGE": "dev", "AWS_DEFAULT_REGION": "us-east-1",
                            "ONTIME_ALARM_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/ontime-alarms",
                            "ONTIME_WS_MANAGEMENT_ENDPOINT": "https://abc.execute-api.us-east-1.amazonaws.com/api",
                            "ONTIME_PAGE_TOKEN_SECRETS": "a-page-token-secret-of-enough-bytes-0123456789"})
bootstrap.build(config, verifier=Refusing()).build_all()
"""


def test_building_every_package_as_alarms_and_sockets_do_imports_no_pydantic() -> None:
    """An alarm or a socket's message builds the packages it reaches (services, stores, the views
    their pushes render) and reads no request body: pydantic, ≈ 40 ms at a container's first use,
    is for the routes' bodies and the documents (`http/responses.py`)."""
    loaded = modules_after(BUILD_EVERY_PACKAGE)
    assert "chalicelib.orders.service" in loaded and "chalicelib.dispatch.views" in loaded
    models = ("view_models", "schemas", ".fields", ".responses")
    assert sorted(m for m in loaded if m.split(".")[0] in ("pydantic", "pydantic_core")
                  or (m.startswith("chalicelib.") and m.endswith(models))) == []


@pytest.mark.parametrize("module", NOT_AT_IMPORT)
def test_importing_app_leaves_what_only_some_requests_need_to_them(imported: set[str], module: str) -> None:
    assert sorted(m for m in imported if m == module or m.startswith(f"{module}.")) == []


def test_importing_app_registers_every_declared_route_all_the_same() -> None:
    from app import app

    declared = {(spec.path, method) for c in contributions() for table in c.routes for spec in table.specs
                for method in spec.methods}
    registered = {(path, method) for path, methods in app.routes.items() for method in methods if method != "OPTIONS"}
    assert registered == declared


def test_a_first_order_builds_the_packages_it_uses_without_the_others_tables_settings_or_seeds() -> None:
    """`POST /orders` builds orders and the catalogue it reads menus from: the other packages'
    models (PynamoDB builds each class slowly), settings and demo data stay unimported."""
    loaded = modules_after(BUILD_EVERY_PACKAGE.replace(".build_all()", "") + """
from chalicelib.orders.service import OrderService
bootstrap.build(config, verifier=Refusing()).services_of(OrderService)
""")
    assert "chalicelib.orders.tables" in loaded and "chalicelib.catalogue.tables" in loaded
    unused = tuple(f"chalicelib.{c.name}." for c in WORKFLOWS if c.name not in ("orders", "catalogue"))
    assert sorted(m for m in loaded if m.startswith(unused) and not m.endswith((".wiring", ".video_infra"))) == []


SERVE_MERCHANT_ORDER = """
from types import SimpleNamespace
from chalice import Chalice
from chalice.test import Client
from chalicelib.auth.principal import Principal, Role
from chalicelib.orders import routes_merchant

answer = {{"order_id": "o1"}}
routes_merchant.order_view = lambda order, now: answer  # the view's rendering is not what is measured
merchant = Principal("m-sub", Role.MERCHANT, merchant_id="m1")
runtime = SimpleNamespace(clock=SimpleNamespace(now_ms=lambda: 0),
                          verifier=SimpleNamespace(verify=lambda token: merchant),
                          validate_responses={validate}, services_of=lambda kind: SimpleNamespace(
                              fetch=lambda caller, order_id: object()))
app = Chalice("probe")
app.register_blueprint(routes_merchant.routes.bound_to(lambda: runtime))
with Client(app) as client:
    served = client.http.get("/merchant/orders/0123456789abcdef0123456789abcdef",
                             headers={{"authorization": "Bearer t"}})
print(served.status_code, served.body, file=sys.stderr)
assert served.status_code == {status}, served.body
"""


def test_serving_a_bodyless_route_without_response_validation_imports_no_pydantic() -> None:
    """`GET /merchant/orders/{order_id}` reads no body and an AWS stage validates no answer, so its
    first request must not pay for pydantic (≈ 40 ms): its route module declares its models lazily."""
    loaded = modules_after(SERVE_MERCHANT_ORDER.format(validate=False, status=200))
    assert "chalicelib.orders.routes_merchant" in loaded
    assert sorted(m for m in loaded if m.split(".")[0] in ("pydantic", "pydantic_core")
                  or (m.startswith("chalicelib.") and m.endswith(("view_models", "schemas", ".responses")))) == []


def test_serving_it_with_response_validation_on_checks_the_answer_against_its_lazily_declared_model() -> None:
    """The local stage validates: the model is resolved then, and an answer that is no `OrderView`
    is refused (a 500 problem, the view's bug) rather than passed through."""
    loaded = modules_after(SERVE_MERCHANT_ORDER.format(validate=True, status=500))
    assert "chalicelib.orders.view_models" in loaded and "pydantic" in loaded


def test_a_package_functions_container_imports_its_handler_without_its_service_or_pyav() -> None:
    """Lambda imports `process_videos`' module alone (its handler string): the service, PyAV and
    the models come with the first upload, not with the container's init."""
    loaded = modules_after("import chalicelib.groupbuy.handlers")
    assert "app" not in loaded
    assert sorted(m for m in loaded if m.split(".")[0] in ("av", "PIL", "numpy", "pydantic")
                  or (m.startswith("chalicelib.groupbuy.") and m.rsplit(".", 1)[1] not in (
                      "handlers", "video_infra"))) == []


def test_the_lambda_package_has_no_pyopenssl_so_the_probe_leaves_it_out_as_the_package_does() -> None:
    runtime = (ROOT / "requirements.txt").read_text().lower()
    assert "pyopenssl" not in runtime and "aiortc" not in runtime
