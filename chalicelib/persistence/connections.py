"""The connection registry in DynamoDB (a GSI by party, TTL at API Gateway's 2 h limit)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.core.timefmt import to_datetime
from chalicelib.persistence.entity_store import get_or_none
from chalicelib.persistence.tables import StageModel
from chalicelib.push.party import Party
from chalicelib.push.ports import Owner, Terminal

CONNECTION_TTL_S = 2 * 60 * 60


class PartyIndex(GlobalSecondaryIndex["ConnectionModel"]):
    """All live terminals of one party (`merchant#m_…`, `customer#u_…`), without a scan."""

    class Meta:
        index_name = "by_party"
        projection = AllProjection()

    party = UnicodeAttribute(hash_key=True)
    connection_id = UnicodeAttribute(range_key=True)


class ConnectionModel(StageModel):
    class Meta:
        table_name = "connections"

    connection_id = UnicodeAttribute(hash_key=True)
    party = UnicodeAttribute()
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    connected_at = NumberAttribute()
    expires_at = TTLAttribute()

    by_party = PartyIndex()


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
        owner = self.owner_of(connection_id)
        return None if owner is None else owner.party

    def owner_of(self, connection_id: str) -> Owner | None:
        row = get_or_none(ConnectionModel, connection_id)
        if row is None:
            return None
        role, _, party_id = row.party.partition("#")
        return Owner(Party(role, party_id), row.user_id)
