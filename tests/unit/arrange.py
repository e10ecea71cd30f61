"""What the services' unit tests set up, through the services themselves and with the bodies the
functional tests send (parsed by the routes' own schemas): a shop, a crew, a market."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from chalicelib.catalogue.schemas import MerchantIn, ProductIn
from chalicelib.checkout.schemas import PurchaseIn
from chalicelib.checkout.supplier_schemas import ProductIn as SupplierProductIn
from chalicelib.checkout.supplier_schemas import SavedAddressIn, SupplierIn
from chalicelib.dispatch.schemas import AreaIn, InstallationIn, InstallerIn
from chalicelib.http.fields import PointIn
from chalicelib.http.requests import parse
from chalicelib.orders.schemas import PlaceOrderIn
from tests.fakes.platform import FakeWorld, caller
from tests.functional.crew import AREA, Crew
from tests.functional.market import HOME, PRODUCTS, SUPPLIERS, Market
from tests.functional.shop import MENU, Shop

B = TypeVar("B", bound=BaseModel)

OPS = caller("ops", "ops-1")
CUSTOMER = caller("customer", "u1")
STAFF = caller("merchant", "staff-1", merchant_id="m1")


def body(schema: type[B], data: dict[str, Any] | None = None, /, **fields: Any) -> B:
    """A request body as its route parses it."""
    return parse(schema, {**(data or {}), **fields})


# ── the catalogue and orders (the functional tier's `Shop`) ──────────────────────────────────

def open_shop(world: FakeWorld, merchant_id: str = "m1", **fields: Any) -> None:
    world.catalogue.create_merchant(OPS, body(MerchantIn, merchant_id=merchant_id, name="Noodles",
                                              time_zone="Asia/Shanghai", **fields))
    for product in MENU:
        world.catalogue.add_product(OPS, merchant_id, body(ProductIn, product))


def an_order(**changes: Any) -> PlaceOrderIn:
    return body(PlaceOrderIn, Shop.order_body(**changes))


# ── installer dispatch (the functional tier's `Crew`) ────────────────────────────────────────

def open_area(world: FakeWorld, area_id: str = AREA, **fields: Any) -> None:
    world.dispatch.workforce.create_area(OPS, body(AreaIn, area_id=area_id, name=area_id.title(),
                                                   remind_after_s=600, revoke_after_s=1200, **fields))


def hire(world: FakeWorld, installer_id: str, at: tuple[float, float] | None = None,
         areas: tuple[str, ...] = (AREA,), **fields: Any) -> None:
    world.dispatch.workforce.create_installer(OPS, body(InstallerIn, installer_id=installer_id,
                                                        name=f"Installer {installer_id}", phone="+86 138 0000 0000",
                                                        areas=list(areas), **fields))
    if at is not None:
        world.dispatch.workforce.locate(caller("installer", installer_id), body(PointIn, lat=at[0], lng=at[1]))


def a_request(**changes: Any) -> InstallationIn:
    return body(InstallationIn, Crew.request_body(**changes))


# ── split orders (the functional tier's `Market`) ────────────────────────────────────────────

def open_market(world: FakeWorld) -> None:
    services = world.checkout
    for supplier_id, fields in SUPPLIERS.items():
        services.suppliers.create_supplier(OPS, body(SupplierIn, supplier_id=supplier_id, currency="CNY", **fields))
        for product in PRODUCTS[supplier_id]:
            product_body = body(SupplierProductIn, {k: v for k, v in product.items() if k != "product_id"})
            services.suppliers.put_product(OPS, supplier_id, product["product_id"], product_body)
    services.addresses.add(CUSTOMER, body(SavedAddressIn, label="Home", address=HOME, default=True))


def a_purchase(sections: list[dict[str, Any]] | None = None, **fields: Any) -> PurchaseIn:
    return body(PurchaseIn, sections=sections or Market.sections(), **fields)
