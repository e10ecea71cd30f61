"""The DynamoDB catalogue store (moto) keeps the `CatalogueStore` contract (`tests/contracts/`)."""

from __future__ import annotations

import pytest

from chalicelib.catalogue.ports import CatalogueStore
from chalicelib.catalogue.store import DynamoCatalogueStore
from tests.contracts.catalogue_store import CatalogueStoreContract


class TestCatalogueStoreOnDynamo(CatalogueStoreContract):
    @pytest.fixture
    def store(self, tables: dict[str, str]) -> CatalogueStore:
        return DynamoCatalogueStore()
