"""HTTP middleware: the errors Chalice produces itself get our problem shape too."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.http.problems import rewrite_framework_error
from chalicelib.http.routing import instance_of


def problem_bodies_for_framework_errors(request: Request, get_response: Callable[[Request], Response]) -> Response:
    return rewrite_framework_error(get_response(request), instance_of(request))
