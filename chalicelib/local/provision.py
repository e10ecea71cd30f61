"""Create the tables, queues and buckets of `infra/template.json` in an AWS endpoint (moto, locally).

The template is the one definition: what CloudFormation deploys is what the local stack and
the tests run against.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.settings import Settings

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.json"
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


def create_queues(sqs: Any) -> dict[str, str]:
    """Queues in dependency order (dead-letter queues first); returns name → URL."""
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
            if redrive:
                attributes["RedrivePolicy"] = json.dumps(
                    {"deadLetterTargetArn": arns[target], "maxReceiveCount": redrive["maxReceiveCount"]})
            url = sqs.create_queue(QueueName=props["QueueName"], Attributes=attributes)["QueueUrl"]
            urls[props["QueueName"]] = url
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            arns[logical] = attrs["Attributes"]["QueueArn"]
            del pending[logical]
    return urls


def create_buckets(s3: Any, names: tuple[str, ...]) -> None:
    """The template's buckets get CloudFormation's generated names in AWS; locally, the names the
    settings default to."""
    buckets = infra_resources("AWS::S3::Bucket")
    assert len(buckets) == len(names), f"the template has {len(buckets)} bucket(s), {len(names)} name(s) given"
    for name in names:
        s3.create_bucket(Bucket=name)


def provision(dynamodb: Any, sqs: Any, table_prefix: str = "ontime-", s3: Any = None) -> dict[str, str]:
    create_tables(dynamodb, table_prefix)
    if s3 is not None:
        create_buckets(s3, (Settings.from_env({}).photo_bucket,))
    return create_queues(sqs)
