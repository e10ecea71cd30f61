"""The workforce on fakes: areas (their periods and deduction, within the stage's bounds) and
installers (the areas they cover, who may see them), managed by ops. (Several were moved here
from tests/functional/test_dispatch_console.py and test_dispatch_bad_input.py, where they only
drove these rules over HTTP.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from chalicelib.core.errors import AlreadyTaken, Forbidden, NotFound, ValidationFailed
from chalicelib.core.money import Money
from chalicelib.dispatch.installers import Area, Installer
from chalicelib.dispatch.schemas import AreaIn, AreaPatch, InstallerIn, InstallerPatch
from chalicelib.dispatch.workforce import RECENT_MS
from chalicelib.http.fields import PointIn
from tests.fakes.platform import FakeWorld, caller, fake_container
from tests.functional.crew import AREA, NEAR
from tests.unit.arrange import CUSTOMER, OPS, body, hire, open_area


@pytest.fixture
def crew(world: FakeWorld) -> FakeWorld:
    open_area(world)
    return world


def patch_area(world: FakeWorld, area_id: str = AREA, /, **fields: Any) -> Area:
    return world.dispatch.workforce.patch_area(OPS, area_id, body(AreaPatch, fields))


def refused_fields(attempt: Callable[..., object], *args: Any, **kwargs: Any) -> list[str]:
    """The fields `attempt(*args, **kwargs)` was refused on."""
    with pytest.raises(ValidationFailed) as refused:
        attempt(*args, **kwargs)
    return [e.field for e in refused.value.errors]


# ── areas ───────────────────────────────────────────────────────────────────────────────────

def test_an_area_created_without_periods_gets_the_specs_defaults(crew: FakeWorld) -> None:
    created = crew.dispatch.workforce.create_area(OPS, body(AreaIn, area_id="plain", name="Plain"))
    assert (created.remind_after_s, created.revoke_after_s) == (600, 1200)
    assert created.deduction == Money(500, "CNY")
    free = crew.dispatch.workforce.create_area(OPS, body(AreaIn, name="Free", deduction=None))
    assert free.deduction is None and free.id.startswith("area_")


def test_patching_only_the_name_keeps_the_periods_and_the_deduction(crew: FakeWorld) -> None:
    before = crew.dispatch.workforce.area(AREA)
    after = patch_area(crew, name="North bank")
    assert after == Area(AREA, "North bank", before.remind_after_s, before.revoke_after_s, before.deduction,
                         before.created_at)
    cleared = patch_area(crew, deduction=None)
    assert cleared.deduction is None and cleared.remind_after_s == before.remind_after_s


def test_an_areas_name_and_periods_cannot_be_cleared(crew: FakeWorld) -> None:
    before = crew.dispatch.workforce.area(AREA)
    for name in ("name", "remind_after_s", "revoke_after_s"):
        assert refused_fields(patch_area, crew, **{name: None}) == [name]
    assert crew.dispatch.workforce.area(AREA) == before


@pytest.mark.parametrize(("periods", "fields"), [
    ({"remind_after_s": 29}, ["remind_after_s"]),
    ({"revoke_after_s": 29}, ["revoke_after_s"]),
    ({"remind_after_s": 1, "revoke_after_s": 5}, ["remind_after_s", "revoke_after_s"]),
])
def test_escalation_periods_below_the_minimum_are_422(periods: dict[str, int], fields: list[str]) -> None:
    """On a stage other than `local`, escalation periods are at least 30 seconds."""
    dev = fake_container(ONTIME_STAGE="dev", ONTIME_JWT_ISSUER="https://issuer.example/pool")
    workforce = dev.dispatch.workforce
    assert refused_fields(lambda: workforce.create_area(OPS, body(AreaIn, area_id="east", name="East",
                                                                  **periods))) == fields
    assert dev.stores.installers.area("east") is None
    workforce.create_area(OPS, body(AreaIn, area_id="east", name="East"))
    assert refused_fields(lambda: patch_area(dev, "east", **periods)) == fields
    assert workforce.area("east").remind_after_s == 600
    assert patch_area(dev, "east", remind_after_s=30, revoke_after_s=30).remind_after_s == 30


def test_an_area_id_is_taken_once_and_only_ops_manage_areas(crew: FakeWorld) -> None:
    with pytest.raises(AlreadyTaken):
        crew.dispatch.workforce.create_area(OPS, body(AreaIn, area_id=AREA, name="Again"))
    for who in (CUSTOMER, caller("installer", "i-1")):
        with pytest.raises(Forbidden):
            crew.dispatch.workforce.create_area(who, body(AreaIn, name="Mine"))
        with pytest.raises(Forbidden):
            crew.dispatch.workforce.areas(who, 10, None)
    with pytest.raises(NotFound):
        patch_area(crew, "nowhere", name="Nowhere")


def test_dispatching_reads_an_areas_settings_afresh_once_they_may_have_changed_elsewhere(crew: FakeWorld) -> None:
    workforce = crew.dispatch.workforce
    area = workforce.area_settings(AREA)
    assert area is not None
    crew.stores.installers.save_area(Area(AREA, "Changed elsewhere", 60, 60, None, area.created_at), create=False)
    assert workforce.area_settings(AREA) == area  # remembered for a few seconds
    crew.clock.advance(RECENT_MS / 1000)
    assert workforce.area(AREA).name == "Changed elsewhere"
    patch_area(crew, name="Changed here")
    assert workforce.area(AREA).name == "Changed here"  # a change through this container: at once


def test_a_patch_never_undoes_what_another_container_changed_while_this_one_remembered_the_area(
        crew: FakeWorld) -> None:
    workforce = crew.dispatch.workforce
    remembered = workforce.area(AREA)
    crew.stores.installers.update_area(AREA, {"remind_after_s": 900})  # through another container
    patch_area(crew, name="Renamed here")
    stored = crew.stores.installers.area(AREA)
    assert stored is not None and (stored.name, stored.remind_after_s) == ("Renamed here", 900)
    assert remembered.remind_after_s != 900


def test_an_installer_patch_that_loses_to_a_move_of_their_areas_is_applied_to_the_new_areas(
        crew: FakeWorld) -> None:
    open_area(crew, "south")
    hire(crew, "i-a", NEAR)
    store = crew.stores.installers
    save = store.save
    moved_meanwhile: list[Installer] = []

    def another_patch_first(installer: Any, previous_areas: Any) -> Any:
        if not moved_meanwhile:  # another console moves them just before this write
            current = store.get(installer.id)
            assert current is not None
            moved_meanwhile.append(save(replace(current, areas=("south",)), previous_areas))
        return save(installer, previous_areas)

    store.save = another_patch_first  # type: ignore[method-assign]
    renamed = crew.dispatch.workforce.patch_installer(OPS, "i-a", body(InstallerPatch, name="Renamed"))
    assert (renamed.name, renamed.areas) == ("Renamed", ("south",))
    assert [i.id for i in crew.dispatch.workforce.installers(OPS, "south", 10, None).items] == ["i-a"]
    assert crew.dispatch.workforce.installers(OPS, AREA, 10, None).items == []


# ── installers ──────────────────────────────────────────────────────────────────────────────

def new_installer(installer_id: str = "i-new", **fields: Any) -> InstallerIn:
    return body(InstallerIn, {"installer_id": installer_id, "name": "New", "phone": "+86 138 0000 0002",
                              "areas": [AREA], **fields})


def test_an_installer_covering_an_unknown_area_is_422_naming_each_one(crew: FakeWorld) -> None:
    workforce = crew.dispatch.workforce
    assert refused_fields(lambda: workforce.create_installer(
        OPS, new_installer(areas=[AREA, "atlantis", "lemuria"]))) == ["areas[1]", "areas[2]"]
    assert crew.stores.installers.get("i-new") is None
    hire(crew, "i-near", NEAR)
    assert refused_fields(lambda: workforce.patch_installer(OPS, "i-near", body(InstallerPatch,
                                                                                areas=["atlantis"]))) == ["areas[0]"]
    assert workforce.installer(OPS, "i-near").areas == (AREA,)


def test_an_installer_id_is_taken_once(crew: FakeWorld) -> None:
    hire(crew, "i-near", NEAR)
    with pytest.raises(AlreadyTaken):
        crew.dispatch.workforce.create_installer(OPS, new_installer("i-near", name="Twin"))
    assert crew.dispatch.workforce.installer(OPS, "i-near").name == "Installer i-near"


def test_an_installers_profile_fields_cannot_be_cleared(crew: FakeWorld) -> None:
    hire(crew, "i-near", NEAR)
    before = crew.stores.installers.get("i-near")
    for name in ("name", "phone", "areas", "max_open_jobs", "active"):
        patch = body(InstallerPatch, **{name: None})
        assert refused_fields(crew.dispatch.workforce.patch_installer, OPS, "i-near", patch) == [name]
    assert crew.stores.installers.get("i-near") == before


def test_changing_an_installers_areas_moves_their_coverage(crew: FakeWorld) -> None:
    open_area(crew, "south")
    hire(crew, "i-a", NEAR)
    workforce = crew.dispatch.workforce
    moved = workforce.patch_installer(OPS, "i-a", body(InstallerPatch, areas=["south"], max_open_jobs=2))
    assert (moved.areas, moved.max_open_jobs) == (("south",), 2)
    assert workforce.installers(OPS, AREA, 10, None).items == []
    assert [i.id for i in workforce.installers(OPS, "south", 10, None).items] == ["i-a"]


def test_ops_see_every_installer_an_installer_only_themselves(crew: FakeWorld) -> None:
    hire(crew, "i-a", NEAR)
    hire(crew, "i-b")
    me = caller("installer", "i-a")
    assert crew.dispatch.workforce.installer(me, "i-a").location is not None
    for who, installer_id in ((me, "i-b"), (CUSTOMER, "i-a"), (OPS, "i-404")):
        with pytest.raises(NotFound):
            crew.dispatch.workforce.installer(who, installer_id)
        with pytest.raises(NotFound):
            crew.dispatch.workforce.ledger(who, installer_id, 10, None)
    with pytest.raises(Forbidden):
        crew.dispatch.workforce.installers(me, None, 10, None)
    assert sorted(i.id for i in crew.dispatch.workforce.installers(OPS, None, 10, None).items) == ["i-a", "i-b"]


def test_only_an_installer_reports_a_location_and_it_is_stamped_with_the_server_time(crew: FakeWorld) -> None:
    hire(crew, "i-a")
    crew.clock.advance(30)
    here = crew.dispatch.workforce.locate(caller("installer", "i-a"), body(PointIn, lat=31.2, lng=121.4))
    assert here.location is not None and here.location.at == crew.clock.now_ms()
    assert crew.stores.installers.get("i-a") == here
    with pytest.raises(Forbidden):
        crew.dispatch.workforce.locate(OPS, body(PointIn, lat=31.2, lng=121.4))
