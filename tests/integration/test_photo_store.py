"""Completion photos in S3 (moto): the `PhotoStore` contract (`tests/contracts/platform_stores.py`)."""

from __future__ import annotations

import pytest

from chalicelib.dispatch.photo_store import s3_photo_store
from chalicelib.dispatch.photos import PhotoStore
from devstack.provision import bucket_environment
from tests.conftest import aws_client
from tests.contracts.platform_stores import PhotoStoreContract

BUCKET = bucket_environment()["ONTIME_PHOTO_BUCKET"]


class TestPhotoStoreOnS3(PhotoStoreContract):
    @pytest.fixture
    def photos(self, tables: dict[str, str]) -> PhotoStore:
        return s3_photo_store(BUCKET, "us-east-1", None)

    def upload(self, photos: PhotoStore, key: str, body: bytes, content_type: str) -> None:
        aws_client("s3").put_object(Bucket=BUCKET, Key=key, Body=body, ContentType=content_type)
