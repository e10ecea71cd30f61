"""RFC 9457 problem bodies: one shape for our errors and for the ones Chalice makes itself."""

from __future__ import annotations

import json

from chalice.app import Response

from chalicelib.core.errors import (
    FieldError,
    Forbidden,
    IdempotencyKeyReused,
    MalformedRequest,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
    ValidationFailed,
    WindowClosed,
)
from chalicelib.http.problems import PROBLEM_JSON, from_domain_error, problem_body, rewrite_framework_error


def body_of(response: Response) -> dict[str, object]:
    assert isinstance(response.body, str)
    parsed: dict[str, object] = json.loads(response.body)
    return parsed


def test_a_domain_error_becomes_a_problem_with_its_type_title_status_detail_and_instance() -> None:
    error = WindowClosed("the answer window closed", current_status="unanswered", action="accept")
    response = from_domain_error(error, "/merchant/orders/ord_1/actions")
    assert response.status_code == 409 and response.headers["Content-Type"] == PROBLEM_JSON
    assert body_of(response) == {
        "type": "/problems/window-closed", "title": "Window closed", "status": 409,
        "detail": "the answer window closed", "instance": "/merchant/orders/ord_1/actions",
        "current_status": "unanswered", "action": "accept",
    }


def test_validation_problems_list_every_field() -> None:
    error = ValidationFailed("no", [FieldError("merchant_id", "store is paused"), FieldError("items[0].quantity", "x")])
    body = body_of(from_domain_error(error, None))
    assert body["status"] == 422 and "instance" not in body
    assert body["errors"] == [{"field": "merchant_id", "message": "store is paused"},
                              {"field": "items[0].quantity", "message": "x"}]


def test_a_malformed_request_lists_its_fields_too() -> None:
    body = body_of(from_domain_error(MalformedRequest("bad", [FieldError("body", "not valid JSON")]), "/orders"))
    assert (body["type"], body["status"], body["errors"]) == (
        "/problems/malformed-request", 400, [{"field": "body", "message": "not valid JSON"}])


def test_a_problem_echoing_text_that_is_not_unicode_still_encodes_as_utf8() -> None:
    error = MalformedRequest("bad", [FieldError("\ud800", "extra inputs are not permitted")])
    response = from_domain_error(error, "/orders/\udc00")
    assert isinstance(response.body, str) and response.body.encode("utf-8")
    assert body_of(response)["errors"] == [{"field": "\ud800", "message": "extra inputs are not permitted"}]


def test_a_problem_keeps_other_text_as_it_is() -> None:
    response = from_domain_error(NotFound("没有这个订单"), "/orders/茶")
    assert "没有这个订单" in response.body and "/orders/茶" in response.body


def test_an_unauthenticated_problem_asks_for_a_bearer_token() -> None:
    response = from_domain_error(Unauthenticated("send a token"), "/orders")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


def test_each_error_has_its_own_status_and_type() -> None:
    cases = [(Forbidden("x"), 403, "forbidden"), (NotFound("x"), 404, "not-found"),
             (PayloadTooLarge("x"), 413, "payload-too-large"),
             (IdempotencyKeyReused("x"), 422, "idempotency-key-reused")]
    for error, status, slug in cases:
        body = body_of(from_domain_error(error, None))
        assert (body["status"], body["type"]) == (status, f"/problems/{slug}")
        assert "WWW-Authenticate" not in from_domain_error(error, None).headers


def test_extensions_never_overwrite_the_standard_members() -> None:
    body = problem_body(404, "not-found", "Not found", "missing", "/x",
                        {"type": "evil", "status": 500, "detail": "spoofed", "extra": "kept", "gone": None})
    assert (body["status"], body["type"], body["detail"], body["extra"]) == (404, "/problems/not-found", "missing",
                                                                             "kept")
    assert "gone" not in body


def test_extensions_named_like_a_standard_member_never_replace_it_in_a_body() -> None:
    body = problem_body(404, "not-found", "Not found", "missing", "/x", {"status": "shadow", "title": "shadow"})
    assert (body["status"], body["title"]) == (404, "Not found")


def test_chalices_own_errors_are_rewritten_to_problems() -> None:
    chalice_415 = Response(body={"Code": "UnsupportedMediaType", "Message": "Unsupported media type: text/plain"},
                           status_code=415)
    response = rewrite_framework_error(chalice_415, "/orders")
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert body_of(response) == {"type": "/problems/unsupported-media-type", "title": "Unsupported media type",
                                 "status": 415, "detail": "Unsupported media type: text/plain", "instance": "/orders"}


def test_a_framework_405_keeps_its_allow_header() -> None:
    response = rewrite_framework_error(
        Response(body={"Code": "MethodNotAllowedError", "Message": "nope"}, status_code=405, headers={"Allow": "GET"}),
        "/health")
    assert response.status_code == 405 and response.headers["Allow"] == "GET"


def test_a_framework_500_hides_its_message() -> None:
    response = rewrite_framework_error(
        Response(body={"Code": "InternalServerError", "Message": "Traceback secret"}, status_code=500), None)
    assert "secret" not in json.dumps(body_of(response)) and body_of(response)["type"] == "/problems/internal"


def test_successful_and_already_problem_responses_pass_through() -> None:
    ok = Response(body={"Code": "looks like an error but is a 200"}, status_code=200)
    assert rewrite_framework_error(ok, None) is ok
    ours = from_domain_error(NotFound("x"), None)
    assert rewrite_framework_error(ours, None) is ours


def test_an_extension_named_like_a_member_of_every_problem_body_is_refused_where_it_is_raised() -> None:
    import pytest

    from chalicelib.core.errors import InvalidTransition

    # `status=` once meant the entity's status and was silently dropped from the body (the body's
    # own `status` is the HTTP code): such a call now fails where it is written, in any test.
    with pytest.raises(TypeError, match="status"):
        InvalidTransition("the voucher is used", status="used")
    assert InvalidTransition("the voucher is used", current_status="used").extensions == {"current_status": "used"}
