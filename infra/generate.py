"""`./dev infra [--check]`: the deployment artefacts, generated from the packages' declarations.

    infra/template.json          tables (with each waiting kind's `due` index), queues, alarms (one
                                 lateness alarm per waiting kind), the dashboard, environment, outputs
    .chalice/policy-<fn>.json    each Lambda function's least-privilege policy
    .chalice/config.json         which policy file each function has, and the memory, timeout and
                                 concurrency of the packages' own functions (the rest of the file is kept)
    docs/data.md                 the tables and their access patterns
    docs/openapi.json            the REST API's OpenAPI 3.1 document (routes and their models; the
                                 local stack's own `POST /dev/tokens` is not in it)
    docs/asyncapi.json           the terminals' WebSocket as AsyncAPI 3.0 (declared messages, actions)
    chalicelib/route_table.py    every route's module, view, path and methods, and every package's
                                 queue-fed function: what `app.py` registers without importing a
                                 view or a handler (the cold start's import stays small)
    chalicelib/aws_endpoints.json  botocore's endpoint data of the services the app declares
                                 (`chalicelib/aws.py`), for the installed botocore: what a container's
                                 first client reads instead of all of `endpoints.json`

With `--check` nothing is written: it fails, listing the files, when a committed file differs from
what the declarations produce (`./dev test` runs it).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from chalicelib.aws import DECLARED_ENDPOINTS, declared_endpoints_document
from chalicelib.bootstrap import contributions
from chalicelib.contribution import Contribution, Function, Grant, Permission, QueueFunction, Table
from chalicelib.http.openapi import openapi_document
from chalicelib.persistence.tables import short_name
from chalicelib.push.asyncapi import terminals_document
from infra import platform, site

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "infra" / "template.json"
CHALICE = ROOT / ".chalice"
CONFIG = CHALICE / "config.json"
DATA_DOC = ROOT / "docs" / "data.md"
OPENAPI_DOC = ROOT / "docs" / "openapi.json"
ASYNCAPI_DOC = ROOT / "docs" / "asyncapi.json"
ROUTE_TABLE = ROOT / "chalicelib" / "route_table.py"
TABLE_PREFIX = "ontime-"
"""The deployed tables' prefix (`ONTIME_TABLE_PREFIX` of `.chalice/config.json`)."""
QUERIES = {"dynamodb:Query", "dynamodb:Scan"}


# ── tables ──────────────────────────────────────────────────────────────────────────────────


def logical_id(model: type[Model]) -> str:
    return "".join(part.capitalize() for part in short_name(model).split("_")) + "Table"


def table_resource(model: type[Model]) -> dict[str, Any]:
    schema = model._get_schema()
    definitions = {d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]}
    indexes = []
    for index in sorted(schema["global_secondary_indexes"], key=lambda i: str(i["index_name"])):
        definitions.update({d["AttributeName"]: d["AttributeType"] for d in index["attribute_definitions"]})
        indexes.append({"IndexName": index["index_name"], "KeySchema": _keys(index["key_schema"]),
                        "Projection": dict(index["projection"])})
    properties: dict[str, Any] = {
        "TableName": TABLE_PREFIX + short_name(model),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in sorted(definitions.items())],
        "KeySchema": _keys(schema["key_schema"]),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }
    if indexes:
        properties["GlobalSecondaryIndexes"] = indexes
    ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    if ttl:
        properties["TimeToLiveSpecification"] = {"AttributeName": ttl[0], "Enabled": True}
    # Deleting the stack keeps the data (a new stack then needs the old tables removed by hand).
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": properties}


def _keys(key_schema: Iterable[Any]) -> list[dict[str, str]]:
    return sorted(({"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in key_schema),
                  key=lambda k: k["KeyType"] != "HASH")


def tables_of(packages: Sequence[Contribution]) -> list[Table]:
    tables = [table for package in packages for table in package.tables]
    names = [short_name(t.model) for t in tables]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise SystemExit(f"infra: more than one package declares the table(s) {', '.join(duplicated)}")
    return tables


def check_waiting_kinds(packages: Sequence[Contribution]) -> None:
    for package in packages:
        for waiting in package.waiting:
            if "due" not in {i["index_name"] for i in waiting.model._get_schema()["global_secondary_indexes"]}:
                raise SystemExit(f"infra: {package.name}'s waiting kind {waiting.kind!r} has no `due` index on "
                                 f"{short_name(waiting.model)} (give its model `due = DueIndex()`)")
            if waiting.model not in {t.model for t in package.tables}:
                raise SystemExit(f"infra: {package.name}'s waiting kind {waiting.kind!r} is on a table it does "
                                 "not declare")


# ── policies ────────────────────────────────────────────────────────────────────────────────


def implied_grants(packages: Sequence[Contribution]) -> dict[type[Model], list[Grant]]:
    """What the engine does with every waiting kind's table: the alarm consumer reads and commits
    it (and marks a trigger it could not send: an UpdateItem), the sweeper queries its `due`
    index; and a package's function that pushes finds a party's connections as the platform's
    pushing functions do."""
    implied: dict[type[Model], list[Grant]] = {}
    pushing = tuple(own.name for own in queue_functions(packages) if own.pushes)
    if pushing:
        from chalicelib.persistence.connections import ConnectionModel

        implied.setdefault(ConnectionModel, []).append(
            Grant(pushing, ("dynamodb:Query", "dynamodb:DeleteItem"), ("by_party",)))
    for package in packages:
        for waiting in package.waiting:
            implied.setdefault(waiting.model, []).extend([
                Grant((Function.FIRE_ALARMS,), ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")),
                Grant((Function.SWEEP_ALARMS,), ("dynamodb:Query",), ("due",)),
            ])
    return implied


def _resources(model: type[Model], grant: Grant) -> list[Any]:
    table = logical_id(model)
    resources: list[Any] = []
    if not grant.indexes or set(grant.actions) - QUERIES:
        resources.append({"Fn::GetAtt": [table, "Arn"]})
    resources += [{"Fn::Sub": f"${{{table}.Arn}}/index/{index}"} for index in grant.indexes]
    return resources


@dataclass
class _Statement:
    sid: str
    actions: list[str]
    resources: list[Any]
    condition: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        statement: dict[str, Any] = {"Sid": self.sid, "Effect": "Allow", "Action": self.actions,
                                     "Resource": self.resources}
        if self.condition:
            statement["Condition"] = self.condition
        return statement


def functions_of(packages: Sequence[Contribution]) -> list[str]:
    named = {str(f) for p in packages for t in p.tables for g in t.grants for f in g.functions}
    named |= {str(f) for p in packages for perm in p.permissions for f in perm.functions}
    named |= {f.name for f in queue_functions(packages)}
    return [*(f.value for f in Function), *sorted(named - {f.value for f in Function})]


def queue_functions(packages: Sequence[Contribution]) -> list[QueueFunction]:
    declared = [function for p in packages for function in p.functions]
    names = [f.name for f in declared]
    clashing = sorted({n for n in names if names.count(n) > 1} | (set(names) & {f.value for f in Function}))
    if clashing:
        raise SystemExit(f"infra: the function name(s) {', '.join(clashing)} are declared twice or are the platform's")
    return declared


def check_queue_functions(packages: Sequence[Contribution]) -> None:
    """A package's function is fed by a queue of its own, hidden long enough while it runs, and
    carries only layers the package declares."""
    for package in packages:
        for function in package.functions:
            queue = dict(package.resources).get(function.queue, {})
            if queue.get("Type") != "AWS::SQS::Queue":
                raise SystemExit(f"infra: {package.name}'s function {function.name} is fed by {function.queue!r}, "
                                 "which is not an AWS::SQS::Queue of its resources")
            properties = queue["Properties"]
            if properties.get("QueueName") != function.queue_name:
                raise SystemExit(f"infra: {package.name}'s function {function.name} names the queue "
                                 f"{function.queue_name!r}, but {function.queue} is {properties.get('QueueName')!r}")
            if properties.get("VisibilityTimeout", 30) < 6 * function.timeout_s:
                raise SystemExit(f"infra: {function.queue}'s VisibilityTimeout must be at least 6 × "
                                 f"{function.name}'s timeout ({6 * function.timeout_s} s): AWS's advice for an "
                                 "SQS event source, so that a message is not taken again while it is processed")
            for layer in function.layers:
                if dict(package.resources).get(layer, {}).get("Type") != "AWS::Serverless::LayerVersion":
                    raise SystemExit(f"infra: {package.name}'s function {function.name} names the layer {layer!r}, "
                                     "which is not an AWS::Serverless::LayerVersion of its resources")


def dead_letter_queue(function: QueueFunction, packages: Sequence[Contribution]) -> str | None:
    """The logical id of the queue the function's queue moves failed messages to, if any."""
    for package in packages:
        queue = dict(package.resources).get(function.queue)
        if queue is not None:
            redrive = queue["Properties"].get("RedrivePolicy")
            return str(redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]) if redrive else None
    return None


def policy(function: str, packages: Sequence[Contribution]) -> dict[str, Any]:
    statements = [_Statement("OwnLogGroups", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], [
        {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                    "/aws/lambda/${AWS::StackName}-*"},
        {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                    "/aws/lambda/${AWS::StackName}-*:log-stream:*"}])]
    implied = implied_grants(packages)
    for table in tables_of(packages):
        by_resources: dict[str, _Statement] = {}
        for grant in (*table.grants, *implied.get(table.model, [])):
            if function not in grant.functions:
                continue
            resources = _resources(table.model, grant)
            key = json.dumps(resources, sort_keys=True)
            statement = by_resources.setdefault(key, _Statement("", [], resources))
            statement.actions = sorted(set(statement.actions) | set(grant.actions))
        for n, statement in enumerate(by_resources.values(), start=1):
            statement.sid = logical_id(table.model) + ("" if n == 1 else str(n))
            statements.append(statement)
    if function in platform.ARMING:
        statements.append(_Statement("ArmAlarms", ["sqs:SendMessage"], [{"Fn::GetAtt": ["AlarmQueue", "Arn"]}]))
    if function == Function.FIRE_ALARMS:
        # ChangeMessageVisibility: a batch comes back after the grace if its invocation dies (`guard_batch`).
        statements.append(_Statement("ConsumeAlarms", ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                                                       "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
                                     [{"Fn::GetAtt": ["AlarmQueue", "Arn"]}]))
    for own in queue_functions(packages):
        if own.name == function:  # with its own role, SAM does not add the event source's rights
            statements.append(_Statement(f"Consume{own.queue}", ["sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                                                 "sqs:ReceiveMessage"],
                                         [{"Fn::GetAtt": [own.queue, "Arn"]}]))
    if function in platform.PUSHING or any(own.name == function and own.pushes for own in queue_functions(packages)):
        statements.append(_Statement("PushToTerminals", ["execute-api:ManageConnections"], [{"Fn::Sub": (
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebsocketAPI}/"
            f"{platform.API_STAGE}/*/@connections/*")}]))
    permissions: list[Permission] = [perm for p in packages for perm in p.permissions if function in perm.functions]
    statements += [_Statement(p.sid, sorted(p.actions), list(p.resources),
                              None if p.condition is None else dict(p.condition)) for p in permissions]
    return {"Version": "2012-10-17", "Statement": [s.as_json() for s in statements]}


def policy_file(function: str) -> str:
    return f"policy-{function.replace('_', '-')}.json"


def config(packages: Sequence[Contribution]) -> dict[str, Any]:
    """`.chalice/config.json` with each function pointed at its own policy (everything else kept)."""
    current: dict[str, Any] = json.loads(CONFIG.read_text())
    current.pop("iam_policy_file", None)  # every function has its own: none falls back to a shared one
    functions: dict[str, Any] = current.setdefault("lambda_functions", {})
    for function in functions_of(packages):
        functions[function] = {**functions.get(function, {}), "iam_policy_file": policy_file(function)}
    for own in queue_functions(packages):
        settings: dict[str, Any] = {"lambda_memory_size": own.memory_mb, "lambda_timeout": own.timeout_s}
        if own.reserved_concurrency is not None:
            settings["reserved_concurrency"] = own.reserved_concurrency
        functions[own.name] = {**settings, "iam_policy_file": policy_file(own.name)}
    current["lambda_functions"] = {name: functions[name] for name in sorted(functions)}
    return current


# ── the template ────────────────────────────────────────────────────────────────────────────


def template(packages: Sequence[Contribution]) -> dict[str, Any]:
    check_waiting_kinds(packages)
    check_queue_functions(packages)
    resources: dict[str, Any] = {logical_id(t.model): table_resource(t.model) for t in tables_of(packages)}
    resources.update(platform.RESOURCES)
    _add(resources, site.RESOURCES, "the terminals' site")
    for package in packages:
        _add(resources, package.resources, package.name)
    _add(resources, {platform.function_resource(name): extra for name, extra in queue_function_properties(packages)},
         "a queue-fed function")
    alarms: dict[str, Any] = dict(platform.ALARMS)
    for package in packages:
        for waiting in package.waiting:
            alarms[f"{waiting.kind.title().replace('_', '')}AlarmLatenessAlarm"] = platform.lateness_alarm(
                waiting.kind, waiting.waits_for)
    for package in packages:
        for own in package.alarms:
            alarms[own.logical_id] = platform.alarm(
                own.name, own.description, "ontime", own.metric, dimensions=dict(own.dimensions) or None,
                period_s=own.period_s, evaluations=1, breaching=1, threshold=own.threshold,
                comparison=own.comparison, statistic=own.statistic, ok=False)
    for function in queue_functions(packages):
        alarms.update(platform.queue_function_alarms(function.name, function.queue,
                                                     dead_letter_queue(function, packages)))
    alarms.update(platform.API_ALARMS)
    _add(resources, alarms, "the alarms")
    resources["OpsDashboard"] = {"Type": "AWS::CloudWatch::Dashboard", "Properties": {
        "DashboardName": "ontime", "DashboardBody": platform.sub_body(dashboard(packages, list(alarms)))}}
    environment = dict(platform.ENVIRONMENT)
    outputs = dict(platform.OUTPUTS)
    _add(outputs, site.OUTPUTS, "the terminals' site")
    parameters, conditions = dict(platform.PARAMETERS), dict(platform.CONDITIONS)
    _add(parameters, site.PARAMETERS, "the terminals' site")
    _add(conditions, site.CONDITIONS, "the terminals' site")
    for package in packages:
        _add(environment, package.environment, package.name)
        _add(outputs, package.outputs, package.name)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": platform.DESCRIPTION,
        "Parameters": parameters,
        "Conditions": conditions,
        "Globals": {"Function": {"Environment": {"Variables": environment}}},
        "Resources": resources,
        "Outputs": outputs,
    }


def queue_function_properties(packages: Sequence[Contribution]) -> list[tuple[str, dict[str, Any]]]:
    """Every queue-fed function's additions to Chalice's resource: the platform's `fire_alarms`
    and each package's function."""
    return [(Function.FIRE_ALARMS.value, reports_batch_item_failures(Function.FIRE_ALARMS.value)),
            *((f.name, _merged(function_properties(f), reports_batch_item_failures(f.name)))
              for f in queue_functions(packages))]


def reports_batch_item_failures(function: str) -> dict[str, Any]:
    """`ReportBatchItemFailures` on the function's SQS event source, which Chalice's `on_sqs_message`
    cannot say: the function answers the ids of the messages that failed, and Lambda deletes the
    others (`chalicelib/core/batches.py`). Merged into the event Chalice declares (its name is
    Chalice's: `<function>-sqs-event-source` as a logical id), so its queue and batch size stay Chalice's."""
    from chalice.utils import to_cfn_resource_name

    event = to_cfn_resource_name(f"{function}-sqs-event-source")
    return {"Type": "AWS::Serverless::Function", "Properties": {"Events": {event: {
        "Type": "SQS", "Properties": {"FunctionResponseTypes": ["ReportBatchItemFailures"]}}}}}


def _merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    merged = dict(first)
    for key, value in second.items():
        merged[key] = _merged(merged[key], value) if isinstance(value, dict) and isinstance(
            merged.get(key), dict) else value
    return merged


def function_properties(function: QueueFunction) -> dict[str, Any]:
    """What Chalice's function resource does not say about a package's function, merged into it by
    `chalice package --merge-template`: its layers and description (Chalice fills neither, so
    nothing of Chalice's is overridden)."""
    properties: dict[str, Any] = {}
    if function.layers:
        properties["Layers"] = [{"Ref": layer} for layer in function.layers]
    if function.description:
        properties["Description"] = function.description
    return {"Type": "AWS::Serverless::Function", "Properties": properties} if properties else {}


def _add(into: dict[str, Any], more: Any, who: str) -> None:
    for key, value in dict(more).items():
        if key in into:
            raise SystemExit(f"infra: {who} declares {key!r}, which is already declared")
        into[key] = value


def dashboard(packages: Sequence[Contribution], alarm_ids: list[str]) -> dict[str, Any]:
    """The alarm states on top, then the platform's graphs, then each package's, two to a row."""
    widgets: list[dict[str, Any]] = [{"type": "alarm", "x": 0, "y": 0, "width": 24, "height": 3, "properties": {
        "title": "ontime alarms", "alarms": [platform.ref(f"{a}.Arn") for a in alarm_ids]}}]
    graphs = [*platform.PLATFORM_WIDGETS, platform.function_errors_widget(functions_of(packages))]
    graphs += [platform.queue_function_widget(f.name, f.queue, dead_letter_queue(f, packages))
               for f in queue_functions(packages)]
    graphs += [(w.title, [list(row) for row in w.metrics], {"period": w.period_s, **({"stacked": True} if w.stacked
                                                                                     else {})})
               for p in packages for w in p.widgets]
    y = 3
    row: list[dict[str, Any]] = []
    for title, metrics, extra in graphs:
        wide = title.startswith("Function errors")
        properties = {"title": title, "region": platform.ref("AWS::Region"), "view": "timeSeries",
                      "metrics": metrics, **extra}
        if wide or len(row) == 2:
            y += 6 if row else 0
            row = []
        widget = {"type": "metric", "x": 12 * len(row), "y": y, "width": 24 if wide else 12, "height": 6,
                  "properties": properties}
        widgets.append(widget)
        row.append(widget)
        if wide:
            y += 6
            row = []
    return {"widgets": widgets}


# ── docs/data.md ────────────────────────────────────────────────────────────────────────────


def data_doc(packages: Sequence[Contribution]) -> str:
    lines = [
        "# Tables and access patterns",
        "",
        "Generated by `./dev infra` from the packages' declarations (each package's `wiring.py` and",
        "`tables.py`): do not edit. Every table is a PynamoDB model of one package; `infra/template.json`,",
        "the local stack and the tests create the tables from those models.",
        "",
        "| package | access pattern | table / index | key condition | notes |",
        "|---|---|---|---|---|",
    ]
    for package in packages:
        for table in package.tables:
            for p in table.patterns:
                lines.append(f"| {package.name} | {p.pattern} | {p.where} | {p.key} | {p.notes} |")
        for waiting in package.waiting:
            lines.append(f"| {package.name} | {waiting.kind} alarms due before a moment (the sweeper) | "
                         f"`{short_name(waiting.model)}.due` | `due_shard = :s AND wake_at <= :t` | sparse: only "
                         "entities with a pending alarm; 16 shards by `crc32(id) % 16`, so no hot partition |")
    for package in packages:
        if package.data_notes:
            lines += ["", f"**{package.name}**: {package.data_notes}"]
    return "\n".join(lines) + "\n"


# ── the route table ─────────────────────────────────────────────────────────────────────────

ROUTE_TABLE_HEADER = '''"""Generated by `./dev infra` from the packages' route declarations: do not edit.

Every route's view, path and methods by the view's module, as the packages declare them, and
every queue-fed function a package adds (name, handler module, queue name, batch size). `app.py`
registers the routes from this table (`http/routing.py`'s `lazy_blueprints`) and the functions
(`functions.py`'s `lazy_queue_functions`) so that importing it imports no view, model, service or
handler: a view's module is imported at the first request for one of its routes, a handler's at
its first event. `./dev infra --check` (and so `./dev test`) fails when this differs from the
declarations.
"""

from chalicelib.functions import FunctionRow
from chalicelib.http.routing import RouteRow

ROUTES: dict[str, tuple[RouteRow, ...]] = {
'''
FUNCTIONS_HEADER = '''
FUNCTIONS: tuple[FunctionRow, ...] = (
'''


def route_table(packages: Sequence[Contribution]) -> str:
    lines = []
    for routes in (routes for package in packages for routes in package.routes):
        lines.append(f"    {json.dumps(routes.import_name)}: (")
        lines += [f"        ({json.dumps(spec.view)}, {json.dumps(spec.path)}, "
                  f"({''.join(json.dumps(m) + ',' for m in spec.methods)})),"
                  for spec in routes.specs]
        lines.append("    ),")
    functions = [f"    ({json.dumps(f.name)}, {json.dumps(f.module)}, {json.dumps(f.queue_name)}, {f.batch_size}),"
                 for f in queue_functions(packages)]
    return ROUTE_TABLE_HEADER + "\n".join(lines) + "\n}\n" + FUNCTIONS_HEADER + "".join(
        f"{line}\n" for line in functions) + ")\n"


# ── writing and checking ────────────────────────────────────────────────────────────────────


def artefacts(packages: Sequence[Contribution]) -> dict[Path, str]:
    files = {TEMPLATE: _json(template(packages)), CONFIG: _json(config(packages)), DATA_DOC: data_doc(packages),
             OPENAPI_DOC: _json(openapi_document([(p.name, routes) for p in packages for routes in p.routes])),
             ASYNCAPI_DOC: _json(terminals_document(packages)),
             ROUTE_TABLE: route_table(packages), DECLARED_ENDPOINTS: declared_endpoints_document()}
    files.update({CHALICE / policy_file(f): _json(policy(f, packages)) for f in functions_of(packages)})
    return files


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def stale_policies(expected: Iterable[Path]) -> list[Path]:
    return sorted(set(CHALICE.glob("policy*.json")) - set(expected))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev infra", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="change nothing; fail if a committed file differs")
    args = parser.parse_args(argv)
    files = artefacts(contributions())
    stale = stale_policies(files)
    if args.check:
        differing = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
        for path in differing:
            old = path.read_text().splitlines() if path.exists() else []
            diff = difflib.unified_diff(old, files[path].splitlines(), str(path.relative_to(ROOT)), "generated",
                                        lineterm="", n=1)
            print("\n".join(list(diff)[:40]), file=sys.stderr)
        problems = [str(p.relative_to(ROOT)) for p in differing] + [f"{p.relative_to(ROOT)} (stale)" for p in stale]
        if problems:
            print(f"./dev infra --check: not what the declarations produce: {', '.join(problems)}; "
                  "run ./dev infra and commit the result", file=sys.stderr)
            return 1
        print(f"./dev infra --check: {len(files)} generated files match the declarations")
        return 0
    for path, text in files.items():
        path.write_text(text)
    for path in stale:
        path.unlink()
    print(f"./dev infra: wrote {', '.join(str(p.relative_to(ROOT)) for p in files)}"
          + (f"; removed {', '.join(str(p.relative_to(ROOT)) for p in stale)}" if stale else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
