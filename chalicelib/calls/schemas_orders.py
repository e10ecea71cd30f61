"""Request bodies of the orders a merchant drafts in a call (spec 05), as strict as the rest. What
JSON types can say is checked here (400, every bad field listed); what needs the merchant (its
currency) or the clock (a time within a year) is checked by `CallOrderService` (422)."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from chalicelib.http.fields import Instant, MoneyIn, Strict, example

MAX_CONTENT = 2000
MAX_ADDRESS = 500
MAX_NOTE = 500
MAX_PRICE = 10_000_000
"""At most 100,000.00 of a two-decimal currency for one order taken over a call."""
_LINE_BREAKS = frozenset("\t\n\r")


def _no_control_characters(text: str) -> str:
    # A NUL or an escape sequence in an order's text would reach the customer's screen and the
    # merchant's receipt printer as it is; line breaks and tabs are what people type.
    if any(unicodedata.category(c) == "Cc" and c not in _LINE_BREAKS for c in text):
        raise ValueError("must not contain control characters")
    return text


_NoControl = AfterValidator(_no_control_characters)
Content = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CONTENT), _NoControl]
"""What is sold, as agreed in the call."""
AddressText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ADDRESS),
                        _NoControl]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE), _NoControl]


class OrderPriceIn(MoneyIn):
    """The merchant's price: 1 … 10,000,000 minor units, in the merchant's currency."""

    amount: Annotated[int, Field(ge=1, le=MAX_PRICE)]


class CallOrderIn(Strict):
    model_config = example(
        {"content": "2 kg of Fuji apples", "price": {"amount": 1250, "currency": "CNY"},
         "address": "88 Century Avenue, Pudong, Shanghai",
         "note": "Leave at the front desk"},
        {"price": {"amount": 3900, "currency": "CNY"}})

    content: Content | None = None
    """Omitted: the customer's details (`content`); an order needs one or the other."""
    price: OrderPriceIn
    """The merchant's (the price the customer typed is only a proposal)."""
    time: Instant | None = None
    """When to deliver or serve, within a year. Omitted: the customer's details, if they typed an ISO
    8601 time."""
    address: AddressText | None = None
    """Omitted: the customer's details."""
    note: NoteText | None = None


class CallOrderPatch(Strict):
    """Any of the draft's fields; an omitted one is unchanged, a null `time`, `address` or `note`
    clears it (`content` and `price` cannot be cleared)."""

    model_config = example({"price": {"amount": 1100, "currency": "CNY"}}, {"note": None, "content": "3 kg"})

    content: Content | None = None
    price: OrderPriceIn | None = None
    time: Instant | None = None
    address: AddressText | None = None
    note: NoteText | None = None

    @field_validator("content", "price")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:  # given as null (an omitted field is not validated)
            raise ValueError("cannot be cleared: give a value or omit it")
        return value
