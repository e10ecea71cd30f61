"""Who may see what: ops see everything; anyone else only what names them as one of its parties.

Each entity lists its parties (`Order.parties`: its customer and its merchant); a caller acts as
one party (`Principal.party`: a merchant's staff for that merchant, a customer for themselves).
Anything else is answered as if it did not exist (404), so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.auth.principal import Principal, Role
from chalicelib.push.party import Party


def may_see(caller: Principal, parties: Iterable[Party]) -> bool:
    return caller.role is Role.OPS or caller.party in parties
