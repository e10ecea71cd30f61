"""The deployed site's CloudFront function (`infra/site.py`'s `INDEX_FUNCTION`, viewer request)
serves a folder's `index.html` from S3, which has no index documents, as the local stack does; it
runs here in Chromium's JavaScript engine, since CloudFront's is plain JavaScript too."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from infra.site import INDEX_FUNCTION


@pytest.mark.parametrize(("uri", "answer"), [
    ("/terminals/merchant/", {"uri": "/terminals/merchant/index.html"}),
    ("/terminals/", {"uri": "/terminals/index.html"}),
    ("/terminals/shared/ontime.js", {"uri": "/terminals/shared/ontime.js"}),
    ("/terminals/signed-in.html", {"uri": "/terminals/signed-in.html"}),
    ("/terminals/merchant", {"statusCode": 301, "location": "/terminals/merchant/"}),
    ("/", {"statusCode": 302, "location": "/terminals/"}),
])
def test_a_folder_is_served_its_index_page_and_a_folder_without_its_slash_is_sent_to_it(
        browser: Browser, uri: str, answer: dict[str, Any]) -> None:
    page = browser.new_page()
    try:
        result = page.evaluate("""([code, uri]) => {
            const handler = new Function(code + "; return handler;")();
            const out = handler({ request: { uri, method: "GET", headers: {}, querystring: {} } });
            return out.statusCode ? { statusCode: out.statusCode, location: out.headers.location.value }
                                  : { uri: out.uri };
        }""", [INDEX_FUNCTION, uri])
        assert result == answer
    finally:
        page.close()
