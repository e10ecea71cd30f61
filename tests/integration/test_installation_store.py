"""The DynamoDB installation and installer stores (moto, no Chalice) keep their contracts
(`tests/contracts/installation_store.py`, `installer_store.py`): the conditional write with the
records that go with it (a ledger entry, an installer's open-job counter) in one transaction, the
mapping, the console's search over its indexes, the installers and their coverage."""

from __future__ import annotations

import pytest

from chalicelib.dispatch.installation_store import DynamoInstallationStore
from chalicelib.dispatch.installer_store import DynamoInstallerStore
from chalicelib.dispatch.ports import InstallerStore
from tests.contracts.installation_store import SHARDS, DispatchStores, InstallationStoreContract
from tests.contracts.installer_store import InstallerStoreContract


class TestInstallationStoreOnDynamo(InstallationStoreContract):
    @pytest.fixture
    def stores(self, tables: dict[str, str]) -> DispatchStores:
        return DispatchStores(DynamoInstallationStore(SHARDS), DynamoInstallerStore())


class TestInstallerStoreOnDynamo(InstallerStoreContract):
    @pytest.fixture
    def store(self, tables: dict[str, str]) -> InstallerStore:
        return DynamoInstallerStore()
