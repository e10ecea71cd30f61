"""What the merchants' menu catalogue contributes: its service (provided to orders as `menus`),
its routes, its two tables and its demo merchant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.catalogue.seed import seed
from chalicelib.catalogue.settings import CatalogueSettings
from chalicelib.catalogue.tables import MerchantModel, ProductModel
from chalicelib.contribution import READ, WRITE, AccessPattern, Contribution, Function, Grant, Platform, Table, Wired

if TYPE_CHECKING:
    from chalicelib.catalogue.service import CatalogueService
    from chalicelib.http.routing import Routes


def build(platform: Platform) -> Wired[CatalogueService]:
    from chalicelib.catalogue.ports import CatalogueStore
    from chalicelib.catalogue.service import CatalogueService
    from chalicelib.catalogue.store import DynamoCatalogueStore

    service = CatalogueService(platform.port(CatalogueStore, DynamoCatalogueStore), platform.clock,
                               CatalogueSettings.of(platform.settings))
    return Wired(service, provides={"menus": service})


def routes() -> tuple[Routes[Any], ...]:
    from chalicelib.catalogue import routes

    return (routes.routes,)


CATALOGUE = Contribution(
    name="catalogue",
    summary="the merchants' menus: merchants (business hours, answer window, pause) and their products",
    build=build,
    load_routes=routes,
    settings=CatalogueSettings.of,
    tables=(
        Table(MerchantModel, (Grant((Function.API,), (*READ, *WRITE)),), (
            AccessPattern("merchant profile (placement, catalogue)", "`ontime-merchants`", "`merchant_id = :m`"),)),
        Table(ProductModel, (Grant((Function.API,), (*READ, *WRITE)),), (
            AccessPattern("products of an order", "`ontime-products`", "`BatchGetItem (merchant_id, product_id)`",
                          "the menu: `Query merchant_id = :m`"),)),
    ),
    seed=seed,
)
