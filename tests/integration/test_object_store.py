"""The platform's S3 objects (moto) keep the `ObjectStore` contract (`tests/contracts/object_store.py`)."""

from __future__ import annotations

import pytest

from chalicelib.objects import ObjectStore, S3Objects
from devstack.provision import bucket_environment
from tests.contracts.object_store import ObjectStoreContract

BUCKET = bucket_environment()["ONTIME_PHOTO_BUCKET"]


class TestObjectStoreOnS3(ObjectStoreContract):
    @pytest.fixture
    def objects(self, tables: dict[str, str]) -> ObjectStore:
        return S3Objects(BUCKET, "us-east-1")
