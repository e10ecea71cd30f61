"""Group-buy deals and the shops' settings: ops or a shop's merchant create and change its deals and
settings; everyone signed in browses the deals on sale and reads any deal and any shop's settings;
the purchase reads a deal with its shop and settings (`for_purchase`).

Who may change what:

* **Ops** create deals for any shop and change any deal or shop's settings.
* **A merchant** creates deals for its own shop only (naming another shop is 403: shops are public,
  so this hides nothing); a deal or settings of another shop answer 404 to its writes, whether or
  not they exist, as the other packages answer another party's resources.
* Everyone else only reads.

A deal's price is in its shop's currency; a change applies to what is bought from then on (an order
keeps the price it was placed at).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import time
from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.core.clock import Clock
from chalicelib.core.contention import retry_contended
from chalicelib.core.errors import (
    AlreadyExists,
    AlreadyTaken,
    FieldError,
    Forbidden,
    MalformedRequest,
    NotFound,
    ValidationFailed,
)
from chalicelib.core.expiring import Expiring
from chalicelib.core.ids import is_id, new_id
from chalicelib.groupbuy.deal import (
    Deal,
    Shop,
    ShopDirectory,
    ShopSettings,
    deal_errors,
    default_settings,
    minutes_per_person_errors,
)
from chalicelib.groupbuy.ports import DealStore, ShopTerms
from chalicelib.groupbuy.slots import Meal, SlotSettings
from chalicelib.persistence.paging import Page

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from datetime import datetime

    from chalicelib.groupbuy.schemas_deals import DealIn, DealPatch, ShopSettingsIn

_SLOT_FIELDS = ("days", "lead_s", "interval_s", "capacity")


@dataclass(frozen=True)
class Listing:
    """A deal with the shop that serves it (its name for the customer's app)."""

    deal: Deal
    shop: Shop


@dataclass(frozen=True)
class Offer:
    """What buying a deal needs: the deal, its shop, and the shop's slot and queue settings."""

    deal: Deal
    shop: Shop
    settings: ShopSettings


def manages_shop(caller: Principal, shop_id: str) -> bool:
    """Ops, or the shop's merchant: who may change the shop's deals and settings."""
    return caller.acts_for_merchant(shop_id)


SHOP_TERMS_TTL_MS = 5_000
"""Every queue update and booking reads its shop's terms; a change through this container is seen
at once, through another within this (as the catalogue's merchants)."""


class DealCatalogue:
    def __init__(self, store: DealStore, shops: ShopDirectory, clock: Clock) -> None:
        self.store = store
        self._shops = shops
        self._clock = clock
        self._terms: Expiring[str, ShopTerms] = Expiring(clock, SHOP_TERMS_TTL_MS)
        self._terms_lock = threading.Lock()

    # ── deals ───────────────────────────────────────────────────────────────────────────────

    def create_deal(self, caller: Principal, body: DealIn) -> Listing:
        caller.require(Role.MERCHANT, Role.OPS)
        shop_id = body.shop_id or (caller.merchant_id if caller.role is Role.MERCHANT else None)
        if shop_id is None:
            raise ValidationFailed("a deal names its shop", [FieldError("shop_id", "required (ops create deals for "
                                                                                   "any shop)")])
        if not manages_shop(caller, shop_id):
            raise Forbidden("a merchant creates deals for its own shop only", shop_id=shop_id)
        shop = self._shops.shop(shop_id)
        if shop is None:
            raise ValidationFailed("no such shop", [FieldError("shop_id", f"{shop_id} is not a merchant")])
        now = self._clock.now_ms()
        deal = Deal(
            id=body.deal_id or new_id("deal"), shop_id=shop_id, title=body.title, description=body.description,
            price=body.price.amount, currency=body.price.currency,
            original_price=None if body.original_price is None else body.original_price.amount,
            valid_from=now if body.valid_from is None else _ms(body.valid_from), valid_until=_ms(body.valid_until),
            vouchers_expire_at=None if body.vouchers_expire_at is None else _ms(body.vouchers_expire_at),
            max_per_order=body.max_per_order, active=body.active, created_at=now, updated_at=now)
        errors = deal_errors(deal, shop, now, creating=True)
        if body.original_price is not None and body.original_price.currency != shop.currency:
            errors.append(FieldError("original_price.currency", f"must be {shop.currency}, the shop's currency"))
        if errors:
            raise ValidationFailed("the deal is not valid", errors)
        try:
            return Listing(self.store.create(deal), shop)
        except AlreadyExists:
            raise AlreadyTaken(f"deal {deal.id} already exists", deal_id=deal.id) from None

    def patch_deal(self, caller: Principal, deal_id: str, patch: DealPatch) -> Listing:
        """The given fields, re-applied to the winner's version when another change came first."""
        caller.require(Role.MERCHANT, Role.OPS)
        changes = _deal_changes(patch)
        shop: Shop | None = None

        def attempt() -> Deal:
            nonlocal shop
            current = self.store.get(deal_id)
            if current is None or not manages_shop(caller, current.shop_id):
                raise NotFound(f"deal {deal_id} not found")
            shop = self._shop_of(current.shop_id)
            now = self._clock.now_ms()
            changed = replace(current, **changes, updated_at=now)
            errors = deal_errors(changed, shop, now, creating=False)
            if patch.original_price is not None and patch.original_price.currency != shop.currency:
                errors.append(FieldError("original_price.currency", f"must be {shop.currency}, the shop's currency"))
            if errors:
                raise ValidationFailed("the deal is not valid", errors)
            return self.store.save(changed) if changes else current

        saved = retry_contended(attempt, sleep_ms=self._clock.sleep_ms)
        assert shop is not None
        return Listing(saved, shop)

    def deal(self, deal_id: str) -> Listing:
        """Any deal, on sale or not, for anyone signed in (its view says whether it is on sale)."""
        found = self.store.get(deal_id)
        if found is None:
            raise NotFound(f"deal {deal_id} not found")
        return Listing(found, self._shop_of(found.shop_id))

    def browse(self, limit: int, token: str | None, shop_id: str | None = None) -> Page[Listing]:
        """The deals on sale now, newest first (of one shop, with `shop_id`)."""
        if shop_id is not None and not is_id(shop_id):  # names no shop; DynamoDB would refuse it as a key
            raise MalformedRequest("shop_id is not an id", [FieldError("shop_id", "not a shop id")])
        now = self._clock.now_ms()
        page = (self.store.on_sale(now, limit, token) if shop_id is None
                else self.store.of_shop(shop_id, limit, token, on_sale_at=now))
        shops: dict[str, Shop] = {}
        for found in page.items:
            if found.shop_id not in shops:
                shops[found.shop_id] = self._shop_of(found.shop_id)
        return Page([Listing(found, shops[found.shop_id]) for found in page.items], page.next_token)

    # ── shop settings ───────────────────────────────────────────────────────────────────────

    def shop_settings(self, shop_id: str) -> ShopSettings:
        """The shop's settings, or the spec's defaults in its zone (404: no such shop)."""
        shop = self._shops.shop(shop_id)
        if shop is None:
            raise NotFound(f"shop {shop_id} not found")
        return self._settings_of(shop)

    def put_shop_settings(self, caller: Principal, shop_id: str, body: ShopSettingsIn) -> ShopSettings:
        """Replace the shop's settings (omitted fields: the spec's defaults). Bookings already made
        keep their slots; what is offered from now on follows these."""
        caller.require(Role.MERCHANT, Role.OPS)
        shop = self._shops.shop(shop_id) if manages_shop(caller, shop_id) else None
        if shop is None:
            raise NotFound(f"shop {shop_id} not found")
        slots = _slot_settings(body, shop)

        def attempt() -> ShopSettings:
            current = self._settings_of(shop)
            wanted = ShopSettings(shop_id, slots, body.minutes_per_person_default,
                                  zone_overridden=body.time_zone is not None, updated_at=self._clock.now_ms(),
                                  version=current.version)
            return self.store.put_settings(wanted)

        saved = retry_contended(attempt, sleep_ms=self._clock.sleep_ms)
        with self._terms_lock:
            self._terms.forget(lambda key: key == shop_id)
        return saved

    # ── what the purchase reads ─────────────────────────────────────────────────────────────

    def offer(self, deal_id: str) -> Offer:
        """A deal with its shop and the shop's settings, on sale or not (404: no such deal)."""
        listing = self.deal(deal_id)
        return Offer(listing.deal, listing.shop, self._settings_of(listing.shop))

    def for_purchase(self, deal_id: str) -> Offer:
        """`offer`, if the deal is on sale now; else a 422 naming `deal_id`."""
        offer = self.offer(deal_id)
        if not offer.deal.on_sale_at(self._clock.now_ms()):
            raise ValidationFailed("the deal is not on sale", [FieldError("deal_id", "not on sale now")])
        return offer

    def shop_terms(self, shop_id: str) -> ShopTerms:
        """A shop's name and its slot and queue-estimate settings (what bookings, queue updates and
        videos read), remembered for `SHOP_TERMS_TTL_MS`."""
        with self._terms_lock:
            known, terms = self._terms.get(shop_id)
        if known and terms is not None:
            return terms
        shop = self._shop_of(shop_id)
        settings = self._settings_of(shop)
        terms = ShopTerms(shop.shop_id, shop.name, settings.slots, settings.estimate)
        with self._terms_lock:
            self._terms.put(shop_id, terms)
        return terms

    # ── helpers ─────────────────────────────────────────────────────────────────────────────

    def _shop_of(self, shop_id: str) -> Shop:
        """The shop of a stored deal (merchants are never deleted; should one be, its id stands in)."""
        return self._shops.shop(shop_id) or Shop(shop_id, shop_id, "UTC", "")

    def _settings_of(self, shop: Shop) -> ShopSettings:
        return self.store.get_settings(shop.shop_id, shop.time_zone) or default_settings(shop)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _deal_changes(patch: DealPatch) -> dict[str, Any]:
    given = patch.model_dump(exclude_unset=True)
    cleared = [FieldError(name, "cannot be null") for name in ("title", "price", "valid_from", "valid_until",
                                                               "max_per_order", "active")
               if name in given and given[name] is None]
    if cleared:
        raise ValidationFailed("a field cannot be cleared", cleared)
    changes: dict[str, Any] = {}
    for name in ("title", "description", "max_per_order", "active"):
        if name in given:
            changes[name] = given[name]
    for name in ("valid_from", "valid_until", "vouchers_expire_at"):
        if name in given:
            moment = getattr(patch, name)
            changes[name] = None if moment is None else _ms(moment)
    if patch.price is not None:
        changes["price"], changes["currency"] = patch.price.amount, patch.price.currency
    if "original_price" in given:
        changes["original_price"] = None if patch.original_price is None else patch.original_price.amount
    return changes


def _slot_settings(body: ShopSettingsIn, shop: Shop) -> SlotSettings:
    """The body's slot settings; every rule `SlotSettings` enforces becomes a 422 naming its field."""
    errors: list[FieldError] = []
    zone = body.time_zone or shop.time_zone
    try:
        SlotSettings(zone=zone)
    except ValueError as exc:
        errors.append(FieldError("time_zone", str(exc)))
        zone = "UTC"  # to check the rest all the same: every offending field in one answer
    meals = tuple(Meal(m.name, time.fromisoformat(m.start), time.fromisoformat(m.end)) for m in body.meals)
    slots: SlotSettings | None = None
    try:
        slots = SlotSettings(zone=zone, meals=meals, days=body.days, lead_s=body.lead_s,
                             interval_s=body.interval_s, capacity=body.capacity)
    except ValueError as exc:
        message = str(exc)
        errors.append(FieldError(next((f for f in _SLOT_FIELDS if message.startswith(f)), "meals"), message))
    errors += minutes_per_person_errors(body.minutes_per_person_default)
    if errors or slots is None:
        raise ValidationFailed("the group-buy settings are not valid", errors)
    return slots

