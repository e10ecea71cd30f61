"""Group-buy deals and shop settings: ops or a shop's merchant create and change them; everyone
signed in browses the deals on sale and reads a deal or a shop's settings (see `deals.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.groupbuy.deal_views import deal_body, deal_view, shop_settings_view
from chalicelib.groupbuy.service import GroupBuyServices
from chalicelib.http.lists import list_body
from chalicelib.http.routing import ANY_ROLE, Call, Query, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.groupbuy import deal_view_models, schemas_deals
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    deal_view_models = models_module("chalicelib.groupbuy.deal_view_models")
    schemas_deals = models_module("chalicelib.groupbuy.schemas_deals")

routes = Routes(__name__, GroupBuyServices)
GroupBuy = Call[GroupBuyServices]


# ── deals ───────────────────────────────────────────────────────────────────────────────────

@routes.route("/deals", methods=["POST"], roles=(Role.MERCHANT, Role.OPS), status=201,
              body=lambda: schemas_deals.DealIn, response=lambda: deal_view_models.DealBody, idempotent=True)
def create_deal(call: GroupBuy) -> dict[str, Any]:
    """Ops create a deal for any shop, a merchant for its own (price in the shop's currency)."""
    listing = call.services.deals.create_deal(call.principal, call.body(schemas_deals.DealIn))
    return deal_body(listing, call.now)


@routes.route("/deals", methods=["GET"], roles=ANY_ROLE,
              response=lambda: responses.TimedPage[deal_view_models.DealView],
              query={"shop_id": Query("only this shop's deals")})
def browse_deals(call: GroupBuy) -> dict[str, Any]:
    """The deals on sale now, newest first (of one shop, with `shop_id`)."""
    page = call.services.deals.browse(*call.page(), shop_id=call.query("shop_id"))
    now = call.now
    return list_body(page, lambda listing: deal_view(listing, now), now)


@routes.route("/deals/{deal_id}", methods=["GET"], roles=ANY_ROLE, response=lambda: deal_view_models.DealBody)
def get_deal(call: GroupBuy, deal_id: str) -> dict[str, Any]:
    """A deal, on sale or not (`on_sale` says)."""
    return deal_body(call.services.deals.deal(deal_id), call.now)


@routes.route("/deals/{deal_id}", methods=["PATCH"], roles=(Role.MERCHANT, Role.OPS),
              body=lambda: schemas_deals.DealPatch, response=lambda: deal_view_models.DealBody)
def patch_deal(call: GroupBuy, deal_id: str) -> dict[str, Any]:
    """Change a deal (what is bought from now on; orders keep their price)."""
    body = call.body(schemas_deals.DealPatch)
    return deal_body(call.services.deals.patch_deal(call.principal, deal_id, body), call.now)


# ── shop settings ───────────────────────────────────────────────────────────────────────────

@routes.route("/shops/{shop_id}/group-buy-settings", methods=["GET"], roles=ANY_ROLE,
              response=lambda: deal_view_models.ShopSettingsView)
def get_shop_settings(call: GroupBuy, shop_id: str) -> dict[str, Any]:
    """A shop's meal slots and queue settings (the spec's defaults until it sets its own)."""
    return shop_settings_view(call.services.deals.shop_settings(shop_id))


@routes.route("/shops/{shop_id}/group-buy-settings", methods=["PUT"], roles=(Role.MERCHANT, Role.OPS),
              body=lambda: schemas_deals.ShopSettingsIn, response=lambda: deal_view_models.ShopSettingsView)
def put_shop_settings(call: GroupBuy, shop_id: str) -> dict[str, Any]:
    """Replace a shop's settings; omitted fields take the spec's defaults."""
    body = call.body(schemas_deals.ShopSettingsIn)
    return shop_settings_view(call.services.deals.put_shop_settings(call.principal, shop_id, body))
