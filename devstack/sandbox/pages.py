"""The sandbox provider's pages on the local stack's REST front (`/sandbox/...`).

    GET  /sandbox/pay/{payment_id}                  the pay page: amount, reference, Pay / Decline
    POST /sandbox/pay/{payment_id}                  pay: form or JSON `outcome=succeeded|failed` (default succeeded)
         ?return_to=/path                           (either) the page paid from a form links back to this path
    POST /sandbox/payments/{payment_id}/redeliver   send the last callback again (a provider's retry)
    GET  /sandbox/payments/{payment_id}             the payment as the sandbox sees it (JSON)

Paying records the outcome, then POSTs the signed callback to the platform (in a worker thread:
the platform may be this very server) and answers what the platform said:
`{"payment_id", "outcome", "event_id", "callback_status"}`, or for a browser's form a short page.
A callback the platform answered with `Retry-After` (busy: a 503) also has `callback_retry_after`.
A callback that could not be delivered at all has `callback_status: null` and `callback_error`;
the outcome stays recorded and `redeliver` tries again.

A real provider's hosted page sends the customer back to a URL the shop named; the sandbox's takes
it as `return_to`, a path on this same server only (an app's page: never an open redirect), and
keeps it in the form's own URL so the page after paying can link back.
"""

from __future__ import annotations

import json
import logging
from html import escape
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from chalicelib.core import jsontext
from chalicelib.core.observability import log
from chalicelib.payments.port import PaymentOutcome, ProviderPayment
from devstack.rest import problem
from devstack.sandbox.provider import NoCallbackYet, SandboxProvider, SignedCallback, UnknownPayment, deliver

FORM = "application/x-www-form-urlencoded"
MAX_BODY_BYTES = 16 * 1024
_EXPONENTS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
                     "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
"""Minor-unit exponents (ISO 4217) that are not 2."""


def major_units(amount: int, currency: str) -> str:
    """`12345, "CNY"` → `"123.45 CNY"` (exact: integer arithmetic)."""
    exponent = _EXPONENTS.get(currency.upper(), 2)
    sign, amount = ("-" if amount < 0 else ""), abs(amount)
    if exponent == 0:
        return f"{sign}{amount} {currency}"
    whole, fraction = divmod(amount, 10 ** exponent)
    return f"{sign}{whole}.{fraction:0{exponent}d} {currency}"


def sandbox_routes(provider: SandboxProvider) -> list[BaseRoute]:
    async def pay_page(request: Request) -> Response:
        payment_id = request.path_params["payment_id"]
        payment = provider.payment(payment_id)
        if payment is None:
            return _unknown(payment_id, request.url.path)
        return HTMLResponse(_pay_page(payment, provider.description(payment_id), _return_to(request)))

    async def pay(request: Request) -> Response:
        payment_id = request.path_params["payment_id"]
        path = request.url.path
        try:
            outcome, from_form, amount = await _requested_outcome(request)
        except ValueError as exc:
            return problem(400, "bad-request", "Bad request", str(exc), path,
                           errors=[{"field": "body", "message": str(exc)}])
        try:
            callback = provider.pay(payment_id, outcome, amount)
        except UnknownPayment:
            return _unknown(payment_id, path)
        answer = await _delivered(provider, payment_id, callback)
        if from_form:
            return HTMLResponse(_paid_page(answer, _return_to(request)))
        return JSONResponse(answer)

    async def redeliver(request: Request) -> Response:
        payment_id = request.path_params["payment_id"]
        path = request.url.path
        try:
            callback = provider.redeliver(payment_id)
        except UnknownPayment:
            return _unknown(payment_id, path)
        except NoCallbackYet as exc:
            return problem(409, "no-callback-yet", "Nothing to redeliver", str(exc), path)
        return JSONResponse(await _delivered(provider, payment_id, callback))

    async def payment_view(request: Request) -> Response:
        payment_id = request.path_params["payment_id"]
        payment = provider.payment(payment_id)
        if payment is None:
            return _unknown(payment_id, request.url.path)
        return JSONResponse({
            "payment_id": payment.payment_id, "reference": payment.reference, "amount": payment.amount,
            "currency": payment.currency, "description": provider.description(payment_id),
            "outcome": payment.outcome.value, "at": payment.at, "last_event_id": provider.last_event_id(payment_id),
            "pay_url": provider.pay_url(payment_id),
        })

    return [
        Route("/sandbox/pay/{payment_id}", pay_page, methods=["GET"]),
        Route("/sandbox/pay/{payment_id}", pay, methods=["POST"]),
        Route("/sandbox/payments/{payment_id}/redeliver", redeliver, methods=["POST"]),
        Route("/sandbox/payments/{payment_id}", payment_view, methods=["GET"]),
    ]


async def _requested_outcome(request: Request) -> tuple[PaymentOutcome, bool, int | None]:
    """(the outcome asked for, whether it came from an HTML form, another amount to take — JSON
    `"amount"` only: a test's way to a payment that does not match its order)."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise ValueError(f"the body is larger than {MAX_BODY_BYTES} bytes")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw: Any = None
    amount: Any = None
    if content_type == FORM:
        raw = parse_qs(body.decode("utf-8", "replace")).get("outcome", [None])[-1]
    elif body.strip():
        try:
            data = jsontext.loads(body)
        except jsontext.UnreadableJson as exc:
            raise ValueError(f"the body is neither a form nor JSON we read: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError("the body is a JSON object: {\"outcome\": \"succeeded\" | \"failed\"}")
        raw = data.get("outcome")
        amount = data.get("amount")
    if amount is not None and (type(amount) is not int or amount < 0):
        raise ValueError(f"amount is a whole number of minor units, not {amount!r}")
    if raw is None:
        return PaymentOutcome.SUCCEEDED, content_type == FORM, amount
    if raw not in (PaymentOutcome.SUCCEEDED.value, PaymentOutcome.FAILED.value):
        raise ValueError(f"outcome is succeeded or failed, not {raw!r}")
    return PaymentOutcome(raw), content_type == FORM, amount


async def _delivered(provider: SandboxProvider, payment_id: str, callback: SignedCallback) -> dict[str, Any]:
    payment = provider.payment(payment_id)
    event: Any = json.loads(callback.body)
    answer: dict[str, Any] = {
        "payment_id": payment_id, "outcome": payment.outcome.value if payment else None,
        "event_id": event.get("event_id"), "callback_status": None,
    }
    try:
        answered = await run_in_threadpool(deliver, callback)
    except OSError as exc:  # the platform cannot be reached (URLError, timeout)
        log("sandbox.callback_undelivered", logging.WARNING, payment_id=payment_id, url=callback.url, error=str(exc))
        answer["callback_error"] = str(exc)
        return answer
    answer["callback_status"] = answered.status
    if answered.retry_after is not None:  # the platform was busy: a provider waits this long to retry
        answer["callback_retry_after"] = answered.retry_after
    return answer


def _return_to(request: Request) -> str | None:
    """The same-server path to link back to, or None (absent, or anything but a local path)."""
    target = request.query_params.get("return_to")
    # Browsers drop tabs and newlines from a URL and read `\` as `/`: "/\t/evil" would be "//evil".
    local = target is not None and target.startswith("/") and not target.startswith("//")
    if not local or any(c == "\\" or ord(c) < 0x21 for c in target or ""):
        return None
    return target


def _unknown(payment_id: str, path: str) -> Response:
    return problem(404, "not-found", "Not found", f"no sandbox payment {payment_id!r}", path)


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}"
          ".amount{font-size:2rem;font-weight:600}button{font-size:1rem;padding:.5rem 1.5rem;margin-right:.5rem}")


def _page(title: str, content: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}</style></head>'
            f"<body>{content}</body></html>")


def _back(return_to: str | None) -> str:
    return "" if return_to is None else f'<p><a href="{escape(return_to)}">Back to the shop</a></p>'


def _pay_page(payment: ProviderPayment, description: str, return_to: str | None = None) -> str:
    status = escape(payment.outcome.value)
    buttons = ("<p>Already paid.</p>" + _back(return_to) if payment.outcome is PaymentOutcome.SUCCEEDED else
               '<form method="post">'
               '<button type="submit" name="outcome" value="succeeded">Pay</button>'
               '<button type="submit" name="outcome" value="failed">Decline</button></form>')
    return _page("ontime sandbox payment", (
        "<h1>ontime sandbox payment</h1>"
        f'<p class="amount">{escape(major_units(payment.amount, payment.currency))}</p>'
        f"<p>{escape(description)}</p>"
        f"<p>Reference <code>{escape(payment.reference)}</code><br>"
        f"Payment <code>{escape(payment.payment_id)}</code> ({status})</p>{buttons}"))


def _paid_page(answer: dict[str, Any], return_to: str | None = None) -> str:
    paid = answer["outcome"] == PaymentOutcome.SUCCEEDED.value
    delivered = (f"the platform answered HTTP {answer['callback_status']}" if answer["callback_status"] is not None
                 else f"the callback could not be delivered: {answer.get('callback_error', '')}")
    return _page("ontime sandbox payment", (
        f"<h1>{'Paid' if paid else 'Declined'}</h1>"
        f"<p>Payment <code>{escape(str(answer['payment_id']))}</code>: {escape(str(answer['outcome']))}; "
        f"{escape(delivered)}.</p>{_back(return_to)}"))


__all__ = ["major_units", "sandbox_routes"]
