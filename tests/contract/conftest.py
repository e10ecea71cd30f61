"""The contract tier: the running local stack, with its demo data, fuzzed from its own OpenAPI
document (started as `tests/e2e` starts it, but seeded: `m_demo`, `i_demo_1`, `s_demo_books`, …)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.client import StackUrls
from tests.e2e.conftest import start_stack, stop_stack


@pytest.fixture(scope="session")
def seeded_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackUrls]:
    log_path = tmp_path_factory.mktemp("contract") / "stack.log"
    process, urls = start_stack(log_path, seed=True)
    try:
        yield urls
    finally:
        stop_stack(process, log_path)
