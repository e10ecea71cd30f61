"""The packages' queue-fed functions (`Contribution.functions`) on the app, without their modules.

`app.py` registers each function from `route_table.FUNCTIONS` (generated): the registration is
what `chalice package` turns into the function, its SQS event source and its handler string, and
what the local stack and the tests invoke (`app.handler_map[name]`). Lambda itself calls the
handler string, `<module>.<name>`: the package's own decorated handler, so a container of that
function imports its module and nothing of `app.py`'s; the stand-in registered here imports the
module at its first call only, so importing `app.py` (every other function's cold start) does not.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from chalice.app import Blueprint, SQSEvent

FunctionRow = tuple[str, str, str, int]
"""A queue-fed function: its name, its handler's module, its queue's name, its batch size."""


def lazy_queue_functions(rows: Iterable[FunctionRow]) -> list[Blueprint]:
    """One blueprint per handler module, named after it so that the handler string Chalice
    derives (`<blueprint import name>.<handler name>`) is the package's real handler."""
    blueprints: dict[str, Blueprint] = {}
    for name, module, queue, batch_size in rows:
        blueprint = blueprints.setdefault(module, Blueprint(module))
        blueprint.on_sqs_message(queue=queue, batch_size=batch_size, name=name)(_imported_at_first_call(module, name))
    return list(blueprints.values())


def _imported_at_first_call(module: str, name: str) -> Callable[[SQSEvent], Any]:
    handler: Callable[[dict[str, Any], Any], Any] | None = None

    def first_call_imports(event: SQSEvent) -> Any:
        nonlocal handler
        if handler is None:  # two threads may both import it: the same module, either is fine
            handler = getattr(importlib.import_module(module), name)
        # The package's handler is Chalice's wrapper too: it takes the event as Lambda gives it.
        return handler(event.to_dict(), event.context)

    first_call_imports.__name__ = first_call_imports.__qualname__ = name
    return first_call_imports
