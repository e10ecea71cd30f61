"""What every functional test pulls, whatever the workflow: the parties' APIs, the alarm queue's
messages (delivered through the SQS handler), the sweeper (through the schedule handler), the
terminals, and a snapshot of tables to prove that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.waitstate.model import AlarmMessage
from tests.conftest import World, aws_client
from tests.events import schedule_event, sqs_event, ws_connect
from tests.functional.api import Api


class AppLevers:
    tables: tuple[str, ...] = ()
    """The tables `snapshot()` reads."""

    def __init__(self, world: World, client: Client) -> None:
        self.world = world
        self.client = client

    def party(self, role: str, sub: str, **claims: Any) -> Api:
        return Api(self.client, self.world.token(role, sub, **claims))

    # ── alarms ──────────────────────────────────────────────────────────────────────────────

    def queued(self) -> list[AlarmMessage]:
        """Alarm triggers sent so far (and forget them, as a queue would once delivered)."""
        return self.world.alarms.take()

    def deliver(self, messages: list[AlarmMessage]) -> list[AlarmMessage]:
        """SQS delivers these messages to the `fire_alarms` Lambda in one batch: the ones it
        reports failed (`batchItemFailures`), which SQS would deliver again."""
        event = sqs_event([m.to_json() for m in messages])
        answer = self.client.lambda_.invoke("fire_alarms", event).payload
        failed = {item["itemIdentifier"] for item in answer["batchItemFailures"]}
        return [m for m, record in zip(messages, event["Records"], strict=True) if record["messageId"] in failed]

    def sweep(self) -> None:
        self.client.lambda_.invoke("sweep_alarms", schedule_event())

    # ── terminals ───────────────────────────────────────────────────────────────────────────

    def connect(self, connection_id: str, api: Api) -> int:
        response = self.client.lambda_.invoke("connect", ws_connect(connection_id, api.token)).payload
        status: int = response["statusCode"]
        return status

    def pushed(self, connection_id: str, message_type: str | None = None) -> list[dict[str, Any]]:
        return self.world.push.to(connection_id, message_type)

    # ── what is stored ──────────────────────────────────────────────────────────────────────

    def snapshot(self, tables: tuple[str, ...] | None = None) -> dict[str, list[dict[str, Any]]]:
        """Every item of every table of the workflow (or of these tables)."""
        dynamodb = aws_client("dynamodb")
        settings = self.world.container.settings
        return {name: sorted(dynamodb.scan(TableName=settings.table_name(name))["Items"], key=repr)
                for name in (self.tables if tables is None else tables)}
