"""`InstallerStore`: installers with the areas they cover (one coverage row per area, moved with
the profile), their live location, the areas' settings. (Ledgers are written by installation
commits: `installation_store.py`.)"""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, MalformedRequest
from chalicelib.core.money import Money
from chalicelib.dispatch.installers import Area, Installer, Location
from chalicelib.dispatch.ports import InstallerStore
from tests.builders import T0
from tests.contracts import all_items, every_page


def an_installer(installer_id: str = "i-1", areas: tuple[str, ...] = ("north",), **changes: object) -> Installer:
    installer = Installer(installer_id, f"Installer {installer_id}", "+86 138 0000 0000", areas, T0)
    return replace(installer, **changes)  # type: ignore[arg-type]


def hired(store: InstallerStore, installer_id: str = "i-1", areas: tuple[str, ...] = ("north",),
          **changes: object) -> Installer:
    return store.save(an_installer(installer_id, areas, **changes), previous_areas=None)


class InstallerStoreContract:
    @pytest.fixture
    def store(self) -> InstallerStore:
        raise NotImplementedError("a subclass provides the store under test")

    # ── installers ──────────────────────────────────────────────────────────────────────────

    def test_an_installer_reads_back_as_written(self, store: InstallerStore) -> None:
        rich = an_installer(areas=("north", "east"), photo_url="https://img/i-1.jpg", open_jobs=2, max_open_jobs=3,
                            active=False)
        assert store.save(rich, previous_areas=None) == rich
        assert store.get("i-1") == rich
        assert store.get("i-404") is None

    def test_creating_an_installer_whose_id_is_taken_is_refused(self, store: InstallerStore) -> None:
        hired(store)
        with pytest.raises(AlreadyExists):
            hired(store, name="Twin")
        found = store.get("i-1")
        assert found is not None and found.name == "Installer i-1"

    def test_an_update_changes_the_profile_and_moves_the_coverage_but_never_the_open_jobs_or_location(
            self, store: InstallerStore) -> None:
        before = hired(store, areas=("north", "east"), open_jobs=2, photo_url="https://img/old.jpg")
        here = Location(31.2394, 121.4737, T0 + 5)
        store.locate("i-1", here)
        changed = replace(before, name="Li Na", phone="+86 139", areas=("east", "south"), max_open_jobs=9,
                          active=False, photo_url=None, open_jobs=0, location=None)
        store.save(changed, previous_areas=before.areas)
        assert store.get("i-1") == replace(changed, open_jobs=2, location=here)
        assert store.covering("north") == []
        assert [i.id for i in store.covering("south")] == ["i-1"]
        assert [i.id for i in store.covering("east")] == ["i-1"]

    def test_an_update_from_areas_that_have_moved_since_is_a_concurrent_update_and_changes_nothing(
            self, store: InstallerStore) -> None:
        before = hired(store, areas=("north",))
        store.save(replace(before, areas=("east",)), previous_areas=("north",))
        with pytest.raises(ConcurrentUpdate):
            store.save(replace(before, name="Stale", areas=("south",)), previous_areas=("north",))
        after = store.get("i-1")
        assert after is not None and (after.name, after.areas) == (before.name, ("east",))
        assert [i.id for i in store.covering("east")] == ["i-1"]
        assert store.covering("south") == [] and store.covering("north") == []

    def test_covering_finds_every_installer_of_an_area_and_many_those_that_exist(
            self, store: InstallerStore) -> None:
        for installer_id, areas in (("i-1", ("north",)), ("i-2", ("north", "east")), ("i-3", ("east",))):
            hired(store, installer_id, areas)
        assert sorted(i.id for i in store.covering("north")) == ["i-1", "i-2"]
        assert store.covering("west") == []
        assert sorted(i.id for i in store.many(["i-3", "i-404", "i-1", "i-3"])) == ["i-1", "i-3"]

    def test_an_areas_installers_are_listed_by_id_page_by_page(self, store: InstallerStore) -> None:
        for installer_id in ("i-3", "i-1", "i-4", "i-2"):
            hired(store, installer_id)
        hired(store, "i-9", ("east",))
        pages = every_page(lambda token: store.list("north", 3, token))
        assert [[i.id for i in page.items] for page in pages] == [["i-1", "i-2", "i-3"], ["i-4"]]
        everyone = all_items(lambda token: store.list(None, 2, token))
        assert sorted(i.id for i in everyone) == ["i-1", "i-2", "i-3", "i-4", "i-9"]

    def test_locating_an_installer_keeps_where_and_when(self, store: InstallerStore) -> None:
        hired(store)
        store.locate("i-1", Location(31.3024, 121.4737, T0 + 60_000))
        found = store.get("i-1")
        assert found is not None and found.location == Location(31.3024, 121.4737, T0 + 60_000)

    # ── areas ───────────────────────────────────────────────────────────────────────────────

    def test_an_area_reads_back_as_written_and_is_created_once(self, store: InstallerStore) -> None:
        north = Area("north", "North", 600, 1200, Money(500, "CNY"), T0)
        free = Area("free", "Free", 60, 120, None, T0 + 1)
        assert store.save_area(north, create=True) == north
        store.save_area(free, create=True)
        assert (store.area("north"), store.area("free"), store.area("west")) == (north, free, None)
        with pytest.raises(AlreadyExists):
            store.save_area(replace(north, name="Again"), create=True)
        changed = replace(north, name="North bank", remind_after_s=60, deduction=None)
        store.save_area(changed, create=False)
        assert store.area("north") == changed

    def test_updating_an_area_sets_the_given_fields_and_leaves_the_others(self, store: InstallerStore) -> None:
        north = store.save_area(Area("north", "North", 600, 1200, Money(500, "CNY"), T0), create=True)
        assert store.update_area("north", {"name": "North bank"}) == replace(north, name="North bank")
        assert store.update_area("north", {"revoke_after_s": 60, "deduction": None}) == replace(
            north, name="North bank", revoke_after_s=60, deduction=None)
        assert store.update_area("north", {"deduction": Money(100, "CNY")}) == replace(
            north, name="North bank", revoke_after_s=60, deduction=Money(100, "CNY"))
        assert store.update_area("west", {"name": "West"}) is None and store.area("west") is None

    def test_areas_are_listed_page_by_page(self, store: InstallerStore) -> None:
        for n in range(5):
            store.save_area(Area(f"a{n}", f"Area {n}", 600, 1200, None, T0), create=True)
        assert sorted(a.id for a in all_items(lambda token: store.areas(2, token))) == [f"a{n}" for n in range(5)]

    def test_a_token_that_is_not_ours_is_malformed(self, store: InstallerStore) -> None:
        for read in (lambda: store.areas(2, "garbage"), lambda: store.list("north", 2, "garbage"),
                     lambda: store.ledger("i-1", 2, "garbage")):
            with pytest.raises(MalformedRequest):
                read()
