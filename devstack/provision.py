"""Create the tables, queues and buckets of `infra/template.json` in an AWS endpoint (moto, locally),
and the buckets' notifications to the queues.

The template is the one definition: what CloudFormation deploys is what the local stack and
the tests run against.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[1] / "infra" / "template.json"
_TABLE_ARGS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")


def infra_resources(resource_type: str) -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = json.loads(TEMPLATE.read_text())["Resources"]
    return {name: r["Properties"] for name, r in resources.items() if r["Type"] == resource_type}


def table_definitions(table_prefix: str = "ontime-") -> list[dict[str, Any]]:
    """`create_table` arguments per table, renamed from the template's `ontime-` to the prefix."""
    definitions = []
    for props in infra_resources("AWS::DynamoDB::Table").values():
        args = {k: props[k] for k in _TABLE_ARGS if k in props}
        args["TableName"] = table_prefix + props["TableName"].removeprefix("ontime-")
        args["_ttl"] = props.get("TimeToLiveSpecification")
        definitions.append(args)
    return definitions


def create_tables(dynamodb: Any, table_prefix: str = "ontime-") -> list[str]:
    names = []
    for definition in table_definitions(table_prefix):
        ttl = definition.pop("_ttl")
        dynamodb.create_table(**definition)
        if ttl:
            dynamodb.update_time_to_live(TableName=definition["TableName"], TimeToLiveSpecification=ttl)
        names.append(definition["TableName"])
    return names


def create_queues(sqs: Any, visibility_timeout_s: Mapping[str, int] | None = None) -> dict[str, str]:
    """Queues in dependency order (dead-letter queues first); returns name → URL. `visibility_timeout_s`
    replaces the template's for the queues it names (a test that waits for redeliveries)."""
    return _create_queues(sqs, visibility_timeout_s or {})[0]


def _create_queues(sqs: Any, visibility_timeout_s: Mapping[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    """(name → URL, logical id → ARN)."""
    queues = infra_resources("AWS::SQS::Queue")
    urls: dict[str, str] = {}
    arns: dict[str, str] = {}
    pending = dict(queues)
    while pending:
        for logical, props in list(pending.items()):
            redrive = props.get("RedrivePolicy")
            target: str = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] if redrive else ""
            if target and target not in arns:
                continue
            copied = ("VisibilityTimeout", "MessageRetentionPeriod")
            attributes: dict[str, str] = {k: str(props[k]) for k in copied if k in props}
            if props["QueueName"] in visibility_timeout_s:
                attributes["VisibilityTimeout"] = str(visibility_timeout_s[props["QueueName"]])
            if redrive:
                attributes["RedrivePolicy"] = json.dumps(
                    {"deadLetterTargetArn": arns[target], "maxReceiveCount": redrive["maxReceiveCount"]})
            url = sqs.create_queue(QueueName=props["QueueName"], Attributes=attributes)["QueueUrl"]
            urls[props["QueueName"]] = url
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            arns[logical] = attrs["Attributes"]["QueueArn"]
            del pending[logical]
    return urls, arns


def bucket_environment() -> dict[str, str]:
    """The template's buckets get CloudFormation's generated names in AWS, which the functions read
    from an environment variable (`ONTIME_PHOTO_BUCKET: Ref PhotoBucket`); locally each is named
    after its logical id (`PhotoBucket` → `ontime-photos`). Variable → local bucket name."""
    variables: dict[str, Any] = json.loads(TEMPLATE.read_text())["Globals"]["Function"]["Environment"]["Variables"]
    buckets = infra_resources("AWS::S3::Bucket")
    return {name: local_bucket_name(value["Ref"]) for name, value in variables.items()
            if isinstance(value, dict) and value.get("Ref") in buckets}


def local_bucket_name(logical_id: str) -> str:
    return f"ontime-{logical_id.removesuffix('Bucket').lower()}s"


def queue_environment(queue_urls: dict[str, str]) -> dict[str, str]:
    """Variables that name a template's queue (`ONTIME_VIDEO_QUEUE_URL: Ref VideoQueue`, its URL in
    AWS) → that queue's local URL."""
    variables: dict[str, Any] = json.loads(TEMPLATE.read_text())["Globals"]["Function"]["Environment"]["Variables"]
    queues = infra_resources("AWS::SQS::Queue")
    return {name: queue_urls[queues[value["Ref"]]["QueueName"]] for name, value in variables.items()
            if isinstance(value, dict) and value.get("Ref") in queues}


def create_buckets(s3: Any) -> dict[str, str]:
    named = bucket_environment()
    for bucket in named.values():
        s3.create_bucket(Bucket=bucket)
    return named


def notification_configurations(queue_arns: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """`put_bucket_notification_configuration` arguments by local bucket name: the template's
    queue notifications, with each queue's `Fn::GetAtt [Queue, Arn]` as the local queue's ARN."""
    configurations: dict[str, dict[str, Any]] = {}
    for logical, props in infra_resources("AWS::S3::Bucket").items():
        queues = props.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
        if queues:
            configurations[local_bucket_name(logical)] = {"QueueConfigurations": [
                {"QueueArn": queue_arns[queue["Queue"]["Fn::GetAtt"][0]], "Events": [queue["Event"]],
                 **({"Filter": {"Key": {"FilterRules": queue["Filter"]["S3Key"]["Rules"]}}} if "Filter" in queue
                    else {})} for queue in queues]}
    return configurations


def create_notifications(s3: Any, queue_arns: Mapping[str, str]) -> None:
    """moto, like S3, sends each queue an `s3:TestEvent` when its bucket's configuration is set."""
    for bucket, configuration in notification_configurations(queue_arns).items():
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=configuration)


def provision(dynamodb: Any, sqs: Any, table_prefix: str = "ontime-", s3: Any = None,
              visibility_timeout_s: Mapping[str, int] | None = None) -> dict[str, str]:
    """Tables, queues (and with `s3`, buckets and their notifications): the queues' URLs by name."""
    create_tables(dynamodb, table_prefix)
    urls, arns = _create_queues(sqs, visibility_timeout_s or {})
    if s3 is not None:
        create_buckets(s3)
        create_notifications(s3, arns)
    return urls
