"""A container builds each workflow package at its first use (its services for one of its routes,
an alarm of one of its kinds, a role's pending work it lists, a terminal action it answers, a
payment it settles) after the earlier package that provides what it needs, and no other: a first
request imports and builds what it uses. A sweep, and `build_all`, build every package. A package
builds exactly the pending work and actions it declares, and no two declare the same action."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.bootstrap import Misconfigured, contributions
from chalicelib.checkout.service import CheckoutServices
from chalicelib.contribution import Contribution, Platform, Wired
from chalicelib.dispatch.service import DispatchServices
from chalicelib.orders.service import OrderService
from chalicelib.push import party
from chalicelib.push.terminal import PendingList, TerminalMessage
from chalicelib.waitstate.engine import FireOutcome
from chalicelib.waitstate.model import AlarmMessage
from tests.fakes.platform import fake_container

EVERY_PACKAGE = ("platform", "catalogue", "orders", "dispatch", "checkout", "groupbuy", "calls")


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


def test_a_roles_pending_work_builds_the_packages_that_declare_it_and_what_they_need() -> None:
    container = fake_container().container
    assert len(container.packages.pending_work_of("merchant")) == 2  # its orders, its calls
    assert workflow_packages(container.packages.built) == ["catalogue", "orders", "calls"]  # both need the menus


def test_a_role_no_package_lists_builds_nothing_and_finds_nothing() -> None:
    container = fake_container().container
    assert container.packages.pending_work_of("carrier") == ()
    assert container.packages.built == ()


def test_each_package_builds_the_pending_work_of_exactly_the_roles_it_declares() -> None:
    container = fake_container().container.build_all()
    for package in contributions():
        wired = container.packages._built[package.name]
        assert sorted(wired.pending_work) == sorted(package.pending_roles), package.name
        assert sorted(wired.actions) == sorted(package.actions), package.name
        assert sorted(a.name for a in package.action_models) == sorted(package.actions), package.name


def _lister(role: str, message_type: str) -> Any:
    return lambda platform: Wired(None, pending_work={role: lambda p, now: PendingList(message_type, [])})


def _answering(*names: str, built: tuple[str, ...] | None = None) -> Any:
    def build(platform: Platform) -> Wired[None]:
        return Wired(None, actions={name: lambda message: None for name in (names if built is None else built)})
    return build


def test_several_packages_list_one_roles_pending_work_in_registry_order() -> None:
    packages = [Contribution("first", "", _lister("merchant", "first.listed"), pending_roles=("merchant",)),
                Contribution("other", "", _lister("installer", "other.listed"), pending_roles=("installer",)),
                Contribution("second", "", _lister("merchant", "second.listed"), pending_roles=("merchant",))]
    container = fake_container(packages).container
    works = container.packages.pending_work_of("merchant")
    assert [work(party.merchant("m1"), 0).message_type for work in works] == ["first.listed", "second.listed"]
    assert container.packages.built == ("first", "second")


def test_a_terminal_action_builds_only_the_package_that_declares_it() -> None:
    packages = [Contribution("quiet", "", _answering("quiet.act"), actions=("quiet.act",)),
                Contribution("calls", "", _answering("call.signal"), actions=("call.signal",))]
    container = fake_container(packages).container
    handler = container.packages.action("call.signal")
    assert handler is not None and container.packages.built == ("calls",)
    handler(TerminalMessage("c1", "call.signal", {"action": "call.signal"}, 0))
    assert container.packages.action("nobody.declares") is None and container.packages.built == ("calls",)


def test_two_packages_declaring_the_same_action_refuse_to_start() -> None:
    packages = [Contribution("a", "", _answering("call.signal"), actions=("call.signal",)),
                Contribution("b", "", _answering("call.signal"), actions=("call.signal",))]
    with pytest.raises(Misconfigured, match=r"'call\.signal', which a already does"):
        fake_container(packages)


@pytest.mark.parametrize("name", ["ping", "hello", "list_pending"])
def test_a_package_may_not_declare_an_action_the_platform_answers(name: str) -> None:
    with pytest.raises(Misconfigured, match="the platform answers itself"):
        fake_container([Contribution("a", "", _answering(name), actions=(name,))])


@pytest.mark.parametrize("built", [(), ("call.signal", "call.extra")])
def test_a_package_that_builds_other_actions_than_it_declares_is_refused(built: tuple[str, ...]) -> None:
    container = fake_container([Contribution("calls", "", _answering(built=built), actions=("call.signal",))]).container
    with pytest.raises(Misconfigured, match="calls builds the terminal actions"):
        container.packages.action("call.signal")


def test_a_package_that_lists_a_role_it_does_not_declare_is_refused() -> None:
    container = fake_container([Contribution("orders", "", _lister("merchant", "orders.listed"),
                                             pending_roles=("customer",))]).container
    with pytest.raises(Misconfigured, match="orders builds pending work for the roles"):
        container.packages.pending_work_of("customer")


def test_a_payment_reference_builds_the_package_that_settles_it() -> None:
    container = fake_container().container
    assert container.packages.payees.get("pur") is container.services_of(CheckoutServices).checkout
    assert set(container.packages.built) == set(EVERY_PACKAGE[:EVERY_PACKAGE.index("checkout") + 1])


def test_a_sweep_builds_every_package_so_that_every_kind_is_swept() -> None:
    world = fake_container()
    world.container.engine.sweep()
    assert world.container.packages.built == EVERY_PACKAGE


def test_build_all_builds_every_package_once() -> None:
    container = fake_container().container.build_all().build_all()
    assert container.packages.built == EVERY_PACKAGE
