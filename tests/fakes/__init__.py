"""Test doubles of the real ports, each implementing the port it stands in for (the Protocol is
its base class, so mypy checks the signatures).

* `doubles`: the push sender, the alarm queue and a hooked clock, which record what they were given;
* `entities`: the wait-state `EntityStore` in memory, and the interleaving wrapper that makes a
  commit lose a race;
* one module per workflow package (`orders`, `catalogue`, `dispatch`, `checkout`) and the
  platform's (`platform_ports`): an in-memory fake of every store port, behaving like the
  DynamoDB store. `tests/contracts/` holds one contract suite per store, which runs against the
  fake (tests/unit) and against DynamoDB in moto (tests/integration): a behaviour that passes on
  the fake but fails on DynamoDB means the fake lies;
* `platform`: the app's container with every store a fake, for fast service tests.
"""

from tests.fakes.doubles import HookedClock, RecordingAlarmQueue, RecordingPushSender, SqsUnavailable
from tests.fakes.entities import InMemoryEntityStore, InterleavingStore

__all__ = ["HookedClock", "InMemoryEntityStore", "InterleavingStore", "RecordingAlarmQueue", "RecordingPushSender",
           "SqsUnavailable"]
