"""The one list of workflow packages. A new workflow is a folder under `chalicelib/` and one line
here; order matters only for `need`s (a package comes after the packages it needs)."""

from __future__ import annotations

from chalicelib.calls.wiring import CALLS
from chalicelib.catalogue.wiring import CATALOGUE
from chalicelib.checkout.wiring import CHECKOUT
from chalicelib.contribution import Contribution
from chalicelib.dispatch.wiring import DISPATCH
from chalicelib.groupbuy.wiring import GROUPBUY
from chalicelib.orders.wiring import ORDERS

WORKFLOWS: tuple[Contribution, ...] = (
    CATALOGUE,
    ORDERS,
    DISPATCH,
    CHECKOUT,
    GROUPBUY,
    CALLS,
)
