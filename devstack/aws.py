"""The embedded AWS: moto, served on 127.0.0.1 for every client, and answering the app's own calls
by one of three transports (one state either way: moto's backends are the globals of the process
that runs it):

* `socket` (default): moto runs in a process of its own (`devstack/awsprocess.py`), so it and the
  app each have a core; the app's botocore requests, serialized and signed as for AWS, are
  forwarded to it over a Unix socket and answered by the same code `mock_aws` uses, without HTTP.
* `in-process`: one process; moto's `mock_aws` answers the app's boto3/PynamoDB calls inside their
  botocore client — same requests and responses, no HTTP in between (a third less CPU per order
  than HTTP, all of it on one core).
* `http`: moto in its own process, and the app reaches its server through `AWS_ENDPOINT_URL`, like
  any AWS endpoint.

Whichever it is, the moto server is there for everything outside the app: the stack's own pumps,
tests, benchmarks and operators' boto3/CLI sessions see and change the same tables and queues.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from botocore import handlers
from botocore.config import Config

from devstack.partitions import PartitionCounter, TableKeys
from devstack.provision import table_definitions
from devstack.stats import HARNESS_USER_AGENT, StackStats, running_handler

if TYPE_CHECKING:  # moto is imported where it runs: the stack's main process runs without it by default
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from werkzeug.serving import BaseWSGIServer

SOCKET = "socket"
IN_PROCESS = "in-process"
HTTP = "http"
TRANSPORTS = (SOCKET, IN_PROCESS, HTTP)


class RawBody(io.BytesIO):
    """An answer's body as botocore reads it from a response (`read`, or `stream` for streaming
    operations), for answers made without HTTP."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        while chunk := self.read(1 << 16):
            yield chunk


def harness_config() -> Config:
    """botocore config for the stack's own clients, so `/_stats` tells them from the app's."""
    return Config(user_agent_extra=HARNESS_USER_AGENT, retries={"mode": "standard"})


def count_api_calls(stats: StackStats, tables: Iterable[TableKeys] | None = None) -> None:
    """Count every AWS API call of every botocore session created from now on (boto3's and each of
    PynamoDB's): once per call, as `Service.Operation`, whichever transport answers it; and each of
    the app's DynamoDB requests per partition of `tables` (the template's tables by default)."""

    def counted(model: Any, params: dict[str, Any], **_: Any) -> None:
        agent = str(params.get("headers", {}).get("User-Agent", ""))
        call = f"{model.service_model.service_id}.{model.name}"
        if HARNESS_USER_AGENT in agent:
            stats.harness_aws_calls.add(call)
        else:
            stats.aws_calls.add(call)
            stats.aws_calls_by_handler.add(f"{running_handler.get()} {call}")

    partitions = PartitionCounter(tables if tables is not None else map(TableKeys.of, table_definitions()))

    def partitioned(model: Any, params: dict[str, Any], context: dict[str, Any] | None = None, **_: Any) -> None:
        config = (context or {}).get("client_config")
        if HARNESS_USER_AGENT in str(getattr(config, "user_agent_extra", None) or ""):
            return
        for partition, kind in partitions.touched(model.name, params):
            stats.aws_partitions.add(f"{partition} {kind}")

    # Sessions copy the built-in handlers when they are created, so this must run first. The
    # partitions are read from the API parameters, before they are serialized: DynamoDB's only.
    handlers.BUILTIN_HANDLERS.append(("before-call", counted))
    handlers.BUILTIN_HANDLERS.append(("before-parameter-build.dynamodb", partitioned))


def answer_app_calls_in_process() -> None:
    """Start moto's in-process mock (it resets moto's state: call before anything is created).
    Calls to other endpoints, such as the local gateway's `@connections`, still go over HTTP."""
    from moto import mock_aws

    mock_aws().start()


def speed_up_sqs_queues() -> bool:
    """Make an SQS call cost what it costs on AWS whatever the queue holds; returns False, changing
    nothing, if moto's shape has changed.

    moto keeps a queue as one list and walks all of it, reading the clock through datetime
    arithmetic (~3 µs) for every message, more often than it looks:
    * every SendMessage builds the queue's whole attribute table to read one flag, and that table
      counts the visible, delayed and in-flight messages: three walks;
    * every message a ReceiveMessage returns builds the table three more times (to read the
      retention period) — nine walks per message, ninety per batch of ten;
    * every DeleteMessage walks the list twice, building a list of handles for each message.
    With 10,000 alarms waiting as delayed triggers, one SendMessage cost ~50 ms of CPU and one
    ReceiveMessage of ten about a second, so a backlog of alarms that are not due made the due
    ones late. Here an attribute is computed when it is read, the clock is read once per walk
    (`time.time()`, the same epoch milliseconds), and a delete walks the list once. Answers are
    unchanged: `tests/integration/test_local_aws_fast_paths.py` replays the same calls on both.
    """
    from moto.sqs import exceptions, models

    queue_class, message_class = getattr(models, "Queue", None), getattr(models, "Message", None)
    needed = ("attributes", "messages", "approximate_number_of_messages_delayed",
              "approximate_number_of_messages_not_visible")
    if queue_class is None or message_class is None or not all(
            isinstance(getattr(queue_class, name, None), property) for name in needed) or not callable(
            getattr(queue_class, "delete_message", None)) or not hasattr(exceptions, "ReceiptHandleIsInvalid"):
        return False

    def visible(self: Any) -> bool:
        return bool(time.time() * 1000 > self.visible_at)

    def delayed(self: Any) -> bool:
        return bool(time.time() * 1000 < self.delayed_until)

    def messages(self: Any) -> list[Any]:
        now = time.time() * 1000
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    def delayed_count(self: Any) -> int:
        now = time.time() * 1000
        return sum(1 for m in self._messages if now < m.delayed_until)

    def not_visible_count(self: Any) -> int:
        now = time.time() * 1000
        return sum(1 for m in self._messages if not now > m.visible_at)

    def delete_message(self: Any, receipt_handle: str) -> None:
        if receipt_handle in self.deleted_messages:
            return  # deleting twice is allowed, as on AWS
        for position, message in enumerate(self._messages):
            if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles:
                self.pending_messages.discard(message)
                self.deleted_messages.update(message.all_receipt_handles)
                del self._messages[position]
                return
        raise exceptions.ReceiptHandleIsInvalid()

    message_class.visible = property(visible)
    message_class.delayed = property(delayed)
    queue_class.attributes = property(_QueueAttributes)
    queue_class.messages = property(messages)
    queue_class.approximate_number_of_messages_delayed = property(delayed_count)
    queue_class.approximate_number_of_messages_not_visible = property(not_visible_count)
    queue_class.delete_message = delete_message
    return True


class _QueueAttributes(Mapping[str, Any]):
    """moto's `Queue.attributes` table — the same names and values — with each value computed only
    when it is read."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        self._names = dict.fromkeys(names)

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        if name == "RedrivePolicy" and self._queue.redrive_policy:
            return json.dumps(self._queue.redrive_policy)
        value = getattr(self._queue, _snake_case(name))
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@functools.cache
def _snake_case(name: str) -> str:
    from moto.core.utils import camelcase_to_underscores

    return str(camelcase_to_underscores(name))


def remember_response_methods() -> bool:
    """Look up a response class's action methods once instead of on every request.

    moto finds out whether a request's action is implemented by listing its response class's
    functions with `inspect.getmembers` on every call: 8 % of the CPU of moto's process under the
    orders benchmark. The classes do not change while the stack runs, so the list is the same each
    time. Returns False, changing nothing, if moto's shape has changed.
    """
    from moto.core import responses

    listed = getattr(responses, "method_names_from_class", None)
    if listed is None or not callable(listed):
        return False
    if getattr(listed, "_ontime_remembered", False):
        return True
    remembered: dict[object, list[str]] = {}

    def method_names_from_class(clazz: object) -> list[str]:
        names = remembered.get(clazz)
        if names is None:
            names = remembered.setdefault(clazz, listed(clazz))
        return names

    method_names_from_class._ontime_remembered = True  # type: ignore[attr-defined]
    setattr(responses, "method_names_from_class", method_names_from_class)  # noqa: B010 - patching a module
    return True


_WIRE_SHAPED_DYNAMODB_OPERATIONS = frozenset({
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
})


def serialize_dynamodb_items_directly() -> bool:
    """Skip moto's generic response serializer for DynamoDB's item operations.

    moto answers these with `DynamoResult`, a dict already in DynamoDB's wire format, and then
    walks the operation's whole output shape to serialize it — about half of the CPU an order
    costs the local stack. For the JSON protocol the body is just that dict as JSON, so dump it;
    anything that is not plain JSON (binary values) still goes the generic way. Returns False,
    changing nothing, if moto's shape has changed. `tests/integration/test_local_aws.py` checks
    the bodies are the same as moto's own.
    """
    from moto.dynamodb import responses

    result_class = getattr(responses, "DynamoResult", None)
    generic = getattr(result_class, "execute_result", None)
    if result_class is None or generic is None:
        return False

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name in _WIRE_SHAPED_DYNAMODB_OPERATIONS and isinstance(self.result, dict):
            try:
                body = json.dumps(self.result, separators=(",", ":"))
            except (TypeError, ValueError):
                pass
            else:
                return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return generic(self, context)

    result_class.execute_result = execute_result
    return True


def size_dynamodb_items_once() -> bool:
    """Check an item's 400 KB limit once per write instead of once per attribute.

    moto builds each stored item attribute by attribute and, for every one, re-measures every
    attribute already there (recursing into lists and maps): quadratic in the attribute count, and
    an installation request's history makes it the biggest cost of a write. The limit is reached
    exactly when the whole item exceeds it, so one measurement of the whole item raises the same
    `ItemSizeTooLarge` for the same items. Returns False, changing nothing, if moto's shape has
    changed; `tests/integration/test_local_aws_fast_paths.py` checks both the limit and the items.
    """
    from moto.dynamodb.models import dynamo_type

    item_class, limited = getattr(dynamo_type, "Item", None), getattr(dynamo_type, "LimitedSizeDict", None)
    too_large, bytesize = getattr(dynamo_type, "ItemSizeTooLarge", None), getattr(dynamo_type, "bytesize", None)
    if item_class is None or limited is None or too_large is None or bytesize is None:
        return False

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted = {key: dynamo_type.DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > MOTO_ITEM_LIMIT:
            raise too_large
        self.attrs = limited()
        dict.update(self.attrs, converted)  # later single-attribute changes still go through its check

    item_class.__init__ = __init__
    return True


MOTO_ITEM_LIMIT = 405_000
"""moto's own figure for DynamoDB's 400 KB item limit."""

_DYNAMODB_WRITES = threading.RLock()


def isolate_dynamodb_transactions() -> bool:
    """Make moto's `TransactWriteItems` isolated from concurrent writers, as DynamoDB's is.

    moto deep-copies every table a transaction names and, if any condition fails, puts the copy
    back — undoing whatever other threads committed meanwhile (a revocation vanished that way
    under load), and the copy itself breaks when another thread writes during it; it also costs
    time in proportion to the table (157 ms at 1,000 items). Here every DynamoDB write takes one
    lock; a transaction checks all its conditions first, under that lock, and writes only if all
    hold, so a refused transaction writes nothing and nobody's work is undone. Returns False,
    changing nothing, if moto's shape has changed; `tests/integration/test_local_aws_fast_paths.py`
    checks both behaviours.
    """
    from moto.dynamodb import comparisons, exceptions
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_ontime_isolated", False):
        return True  # already installed: wrapping the writes twice would only cost time
    needed = ("put_item", "update_item", "delete_item", "get_item", "get_table", "transact_write_items")
    if not all(callable(getattr(DynamoDBBackend, name, None)) for name in needed) or not hasattr(
            comparisons, "get_filter_expression"):
        return False

    for name in ("put_item", "update_item", "delete_item"):
        setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _DYNAMODB_WRITES:
            plan = _checked_plan(self, transact_items, comparisons, exceptions)
            # moto replaces an item on Put and Delete but changes it in place on Update: only
            # those are copied (a copy of a large item costs more than the whole write).
            before = [(table, key, copy.deepcopy(item) if op_type == "Update" else item)
                      for op_type, _, table, key in plan for item in [self.get_item(table, key)]]
            try:
                for op_type, op, table, key in plan:
                    _apply(self, op_type, op, table, key)
            except Exception:
                for table, key, item in before:  # not a condition (all held): put things back
                    if item is None:
                        self.delete_item(table, key)
                    else:
                        self.put_item(table, item.to_json()["Attributes"])
                raise

    setattr(DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010 - patching a class
    setattr(DynamoDBBackend, "_ontime_isolated", True)  # noqa: B010
    return True


def _serialized(write: Callable[..., Any]) -> Callable[..., Any]:
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _DYNAMODB_WRITES:
            return write(*args, **kwargs)

    return locked


def _checked_plan(backend: Any, transact_items: list[dict[str, Any]], comparisons: Any, exceptions: Any
                  ) -> list[tuple[str, dict[str, Any], str, dict[str, Any]]]:
    """Every operation with its key, after checking every condition; raises what DynamoDB would."""
    if len(transact_items) > 100:
        raise exceptions.TooManyTransactionsException()
    plan: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = []
    targets: set[tuple[str, str]] = set()
    reasons: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    for entry in transact_items:
        if len(entry) != 1:
            raise exceptions.TransactWriteSingleOpException()
        op_type, op = next(iter(entry.items()))
        if op_type not in ("ConditionCheck", "Put", "Delete", "Update"):
            raise exceptions.MockValidationException(f"unsupported transaction operation {op_type}")
        table_name = op["TableName"]
        if op_type == "Put":
            table = backend.get_table(table_name)
            key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = op["Item"][table.range_key_attr]
        else:
            key = op["Key"]
        target = (str(table_name), str(dict(sorted(key.items()))))
        if target in targets:
            raise exceptions.MultipleTransactionsException()
        targets.add(target)
        current = backend.get_item(table_name, key)
        condition = op.get("ConditionExpression")
        if condition is not None and not comparisons.get_filter_expression(
                condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")).expr(current):
            old = current.to_json()["Attributes"] if (
                op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current) else None
            reasons.append(("ConditionalCheckFailed", "The conditional request failed", old))
        else:
            reasons.append((None, None, None))
        plan.append((op_type, op, table_name, key))
    if any(code is not None for code, _, _ in reasons):
        raise exceptions.TransactionCanceledException(reasons)
    return plan


def _apply(backend: Any, op_type: str, op: dict[str, Any], table: str, key: dict[str, Any]) -> None:
    names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    if op_type == "Put":
        backend.put_item(table, op["Item"], expression_attribute_names=names, expression_attribute_values=values)
    elif op_type == "Delete":
        backend.delete_item(table, key, expression_attribute_names=names, expression_attribute_values=values)
    elif op_type == "Update":
        backend.update_item(table, key, update_expression=op["UpdateExpression"],
                            expression_attribute_names=names, expression_attribute_values=values)


class RememberingDispatcher:
    """moto's dispatcher finds the backend of every request anew, listing its own package folder
    under a global lock (~0.5 ms a request). For the hot services the backend only depends on the
    signing scope and the JSON target's prefix, so remember it; anything else goes the usual way."""

    _REMEMBERED_SERVICES = frozenset({"dynamodb", "sqs"})

    def __init__(self, dispatcher: DomainDispatcherApplication) -> None:
        self._dispatcher = dispatcher
        self._apps: dict[tuple[str, str], Any] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        scope = _credential_scope(environ.get("HTTP_AUTHORIZATION", ""))
        if scope is None or scope.split("/")[1] not in self._REMEMBERED_SERVICES:
            return self._dispatcher(environ, start_response)  # type: ignore[no-any-return]
        key = (scope, environ.get("HTTP_X_AMZ_TARGET", "").partition(".")[0])
        app = self._apps.get(key)
        if app is None:
            app = self._apps.setdefault(key, self._dispatcher.get_application(environ))
        return app(environ, start_response)  # type: ignore[no-any-return]


def _credential_scope(authorization: str) -> str | None:
    """`us-east-1/dynamodb` from a SigV4 Authorization header."""
    parts = authorization.split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    return f"{parts[2]}/{parts[3]}" if len(parts) == 5 else None


_querying = threading.local()


def query_without_sorting_the_table() -> bool:
    """Make a DynamoDB Query cost what its results cost, not what the table holds; returns False,
    changing nothing, if moto's shape has changed.

    moto answers every Query, on the table or an index, by walking `Table.all_items()`, which
    sorts the whole table by its keys first (comparing `DynamoType`s, ≈ 1 µs each) — and then sorts
    the matches again by the query's own keys. A voucher's bookings (one `by_voucher` query) cost
    ≈ 15 ms once the bookings table held 2,000, under the moto process's one GIL, and every due
    alarm waited behind it. The second sort orders matches by every key of the index and of the
    table, a total order, so the first one changes nothing a query answers: here a Query walks the
    items as they are stored. Scans keep moto's order. `tests/integration/test_local_aws_fast_paths.py`
    replays queries on both.
    """
    from moto.dynamodb.models import table

    table_class = getattr(table, "Table", None)
    if table_class is None or not callable(getattr(table_class, "query", None)) or not callable(
            getattr(table_class, "all_items", None)) or not callable(getattr(table_class, "sorted_items", None)):
        return False
    query, all_items = table_class.query, table_class.all_items

    def stored_items(self: Any) -> list[Any]:
        if not getattr(_querying, "active", False):
            return list(all_items(self))
        items: list[Any] = []
        for hash_set in self.items.values():
            items.extend(hash_set.values() if self.range_key_attr else (hash_set,))
        return items

    def unsorted_query(self: Any, *args: Any, **kwargs: Any) -> Any:
        _querying.active = True
        try:
            return query(self, *args, **kwargs)
        finally:
            _querying.active = False

    table_class.all_items = stored_items
    table_class.query = unsorted_query
    return True


def speed_up_moto() -> None:
    """Install every patch above in this process's moto (each warns and changes nothing if moto's
    shape has changed)."""
    warn = logging.getLogger(__name__).warning
    if not serialize_dynamodb_items_directly():
        warn("moto's DynamoResult changed shape: DynamoDB calls will be slower")
    if not size_dynamodb_items_once():
        warn("moto's DynamoDB Item changed shape: large items will be slow")
    if not isolate_dynamodb_transactions():
        warn("moto's DynamoDB transactions changed shape: concurrent transactions may undo each other's writes")
    if not speed_up_sqs_queues():
        warn("moto's SQS Queue changed shape: queues with many waiting alarms will be slow")
    if not query_without_sorting_the_table():
        warn("moto's DynamoDB Table changed shape: queries of large tables will be slow")
    if not remember_response_methods():
        warn("moto's responses changed shape: every AWS call will be slower")


class MotoEndpoint:
    """moto's server in a thread, on `sock` (already listening) or else on `host:port` (port 0
    picks a free port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5000, sock: socket.socket | None = None) -> None:
        self._host = host
        self._port = port
        self._sock = sock
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per AWS call is noise
        speed_up_moto()
        app = RememberingDispatcher(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler,
                                   fd=None if self._sock is None else self._sock.fileno())
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        port = self._server.server_address[1]
        return f"http://{self._host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(2)
