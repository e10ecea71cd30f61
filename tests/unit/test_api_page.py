"""`GET /docs` of the local stack: every operation and schema of the OpenAPI document on one page
that loads nothing from anywhere (no script, no CDN)."""

from __future__ import annotations

import json
import re

from devstack.apidocs import render
from infra.generate import OPENAPI_DOC


def test_the_page_shows_every_operation_and_schema_and_loads_nothing_else() -> None:
    document = json.loads(OPENAPI_DOC.read_text())
    page = render(document)
    for item in document["paths"].values():
        for operation in item.values():
            assert f"id='{operation['operationId']}'" in page
    for name in document["components"]["schemas"]:
        assert f"id='schema-{name}'" in page
    assert "<script" not in page
    assert not re.search(r"""(src|href)=['"]?(https?:)?//""", page)


def test_the_page_shows_an_operations_roles_and_body_example() -> None:
    page = render(json.loads(OPENAPI_DOC.read_text()))
    assert "Roles: customer, merchant, ops." in page
    assert "&quot;merchant_id&quot;: &quot;m_demo&quot;" in page
