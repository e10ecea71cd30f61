"""Identifiers: a readable prefix plus 96 random bits, sortable by nothing on purpose.

Under an `Idempotency-Key` the ids a request issues are derived from the key instead
(`derived_from`), in the order the request asks for them: a request that crashed after it created
its entity and is run again once its claim went stale (`chalicelib/idempotency.py`) issues the
same ids, so its create meets the entity it made before instead of making a second one
(`issued_by_a_rerun` tells the stores so). They are as unguessable as the key is to others.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

ID_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"
"""Every id a client may choose or that we issue (`ord_<hex>`); paths are checked against it too."""
_ID = re.compile(ID_PATTERN)


@dataclass
class _Derivation:
    seed: str
    issued: list[str] = field(default_factory=list)


_derivation: ContextVar[_Derivation | None] = ContextVar("id_derivation", default=None)


def new_id(prefix: str) -> str:
    derivation = _derivation.get()
    if derivation is None:
        return f"{prefix}_{secrets.token_hex(12)}"
    digest = hashlib.sha256(f"{derivation.seed}\n{prefix}\n{len(derivation.issued)}".encode()).hexdigest()
    issued = f"{prefix}_{digest[:24]}"
    derivation.issued.append(issued)
    return issued


@contextmanager
def derived_from(seed: str) -> Iterator[None]:
    """Within: every new id is derived from `seed` (the request's idempotency key and body)."""
    token = _derivation.set(_Derivation(seed))
    try:
        yield
    finally:
        _derivation.reset(token)


def issued_by_a_rerun(entity_id: str) -> bool:
    """Whether `entity_id` was derived in this request: if it is stored already, a run of the same
    request before this one (the same key and body) stored it — random ids never meet."""
    derivation = _derivation.get()
    return derivation is not None and entity_id in derivation.issued


def is_id(value: str) -> bool:
    """Whether a path or query value could be an id (if not, it names nothing: no lookup needed)."""
    return _ID.fullmatch(value) is not None
