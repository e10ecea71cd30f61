"""Create the tables, queues and buckets of `infra/template.json` in an AWS endpoint (moto, locally).

The template is the one definition: what CloudFormation deploys is what the local stack and
the tests run against.
"""

from __future__ import annotations

import json
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


def bucket_environment() -> dict[str, str]:
    """The template's buckets get CloudFormation's generated names in AWS, which the functions read
    from an environment variable (`ONTIME_PHOTO_BUCKET: Ref PhotoBucket`); locally each is named
    after its logical id (`PhotoBucket` → `ontime-photos`). Variable → local bucket name."""
    variables: dict[str, Any] = json.loads(TEMPLATE.read_text())["Globals"]["Function"]["Environment"]["Variables"]
    buckets = infra_resources("AWS::S3::Bucket")
    return {name: f"ontime-{value['Ref'].removesuffix('Bucket').lower()}s" for name, value in variables.items()
            if isinstance(value, dict) and value.get("Ref") in buckets}


def create_buckets(s3: Any) -> dict[str, str]:
    named = bucket_environment()
    for bucket in named.values():
        s3.create_bucket(Bucket=bucket)
    return named


def provision(dynamodb: Any, sqs: Any, table_prefix: str = "ontime-", s3: Any = None) -> dict[str, str]:
    """Tables, queues (and with `s3`, buckets): the queues' URLs by name."""
    create_tables(dynamodb, table_prefix)
    if s3 is not None:
        create_buckets(s3)
    return create_queues(sqs)
