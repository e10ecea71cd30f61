"""The deployment zip, completed after `chalice package` (`infra/package.py`): every module gets
unchecked-hash bytecode (Lambda writes none, so each cold start would compile every import), and
botocore keeps the data of the services the app makes clients of, which `chalicelib/aws.py`
declares and alone creates."""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import pytest

from chalicelib import aws
from infra.package import repackage

ROOT = Path(__file__).resolve().parents[2]


def a_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as package:
        for name, text in files.items():
            package.writestr(name, text)
    return path


def test_every_module_gets_bytecode_that_python_uses_without_checking_a_source(tmp_path: Path) -> None:
    package = a_zip(tmp_path / "deployment.zip", {"app.py": "X = 1\n", "lib/mod.py": "Y = 2\n", "lib/data.txt": ""})
    repackage(package)
    with zipfile.ZipFile(package) as done:
        names = set(done.namelist())
        pyc = done.read("lib/__pycache__/mod.cpython-311.pyc")
    assert {"app.py", "__pycache__/app.cpython-311.pyc", "lib/mod.py", "lib/data.txt"} <= names
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, never checked against the source


def test_only_the_botocore_data_of_the_declared_services_is_kept(tmp_path: Path) -> None:
    files = {f"botocore/data/{service}/2020-01-01/service-2.json.gz": "" for service in
             ("dynamodb", "sqs", "apigatewaymanagementapi", "s3", "sts", "ec2", "sagemaker")}
    package = a_zip(tmp_path / "deployment.zip", {**files, "botocore/data/endpoints.json": "{}"})
    repackage(package)
    with zipfile.ZipFile(package) as done:
        services = {n.split("/")[2] for n in done.namelist() if n.count("/") > 2}
        assert "botocore/data/endpoints.json" in done.namelist()
    assert services == {"dynamodb", "sqs", "apigatewaymanagementapi", "s3", "sts"}


def test_a_client_of_an_undeclared_service_is_refused_before_it_is_made() -> None:
    with pytest.raises(ValueError, match="SERVICES"):
        aws.client("ec2", region_name="us-east-1")


def test_every_client_the_app_makes_names_a_declared_service() -> None:
    """The calls `client("…")`, `LazyClient("…")` and `create_client("…")` anywhere in chalicelib."""
    named: set[str] = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if function in ("client", "LazyClient", "create_client"):
                    named.add(str(node.args[0].value))
    assert named and named <= set(aws.SERVICES)
    assert not set(aws.CREDENTIAL_SERVICES) & set(aws.SERVICES)
