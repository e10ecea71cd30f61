"""Push through API Gateway's `@connections` management API (the local gateway speaks it too).

A post is sent once (`CLIENT_SETTINGS`): botocore would send again one whose answer timed out,
which API Gateway may have delivered already, and the terminal would get the frame twice — a
final state pushed twice. A post that failed is not retried either: pushes are best effort, and
a terminal that missed one reads the state again (on reconnect, `list_pending`, a REST refetch).
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.observability import log
from chalicelib.push.ports import Delivery

CLIENT_SETTINGS: dict[str, Any] = {"retries": {"mode": "standard", "total_max_attempts": 1}}
"""The `@connections` client's own settings (over the app's `chalicelib.aws.client_config`)."""


class ApiGatewayPushSender:
    def __init__(self, client: Any) -> None:
        self._client = client

    def post(self, connection_id: str, payload: bytes) -> Delivery:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=payload)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code == "GoneException" or status == 410:
                return Delivery.GONE
            log("push.failed", logging.WARNING, connection_id=connection_id, error=code)
            return Delivery.FAILED
        except BotoCoreError as exc:
            log("push.failed", logging.WARNING, connection_id=connection_id, error=repr(exc))
            return Delivery.FAILED
        return Delivery.DELIVERED
