"""What a deployed stage is made of: `infra/check.sh` packages the app exactly as `infra/deploy.sh`
does and keeps the zip's listing (`build/infra/STAGE/deployment.json`); the local stack, its
sandbox payment provider and development token issuer, the tests and the development tools are
not in it. Every module comes with its bytecode (Lambda cannot write any: without it each cold
start compiles every import), and botocore's data only for the services the app uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.aws import CREDENTIAL_SERVICES, SERVICES

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")
NEVER_DEPLOYED = ("devstack/", "tests/", "bench/", "infra/", "docs/", "chalicelib/local/",
                  # the local stack's and the tests' libraries
                  "moto/", "starlette/", "uvicorn/", "websockets/", "httpx/", "_pytest/", "hypothesis/",
                  # Chalice's command line (its runtime, `chalice/app.py`, is in the zip)
                  "chalice/cli/", "chalice/deploy/", "click/", "pip/", "setuptools/", "yaml/", "blessed/")


def listing(stage: str) -> dict[str, Any]:
    path = ROOT / "build" / "infra" / stage / "deployment.json"
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} is absent: infra/check.sh makes it (./dev test runs it)")
    sources = [*ROOT.glob("*.py"), *(ROOT / "chalicelib").rglob("*.py"), ROOT / "requirements.txt"]
    if path.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        pytest.skip(f"{path.relative_to(ROOT)} is older than the code: run infra/check.sh")
    found: dict[str, Any] = json.loads(path.read_text())
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_the_zip_holds_the_app_and_its_runtime_libraries(stage: str) -> None:
    names = {e["name"] for e in listing(stage)["entries"]}
    assert {"app.py", "chalicelib/registry.py", "chalicelib/bootstrap.py", "chalice/app.py"} <= names
    assert {f"chalicelib/{p}/wiring.py" for p in ("catalogue", "orders", "dispatch", "checkout")} <= names
    assert any(n.startswith("pynamodb/") for n in names) and any(n.startswith("pydantic/") for n in names)


@pytest.mark.parametrize("stage", STAGES)
def test_the_zip_holds_nothing_of_the_local_stack_the_tests_or_the_tools(stage: str) -> None:
    names = [e["name"] for e in listing(stage)["entries"]]
    assert [n for n in names if n.startswith(NEVER_DEPLOYED)] == []
    assert not [n for n in names if "sandbox" in n or (n.endswith("tokens.py") and n.startswith("devstack"))]


@pytest.mark.parametrize("stage", STAGES)
def test_the_zip_stays_well_under_lambdas_limit(stage: str) -> None:
    """Lambda takes 250 MB unzipped; cold starts pay for every byte loaded, so keep an eye on it."""
    found = listing(stage)
    assert found["unpacked_bytes"] < 60 * 1024 * 1024


@pytest.mark.parametrize("stage", STAGES)
def test_every_module_in_the_zip_comes_with_its_bytecode(stage: str) -> None:
    names = {e["name"] for e in listing(stage)["entries"]}
    sources = [n for n in names if n.endswith(".py")]
    missing = [n for n in sources if bytecode_of(n) not in names]
    assert missing == [] and len(sources) > 500  # the app and its libraries


@pytest.mark.parametrize("stage", STAGES)
def test_the_zip_holds_botocore_data_only_of_the_services_the_app_uses(stage: str) -> None:
    names = [e["name"] for e in listing(stage)["entries"]]
    services = {n.split("/")[2] for n in names if n.startswith("botocore/data/") and n.count("/") > 2}
    assert services == set(SERVICES) | set(CREDENTIAL_SERVICES)
    assert "botocore/data/endpoints.json" in names


def bytecode_of(source: str) -> str:
    folder, _, file = source.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{file.removesuffix('.py')}.cpython-311.pyc"
