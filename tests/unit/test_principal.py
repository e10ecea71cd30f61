"""Who is calling: claims (plain or Cognito) → Principal, and what the principal may do."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.auth.principal import Principal, Role, principal_from_claims
from chalicelib.core.errors import Forbidden, Unauthenticated
from chalicelib.push.party import Party


def test_plain_claims_name_the_role_and_the_merchant() -> None:
    principal = principal_from_claims({"sub": "staff-1", "role": "merchant", "merchant_id": "m1"})
    assert principal == Principal(sub="staff-1", role=Role.MERCHANT, merchant_id="m1")


def test_cognito_claims_use_groups_and_custom_attributes() -> None:
    claims = {"sub": "abc", "cognito:groups": ["beta-testers", "merchant"], "custom:merchant_id": "m7"}
    assert principal_from_claims(claims) == Principal(sub="abc", role=Role.MERCHANT, merchant_id="m7")


def test_a_supplier_token_carries_its_supplier() -> None:
    principal = principal_from_claims({"sub": "s", "cognito:groups": ["supplier"], "custom:supplier_id": "sup1"})
    assert principal.supplier_id == "sup1" and principal.party == Party("supplier", "sup1")


@pytest.mark.parametrize("claims", [
    {"sub": "staff-1", "role": "merchant"},
    {"sub": "staff-1", "cognito:groups": ["merchant"]},
    {"sub": "staff-1", "role": "merchant", "merchant_id": ""},
])
def test_a_merchant_token_without_its_merchant_is_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(Unauthenticated, match="merchant_id"):
        principal_from_claims(claims)


@pytest.mark.parametrize("claims", [
    {"role": "customer"},
    {"sub": "", "role": "customer"},
    {"sub": 42, "role": "customer"},
    {"sub": "u1"},
    {"sub": "u1", "role": "admin"},
    {"sub": "u1", "cognito:groups": ["admins"]},
    {"sub": "u1", "role": ["ops"]},
    {"sub": "u1", "role": "supplier"},
])
def test_claims_without_a_subject_a_known_role_or_the_party_they_need_are_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(Unauthenticated):
        principal_from_claims(claims)


@pytest.mark.parametrize(("principal", "party"), [
    (Principal("u1", Role.CUSTOMER), Party("customer", "u1")),
    (Principal("staff-1", Role.MERCHANT, merchant_id="m1"), Party("merchant", "m1")),
    (Principal("ops-1", Role.OPS), Party("ops", "all")),
    (Principal("i1", Role.INSTALLER), Party("installer", "i1")),
])
def test_a_principals_terminals_belong_to_its_party(principal: Principal, party: Party) -> None:
    assert principal.party == party


def test_two_staff_of_one_merchant_share_its_terminals() -> None:
    one = principal_from_claims({"sub": "staff-1", "role": "merchant", "merchant_id": "m1"})
    two = principal_from_claims({"sub": "staff-2", "role": "merchant", "merchant_id": "m1"})
    assert one.party == two.party


def test_require_refuses_other_roles_with_forbidden() -> None:
    customer = Principal("u1", Role.CUSTOMER)
    customer.require(Role.CUSTOMER, Role.OPS)
    with pytest.raises(Forbidden):
        customer.require(Role.MERCHANT)


def test_only_ops_and_that_merchants_staff_act_for_a_merchant() -> None:
    assert Principal("ops-1", Role.OPS).acts_for_merchant("m1")
    assert Principal("staff-1", Role.MERCHANT, merchant_id="m1").acts_for_merchant("m1")
    assert not Principal("staff-2", Role.MERCHANT, merchant_id="m2").acts_for_merchant("m1")
    assert not Principal("u1", Role.CUSTOMER).acts_for_merchant("m1")
