"""What the merchants' menu catalogue contributes: its service (provided to orders as `menus`),
its routes, its two tables and its demo merchant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.contribution import READ, WRITE, AccessPattern, Contribution, Function, Grant, Platform, Table, Wired

if TYPE_CHECKING:
    from collections.abc import Iterable

    from chalicelib.catalogue.service import CatalogueService
    from chalicelib.contribution import SeedClient
    from chalicelib.http.routing import Routes
    from chalicelib.settings import Settings


def build(platform: Platform) -> Wired[CatalogueService]:
    from chalicelib.catalogue.ports import CatalogueStore
    from chalicelib.catalogue.service import CatalogueService
    from chalicelib.catalogue.settings import CatalogueSettings
    from chalicelib.catalogue.store import DynamoCatalogueStore

    service = CatalogueService(platform.port(CatalogueStore, DynamoCatalogueStore), platform.clock,
                               CatalogueSettings.of(platform.settings))
    return Wired(service, provides={"menus": service})


def routes() -> tuple[Routes[Any], ...]:
    from chalicelib.catalogue import routes

    return (routes.routes,)


def tables() -> tuple[Table, ...]:
    from chalicelib.catalogue.tables import MerchantModel, ProductModel

    return (
        # The alarm consumer reads the profile too: the packages it is provided to as `menus` (group-buy's
        # queue updates and no-show slot lists) need the shop's name and time zone there.
        Table(MerchantModel, (Grant((Function.API,), (*READ, *WRITE), ("directory",)),
                              Grant((Function.FIRE_ALARMS,), READ)), (
            AccessPattern("merchant profile (placement, catalogue; group-buy's alarms)", "`ontime-merchants`",
                          "`merchant_id = :m`"),
            AccessPattern("the merchants customers order from, by name", "`merchants.directory`",
                          "`directory_partition = \"merchants\"`, sort `name`",
                          "sparse: verified merchants only; one partition suffices at this scale (shard it "
                          "before ≈ 3,000 reads/s)"),
        )),
        Table(ProductModel, (Grant((Function.API,), (*READ, *WRITE)),), (
            AccessPattern("products of an order", "`ontime-products`", "`BatchGetItem (merchant_id, product_id)`",
                          "the menu: `Query merchant_id = :m`"),)),
    )


def settings(config: Settings) -> object:
    from chalicelib.catalogue.settings import CatalogueSettings

    return CatalogueSettings.of(config)


def seed(client: SeedClient) -> Iterable[str]:
    from chalicelib.catalogue.seed import seed as demo_data

    return demo_data(client)


CATALOGUE = Contribution(
    name="catalogue",
    summary="the merchants' menus: merchants (business hours, answer window, pause) and their products",
    build=build,
    load_routes=routes,
    settings=settings,
    load_tables=tables,
    seed=seed,
)
