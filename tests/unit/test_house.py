"""The shape of the house: a workflow package is imported inside `chalicelib/` by the registry
alone, the platform imports no workflow, nothing deployed imports the local stack, and every
package folder with a wiring module is in the registry (and nothing else is)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chalicelib.registry import WORKFLOWS

ROOT = Path(__file__).resolve().parents[2]
CHALICELIB = ROOT / "chalicelib"
PACKAGES = sorted(c.name for c in WORKFLOWS)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules_of(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def imports_package(path: Path, package: str) -> bool:
    return any(m == f"chalicelib.{package}" or m.startswith(f"chalicelib.{package}.") for m in imported_modules(path))


@pytest.mark.parametrize("package", PACKAGES)
def test_a_workflow_package_is_imported_inside_chalicelib_only_by_the_registry(package: str) -> None:
    importers = [p.relative_to(ROOT).as_posix() for p in modules_of(CHALICELIB)
                 if not p.is_relative_to(CHALICELIB / package) and imports_package(p, package)]
    assert importers == ["chalicelib/registry.py"]


def test_the_platform_imports_no_workflow() -> None:
    platform = [p for p in modules_of(CHALICELIB)
                if not any(p.is_relative_to(CHALICELIB / package) for package in PACKAGES)
                and p.name != "registry.py"]
    offenders = {p.relative_to(ROOT).as_posix(): package for p in platform for package in PACKAGES
                 if imports_package(p, package)}
    assert offenders == {}


def test_nothing_deployed_imports_the_local_stack() -> None:
    deployed = [*modules_of(CHALICELIB), ROOT / "app.py"]
    offenders = [p.relative_to(ROOT).as_posix() for p in deployed
                 if any(m == "devstack" or m.startswith("devstack.") for m in imported_modules(p))]
    assert offenders == []


def test_every_package_with_a_wiring_module_is_registered_and_named_after_its_folder() -> None:
    wired = sorted(p.parent.name for p in CHALICELIB.glob("*/wiring.py"))
    assert wired == PACKAGES
    for contribution in WORKFLOWS:
        assert contribution.build.__module__ == f"chalicelib.{contribution.name}.wiring"
