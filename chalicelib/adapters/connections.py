"""The connection registry in DynamoDB (a GSI by party, TTL at API Gateway's 2 h limit)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from pynamodb.exceptions import DeleteError

from chalicelib.adapters.entity_store import get_or_none
from chalicelib.adapters.models import ConnectionModel
from chalicelib.core.timefmt import to_datetime
from chalicelib.push.party import Party
from chalicelib.push.ports import Terminal

CONNECTION_TTL_S = 2 * 60 * 60


class DynamoConnectionRegistry:
    def register(self, connection_id: str, party: Party, user_id: str, now_ms: int) -> None:
        ConnectionModel(
            connection_id=connection_id, party=party.key, user_id=user_id, role=party.role,
            connected_at=now_ms, expires_at=to_datetime(now_ms) + timedelta(seconds=CONNECTION_TTL_S),
        ).save()

    def unregister(self, connection_id: str) -> None:
        with contextlib.suppress(DeleteError):  # already gone
            ConnectionModel(connection_id=connection_id).delete()

    def connections_of(self, party: Party) -> list[str]:
        return [terminal.connection_id for terminal in self.terminals_of(party)]

    def terminals_of(self, party: Party) -> list[Terminal]:
        return [Terminal(row.connection_id, int(row.connected_at)) for row in ConnectionModel.by_party.query(party.key)]

    def party_of(self, connection_id: str) -> Party | None:
        row = get_or_none(ConnectionModel, connection_id)
        if row is None:
            return None
        role, _, party_id = row.party.partition("#")
        return Party(role, party_id)
