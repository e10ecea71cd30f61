"""Group-buy's services, as its routes find them in the container."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.groupbuy.deals import DealCatalogue


@dataclass
class GroupBuyServices:
    deals: DealCatalogue
