"""Which origins a stage allows, written as browsers send them, and the CORS headers each answer
gets: an allowed origin is echoed (never `*`), any other gets none."""

from __future__ import annotations

import pytest

from chalicelib.http.cors import cors_headers, is_preflight, options_view, with_vary_origin
from chalicelib.settings import BadSetting, Settings, origins

ALLOWED = ("https://console.example.com", "http://127.0.0.1:8000")


def test_configured_origins_are_written_as_a_browser_sends_them() -> None:
    listed = " HTTPS://Console.Example.com:443/ ,http://127.0.0.1:8000,http://localhost:80,https://a.example:8443,"
    assert origins(listed) == ("https://console.example.com", "http://127.0.0.1:8000", "http://localhost",
                               "https://a.example:8443")


def test_a_stage_allows_no_origin_unless_told() -> None:
    assert Settings.from_env({"ONTIME_STAGE": "prod"}).cors_origins == ()
    assert Settings.from_env({"ONTIME_STAGE": "prod", "ONTIME_CORS_ORIGINS": "https://a.example"}).cors_origins == (
        "https://a.example",)


@pytest.mark.parametrize("listed", ["*", "https://*.example.com", "https://a.example/app", "a.example",
                                    "ftp://a.example", "https://a.example?x=1", "https://a b.example"])
def test_an_origin_that_is_not_one_refuses_to_start(listed: str) -> None:
    with pytest.raises(BadSetting, match="ONTIME_CORS_ORIGINS"):
        Settings.from_env({"ONTIME_STAGE": "prod", "ONTIME_CORS_ORIGINS": listed})


def test_an_allowed_origin_is_echoed_with_the_headers_a_page_may_read() -> None:
    assert cors_headers("http://127.0.0.1:8000", ALLOWED, preflight=False, allow=None) == {
        "Access-Control-Allow-Origin": "http://127.0.0.1:8000",
        "Access-Control-Expose-Headers": "X-Request-Id, Idempotent-Replayed, Retry-After, Location"}


def test_a_preflight_from_an_allowed_origin_gets_the_methods_and_headers() -> None:
    headers = cors_headers("https://console.example.com", ALLOWED, preflight=True, allow="GET, POST, OPTIONS")
    assert headers == {"Access-Control-Allow-Origin": "https://console.example.com",
                       "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                       "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, X-Request-Id",
                       "Access-Control-Max-Age": "600"}


@pytest.mark.parametrize("origin", [None, "null", "https://evil.example", "https://CONSOLE.example.com",
                                    "https://console.example.com.evil.example", "http://127.0.0.1:8001"])
def test_any_other_origin_gets_no_cors_headers(origin: str | None) -> None:
    assert cors_headers(origin, ALLOWED, preflight=True, allow="GET") == {}
    assert cors_headers(origin, ALLOWED, preflight=False, allow=None) == {}


def test_only_an_options_request_asking_for_a_method_is_a_preflight() -> None:
    assert is_preflight("OPTIONS", {"access-control-request-method": "POST"})
    assert not is_preflight("OPTIONS", {})
    assert not is_preflight("POST", {"access-control-request-method": "POST"})


def test_a_paths_options_answer_names_its_methods_once() -> None:
    answer = options_view("options /orders", ["GET", "POST", "GET"])()
    assert (answer.status_code, answer.headers) == (204, {"Allow": "GET, POST, OPTIONS"})


@pytest.mark.parametrize(("headers", "vary"), [
    ({}, "Origin"), ({"Vary": "Accept"}, "Accept, Origin"), ({"vary": "origin"}, "origin"),
    ({"Vary": ["Accept", "Accept-Language"]}, "Accept, Accept-Language, Origin"),
])
def test_every_answer_varies_by_origin(headers: dict[str, str | list[str]], vary: str) -> None:
    merged = with_vary_origin(headers)
    assert [v for k, v in merged.items() if k.lower() == "vary"] == [vary]


def test_api_gateway_hands_every_preflight_to_the_function_not_to_a_mock() -> None:
    """What `chalice package` puts in API Gateway: an `OPTIONS` method on every path, integrated with
    the REST function like the path's other methods (Chalice's own CORS would be a fixed mock)."""
    from chalice.deploy.swagger import CFNSwaggerGenerator

    from app import app

    paths = CFNSwaggerGenerator().generate_swagger(app)["paths"]
    assert set(paths) == set(app.routes)
    for path, methods in paths.items():
        options = methods["options"]["x-amazon-apigateway-integration"]
        assert options["type"] == "aws_proxy", path
        assert options["uri"] == methods[next(m for m in methods if m != "options")][
            "x-amazon-apigateway-integration"]["uri"], path
        assert "security" not in methods["options"], path  # a preflight carries no token


def test_the_local_stack_allows_its_own_pages_by_address_and_by_name_and_what_a_developer_adds() -> None:
    from devstack.stack import local_origins

    listed = origins(local_origins("127.0.0.1", (8000, 8001), "https://my-terminal.test"))
    assert listed == ("http://127.0.0.1:8000", "http://localhost:8000", "http://127.0.0.1:8001",
                      "http://localhost:8001", "https://my-terminal.test")
    assert "http://192.168.1.5:8000" in origins(local_origins("192.168.1.5", (8000,)))
    assert "http://0.0.0.0:8000" not in origins(local_origins("0.0.0.0", (8000,)))  # no browser sends that
