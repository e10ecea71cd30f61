"""A container builds each workflow package at its first use (its services for one of its routes,
an alarm of one of its kinds, its role's pending work, a payment it settles) after the earlier
package that provides what it needs, and no other: a first request imports and builds what it
uses. A sweep, and `build_all`, build every package."""

from __future__ import annotations

from chalicelib.checkout.service import CheckoutServices
from chalicelib.dispatch.service import DispatchServices
from chalicelib.orders.service import OrderService
from chalicelib.waitstate.engine import FireOutcome
from chalicelib.waitstate.model import AlarmMessage
from tests.fakes.platform import fake_container

EVERY_PACKAGE = ("platform", "catalogue", "orders", "dispatch", "checkout", "groupbuy")


def workflow_packages(built: tuple[str, ...]) -> list[str]:
    return [name for name in built if name != "platform"]  # the platform's own contribution builds nothing


def test_a_container_builds_no_package_before_one_is_used() -> None:
    assert fake_container().container.packages.built == ()


def test_a_packages_services_build_it_after_the_package_that_provides_what_it_needs() -> None:
    container = fake_container().container
    container.services_of(OrderService)
    assert workflow_packages(container.packages.built) == ["catalogue", "orders"]  # orders need its menus


def test_a_package_that_needs_nothing_is_built_alone() -> None:
    container = fake_container().container
    container.services_of(DispatchServices)
    assert container.packages.built == ("dispatch",)


def test_each_package_is_built_once_however_often_it_is_used() -> None:
    container = fake_container().container
    first = container.services_of(CheckoutServices)
    assert container.services_of(CheckoutServices) is first
    assert container.packages.built == ("checkout",)


def test_an_alarm_builds_the_package_that_waits_on_its_kind() -> None:
    world = fake_container()
    assert world.container.engine.fire(AlarmMessage("installation", "ins_gone", world.clock.now_ms())) \
        is FireOutcome.STALE
    assert world.container.packages.built == ("dispatch",)


def test_a_roles_pending_work_builds_packages_in_order_until_one_lists_that_role() -> None:
    container = fake_container().container
    assert container.pending_work.get("merchant") is not None
    assert container.packages.built == ("platform", "catalogue", "orders")


def test_a_role_no_package_lists_builds_every_package_and_finds_nothing() -> None:
    container = fake_container().container
    assert container.pending_work.get("customer") is None
    assert container.packages.built == EVERY_PACKAGE


def test_a_payment_reference_builds_the_package_that_settles_it() -> None:
    container = fake_container().container
    assert container.packages.payees.get("pur") is container.services_of(CheckoutServices).checkout
    assert set(container.packages.built) == set(EVERY_PACKAGE[:-1]) | {"checkout"}


def test_a_sweep_builds_every_package_so_that_every_kind_is_swept() -> None:
    world = fake_container()
    world.container.engine.sweep()
    assert world.container.packages.built == EVERY_PACKAGE


def test_build_all_builds_every_package_once() -> None:
    container = fake_container().container.build_all().build_all()
    assert container.packages.built == EVERY_PACKAGE
