"""When an installer frees up, the requests waiting in their area are offered the slot, oldest
first, and one that this installer cannot take does not hold up the next."""

from __future__ import annotations

from chalicelib.dispatch.installers import Installer
from tests.functional.crew import AREA, NEAR, Crew


def test_a_request_the_freed_installer_let_lapse_does_not_hold_up_the_next_one(crew: Crew) -> None:
    solo = crew.hire("i-solo", NEAR, max_open_jobs=1)
    lapsed = crew.requested()["installation_id"]
    crew.fire(lapsed)
    crew.fire(lapsed)  # i-solo let it lapse: it waits for somebody else
    assert crew.stored(lapsed).status.value == "pending"

    job = crew.started(solo)  # i-solo's one slot is taken
    waiting = crew.requested()["installation_id"]
    assert crew.stored(waiting).status.value == "pending"

    photo = crew.upload_photo(job, solo)
    done = crew.act(job, solo, "complete", service_code=crew.service_code(job), photos=[photo])
    assert done.status == 200, done.body

    # The slot goes to the younger request at once, not after its retry alarm.
    assert crew.stored(waiting).installer_id == "i-solo"
    assert crew.stored(waiting).status.value == "dispatched"
    assert crew.stored(lapsed).status.value == "pending"


def test_reading_a_waiting_request_whose_retry_is_due_runs_the_retry_at_once(crew: Crew) -> None:
    waiting = crew.requested()["installation_id"]
    assert crew.stored(waiting).status.value == "pending"
    # An installer appears without the usual offer (as if hired through another container that
    # has not reached this request yet); only the retry alarm would find them.
    store = crew.world.dispatch.workforce.store
    store.save(Installer(id="i-quiet", name="Quiet", phone="+86 138 0000 0000", areas=(AREA,),
                         created_at=crew.world.clock.now_ms()), previous_areas=None)
    assert crew.customer.get(f"/installations/{waiting}").body["status"] == "pending"  # retry not due
    crew.to_wake(waiting)
    crew.customer.get(f"/installations/{waiting}")  # the read runs the due retry, which finds i-quiet
    assert crew.stored(waiting).installer_id == "i-quiet"
    assert crew.customer.get(f"/installations/{waiting}").body["status"] == "dispatched"
