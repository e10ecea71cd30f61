"""A container's botocore session reads the data of the declared services only (`chalicelib/aws.py`):
its first client lists none of botocore's other service folders and parses none of the full
`endpoints.json`, and every declared service's endpoints resolve as with botocore's own data. No
network: making a client sends nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore
import botocore.loaders
import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import JSONFileLoader, Loader
from botocore.regions import EndpointResolver

from chalicelib import aws

DECLARED = (*aws.SERVICES, *aws.CREDENTIAL_SERVICES)
BUILTIN_ENDPOINTS = os.path.join(Loader.BUILTIN_DATA_PATH, "endpoints")


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    aws.forget()
    yield
    aws.forget()


@pytest.fixture
def files_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every data file botocore's loaders read from now on (paths without their extension)."""
    read: list[str] = []
    load = JSONFileLoader.load_file

    def recorded(self: JSONFileLoader, file_path: str) -> Any:
        read.append(file_path)
        return load(self, file_path)

    monkeypatch.setattr(JSONFileLoader, "load_file", recorded)
    return read


@pytest.fixture
def folders_listed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every folder of botocore's data that is listed from now on."""
    listed: list[str] = []
    listdir = os.listdir

    def recorded(path: Any = ".") -> list[str]:
        if str(path).startswith(Loader.BUILTIN_DATA_PATH):
            listed.append(str(path))
        return listdir(path)

    monkeypatch.setattr(botocore.loaders.os, "listdir", recorded)
    return listed


def test_the_first_client_lists_the_folders_of_declared_services_only(folders_listed: list[str]) -> None:
    aws.client("dynamodb", region_name="us-east-1")
    aws.client("sqs", region_name="us-east-1")
    services = {Path(path).relative_to(Loader.BUILTIN_DATA_PATH).parts[:1] for path in folders_listed}
    assert folders_listed and services <= {(name,) for name in DECLARED}  # never the data folder itself


def test_the_first_client_parses_the_declared_services_endpoints_not_all_of_botocores(files_read: list[str]) -> None:
    dynamodb = aws.client("dynamodb", region_name="eu-west-1")
    assert BUILTIN_ENDPOINTS not in files_read
    assert dynamodb.meta.endpoint_url == "https://dynamodb.eu-west-1.amazonaws.com"


def test_the_session_knows_the_declared_services_only() -> None:
    assert aws.session().get_available_services() == sorted(DECLARED)
    with pytest.raises(UnknownServiceError):
        aws.session().create_client("ec2", region_name="us-east-1")


def test_every_declared_service_resolves_in_every_region_as_with_botocores_own_endpoints() -> None:
    full = JSONFileLoader().load_file(BUILTIN_ENDPOINTS)
    declared = json.loads(aws.DECLARED_ENDPOINTS.read_text())
    assert declared["botocore"] == botocore.__version__  # else: ./dev infra
    ours, botocores = EndpointResolver(declared["endpoints"], True), EndpointResolver(full, True)
    prefixes = {aws.session().get_service_model(name).endpoint_prefix for name in DECLARED}
    regions = [region for partition in full["partitions"] for region in partition["regions"]]
    regions += ["eu-future-1", "cn-future-1", "us-gov-future-1"]  # matched by a partition's pattern only
    compared = 0
    for prefix in sorted(prefixes):
        for region in regions:
            for variant in ({}, {"use_fips_endpoint": True}, {"use_dualstack_endpoint": True}):
                assert resolved(ours, prefix, region, variant) == resolved(botocores, prefix, region, variant)
                compared += 1
    assert len(prefixes) == len(DECLARED) and len(regions) > 40 and compared == len(prefixes) * len(regions) * 3
    assert ours.get_available_partitions() == botocores.get_available_partitions()


def resolved(resolver: EndpointResolver, prefix: str, region: str, variant: dict[str, bool]) -> Any:
    """The endpoint, or the refusal (a variant a partition does not offer)."""
    try:
        return resolver.construct_endpoint(prefix, region, **variant)
    except Exception as refused:  # noqa: BLE001 - compared, whatever botocore raises
        return type(refused), str(refused)


def test_an_endpoints_file_of_aws_data_path_is_read_as_botocore_reads_it(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    own = {"version": 3, "partitions": [{**JSONFileLoader().load_file(BUILTIN_ENDPOINTS)["partitions"][0],
                                         "services": {}}]}
    (tmp_path / "endpoints.json").write_text(json.dumps(own))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    data, path = aws.session().get_component("data_loader").load_data_with_path("endpoints")
    assert (data, path) == (own, str(tmp_path / "endpoints"))


def test_a_copy_written_for_another_botocore_is_not_read(files_read: list[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aws, "botocore_version", lambda: "0.0.1")
    dynamodb = aws.client("dynamodb", region_name="eu-west-1")
    assert BUILTIN_ENDPOINTS in files_read
    assert dynamodb.meta.endpoint_url == "https://dynamodb.eu-west-1.amazonaws.com"
