"""`GET /openapi.json`: the API's own OpenAPI document, built at the first request for it and kept.

The generator (`http/openapi.py`) and the models' schemas are imported and built only then, so no
other route, and no import of `app.py`, pays for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.http.routing import Call, Routes

Groups = Sequence[tuple[str, Routes[Any]]]


class ApiDocuments:
    """The document of the routes a container serves (each table with its package's name), which
    `groups` names only when asked: importing every package's routes is the document's cost too."""

    def __init__(self, groups: Callable[[], Groups]) -> None:
        self._groups = groups
        self._openapi: dict[str, Any] | None = None
        self._lock = threading.Lock()

    @property
    def groups(self) -> Groups:
        return tuple(self._groups())

    def with_routes(self, tag: str, routes: Routes[Any]) -> ApiDocuments:
        """The documents of these routes and more (the local stack's own `POST /dev/tokens`)."""
        return ApiDocuments(lambda: [*self.groups, (tag, routes)])

    def openapi(self) -> dict[str, Any]:
        if self._openapi is None:
            with self._lock:
                if self._openapi is None:
                    from chalicelib.http.openapi import openapi_document

                    self._openapi = openapi_document(self.groups)
        return self._openapi


routes = Routes(__name__, ApiDocuments)


@routes.route("/openapi.json", methods=["GET"], public=True, response=dict[str, Any])
def openapi(call: Call[ApiDocuments]) -> dict[str, Any]:
    """This API's OpenAPI 3.1 document: every operation, its parameters, bodies, answers and roles."""
    return call.services.openapi()
