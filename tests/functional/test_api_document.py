"""`GET /openapi.json` serves the document of the routes the app has, without a token, built at
the first request for it and then kept; it is the committed `docs/openapi.json`."""

from __future__ import annotations

import json

from chalice.test import Client

from chalicelib.http.docs import ApiDocuments
from infra.generate import OPENAPI_DOC
from tests.conftest import World
from tests.functional.api import Api


def test_the_api_serves_its_openapi_document_without_a_token(world: World, client: Client) -> None:
    reply = Api(client, None).get("/openapi.json")
    assert reply.status == 200
    assert reply.body == json.loads(OPENAPI_DOC.read_text())


def test_the_document_is_built_at_the_first_request_for_it_and_kept(world: World, client: Client) -> None:
    documents = world.container.services_of(ApiDocuments)
    assert documents._openapi is None
    Api(client, world.token("ops", "ops-1")).get("/health")
    assert documents._openapi is None, "another route built the document"
    Api(client, None).get("/openapi.json")
    first = documents.openapi()
    Api(client, None).get("/openapi.json")
    assert documents.openapi() is first
