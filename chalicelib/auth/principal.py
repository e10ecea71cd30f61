"""Who is calling: the verified claims of a bearer token, reduced to what scoping needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.core.errors import Forbidden, Unauthenticated
from chalicelib.push.party import Party


class Role(StrEnum):
    CUSTOMER = "customer"
    MERCHANT = "merchant"
    INSTALLER = "installer"
    SUPPLIER = "supplier"
    CARRIER = "carrier"
    OPS = "ops"


@dataclass(frozen=True)
class Principal:
    sub: str
    role: Role
    merchant_id: str | None = None
    supplier_id: str | None = None

    @property
    def party(self) -> Party:
        """The party whose terminals this caller's connections belong to."""
        match self.role:
            case Role.MERCHANT:
                return Party("merchant", str(self.merchant_id))
            case Role.SUPPLIER:
                return Party("supplier", str(self.supplier_id))
            case Role.OPS:
                return Party("ops", "all")
        return Party(self.role.value, self.sub)

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(r.value for r in roles)}", role=self.role.value)

    def acts_for_merchant(self, merchant_id: str) -> bool:
        return self.role is Role.OPS or (self.role is Role.MERCHANT and self.merchant_id == merchant_id)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Plain claims (`role`, `merchant_id`) or Cognito's (`cognito:groups`, `custom:merchant_id`)."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthenticated("token has no subject")
    role_claim = claims.get("role")
    candidates = [role_claim] if role_claim else list(claims.get("cognito:groups") or [])
    role = next((Role(c) for c in candidates if c in Role.__members__.values()), None)
    if role is None:
        raise Unauthenticated("token carries no known role")
    merchant_id = claims.get("merchant_id") or claims.get("custom:merchant_id")
    supplier_id = claims.get("supplier_id") or claims.get("custom:supplier_id")
    if role is Role.MERCHANT and not merchant_id:
        raise Unauthenticated("a merchant token must name its merchant_id")
    if role is Role.SUPPLIER and not supplier_id:
        raise Unauthenticated("a supplier token must name its supplier_id")
    return Principal(sub=sub, role=role, merchant_id=merchant_id, supplier_id=supplier_id)
