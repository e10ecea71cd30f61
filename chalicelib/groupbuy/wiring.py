"""What group-buy vouchers (workflow 04) contribute: deals and the shops' group-buy settings (the
shops are the catalogue's merchants, read through `menus`), their routes, their two tables and
the demo deals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalicelib.contribution import READ, WRITE, AccessPattern, Contribution, Function, Grant, Platform, Table, Wired

if TYPE_CHECKING:
    from collections.abc import Iterable

    from chalicelib.contribution import SeedClient
    from chalicelib.groupbuy.service import GroupBuyServices
    from chalicelib.http.routing import Routes

API = Function.API


def build(platform: Platform) -> Wired[GroupBuyServices]:
    from chalicelib.groupbuy.deal import Merchants, MerchantShops
    from chalicelib.groupbuy.deal_ports import DealStore
    from chalicelib.groupbuy.deal_store import DynamoDealStore
    from chalicelib.groupbuy.deals import DealCatalogue
    from chalicelib.groupbuy.service import GroupBuyServices

    shops = MerchantShops(cast(Merchants, platform.need("menus")))
    deals = DealCatalogue(platform.port(DealStore, DynamoDealStore), shops, platform.clock)
    return Wired(GroupBuyServices(deals))


def routes() -> tuple[Routes[Any], ...]:
    from chalicelib.groupbuy import routes_deals

    return (routes_deals.routes,)


def tables() -> tuple[Table, ...]:
    from chalicelib.groupbuy.tables import DealModel, ShopSettingsModel

    return (
        Table(DealModel, (Grant((API,), (*READ, *WRITE), ("by_shop", "on_sale")),), (
            AccessPattern("deal by id (page, purchase, edit)", "`ontime-deals`", "`id = :id`",
                          "strongly consistent; every write conditioned on `version`"),
            AccessPattern("deals on sale, newest first (customers browse)", "`deals.on_sale`",
                          "`on_sale_partition = \"deals\"`, sort `created_at` desc",
                          "sparse: active deals only; the sale window as a filter; one partition suffices at "
                          "this scale (shard it before ≈ 3,000 reads/s)"),
            AccessPattern("a shop's deals, newest first (on sale: filtered)", "`deals.by_shop`",
                          "`shop_id = :m`, sort `created_at` desc"),
        )),
        Table(ShopSettingsModel, (Grant((API,), (*READ, *WRITE)),), (
            AccessPattern("a shop's group-buy settings (slots, queue estimate)", "`ontime-shop_settings`",
                          "`shop_id = :m`", "no item: the spec's defaults in the merchant's zone"),
        )),
    )


def seed(client: SeedClient) -> Iterable[str]:
    from chalicelib.groupbuy.seed import seed as demo_data

    return demo_data(client)


GROUPBUY = Contribution(
    name="groupbuy",
    summary="group-buy vouchers (workflow 04): deals of the catalogue's shops, booked slots, live queue updates",
    build=build,
    load_routes=routes,
    load_tables=tables,
    seed=seed,
    data_notes="creating or changing a deal = 1 read (the merchant, cached) + 1 conditional put; browsing = 1 "
               "query of the sparse `on_sale` index (or `by_shop`) + the page's merchants (cached).",
)
