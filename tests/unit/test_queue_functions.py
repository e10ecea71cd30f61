"""A package may add a Lambda function of its own, fed by one of its queues (`QueueFunction`):
everything that must know about it follows from the declaration — the app's registration (from the
generated table, without importing the handler), its config, policy, layers, alarms and graph."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from chalice.app import Chalice

from chalicelib.bootstrap import contributions
from chalicelib.contribution import Contribution, Function, Permission, Platform, QueueFunction, Wired
from chalicelib.functions import lazy_queue_functions
from infra import generate


def _nothing(platform: Platform) -> Wired[None]:
    return Wired(None)


THUMBNAILS = QueueFunction(name="make_thumbnails", module="tests.unit.thumbnail_handlers", queue="ThumbQueue",
                           queue_name="ontime-thumbs", batch_size=2, memory_mb=1024, timeout_s=60,
                           layers=("ThumbLayer",), reserved_concurrency=3, description="thumbnails")


def _queue(visibility_s: int = 360) -> dict[str, Any]:
    return {
        "ThumbDeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "ontime-thumbs-dlq"}},
        "ThumbQueue": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": "ontime-thumbs", "VisibilityTimeout": visibility_s,
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["ThumbDeadLetterQueue", "Arn"]},
                              "maxReceiveCount": 3}}},
        "ThumbLayer": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "./thumb.zip"}},
    }


def thumbnails(function: QueueFunction = THUMBNAILS, resources: dict[str, Any] | None = None) -> Contribution:
    return Contribution(
        name="thumbs", summary="a package the tests invent", build=_nothing, functions=(function,),
        resources=_queue() if resources is None else resources,
        permissions=(Permission("ReadPictures", (function.name,), ("s3:GetObject",), ("arn:aws:s3:::pictures/*",)),))


def with_thumbnails(package: Contribution | None = None) -> tuple[Contribution, ...]:
    return (*contributions(), package or thumbnails())


def test_a_packages_function_gets_its_own_policy_which_takes_its_queues_messages() -> None:
    packages = with_thumbnails()
    assert "make_thumbnails" in generate.functions_of(packages)
    statements = {s["Sid"]: s for s in generate.policy("make_thumbnails", packages)["Statement"]}
    assert statements["ConsumeThumbQueue"]["Action"] == ["sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                                         "sqs:ReceiveMessage"]
    assert statements["ConsumeThumbQueue"]["Resource"] == [{"Fn::GetAtt": ["ThumbQueue", "Arn"]}]
    assert statements["ReadPictures"]["Action"] == ["s3:GetObject"]
    others = {s["Sid"] for f in Function for s in generate.policy(f, packages)["Statement"]}
    assert "ConsumeThumbQueue" not in others and "ReadPictures" not in others


def test_a_packages_function_gets_its_memory_timeout_concurrency_and_policy_file_in_chalices_config() -> None:
    functions = generate.config(with_thumbnails())["lambda_functions"]
    assert functions["make_thumbnails"] == {"lambda_memory_size": 1024, "lambda_timeout": 60,
                                            "reserved_concurrency": 3,
                                            "iam_policy_file": "policy-make-thumbnails.json"}
    assert list(functions) == sorted(functions)


def test_its_layers_description_and_batch_failure_reports_are_merged_into_chalices_function_only() -> None:
    resources = generate.template(with_thumbnails())["Resources"]
    assert resources["MakeThumbnails"] == {"Type": "AWS::Serverless::Function", "Properties": {
        "Layers": [{"Ref": "ThumbLayer"}], "Description": "thumbnails",
        "Events": {"MakeThumbnailsSqsEventSource": {"Type": "SQS", "Properties": {
            "FunctionResponseTypes": ["ReportBatchItemFailures"]}}}}}


def test_it_gets_an_errors_alarm_a_dead_letter_alarm_and_a_graph_of_its_queue() -> None:
    resources = generate.template(with_thumbnails())["Resources"]
    errors = resources["MakeThumbnailsErrorsAlarm"]["Properties"]
    assert errors["Namespace"] == "AWS/Lambda" and errors["Dimensions"] == [
        {"Name": "FunctionName", "Value": {"Ref": "MakeThumbnails"}}]
    dead = resources["MakeThumbnailsDeadLettersAlarm"]["Properties"]
    assert (dead["MetricName"], dead["Threshold"], dead["ComparisonOperator"]) == (
        "ApproximateNumberOfMessagesVisible", 1, "GreaterThanOrEqualToThreshold")
    assert dead["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["ThumbDeadLetterQueue", "QueueName"]}}]
    body = json.dumps(resources["OpsDashboard"]["Properties"]["DashboardBody"])
    assert "${MakeThumbnailsDeadLettersAlarm.Arn}" in body and "make_thumbnails: its queue" in body
    assert "${ThumbDeadLetterQueue.QueueName}" in body


def test_the_route_table_lists_it_for_app_py() -> None:
    table = generate.route_table(with_thumbnails())
    assert '    ("make_thumbnails", "tests.unit.thumbnail_handlers", "ontime-thumbs", 2),\n' in table


@pytest.mark.parametrize(("package", "refusal"), [
    (thumbnails(resources={k: v for k, v in _queue().items() if k != "ThumbQueue"}), "not an AWS::SQS::Queue"),
    (thumbnails(QueueFunction(name="make_thumbnails", module="m", queue="ThumbQueue", queue_name="other")),
     "names the queue 'other'"),
    (thumbnails(resources=_queue(visibility_s=359)), "at least 6 × make_thumbnails's timeout"),
    (thumbnails(resources={k: v for k, v in _queue().items() if k != "ThumbLayer"}), "names the layer 'ThumbLayer'"),
    (thumbnails(QueueFunction(name="fire_alarms", module="m", queue="ThumbQueue", queue_name="ontime-thumbs")),
     "fire_alarms"),
])
def test_a_function_without_its_queue_hidden_long_enough_or_its_layer_or_with_a_taken_name_is_refused(
        package: Contribution, refusal: str) -> None:
    with pytest.raises(SystemExit, match=refusal):
        generate.template(with_thumbnails(package))


def test_registering_it_on_the_app_imports_no_handler_and_names_the_packages_own_handler() -> None:
    sys.modules.pop("tests.unit.thumbnail_handlers", None)  # whichever test ran first
    app = Chalice("probe")
    for blueprint in lazy_queue_functions([("make_thumbnails", "tests.unit.thumbnail_handlers", "ontime-thumbs", 2)]):
        app.register_blueprint(blueprint)
    assert "tests.unit.thumbnail_handlers" not in sys.modules
    [source] = app.event_sources
    assert (source.name, source.queue, source.batch_size, source.handler_string) == (  # type: ignore[attr-defined]
        "make_thumbnails", "ontime-thumbs", 2, "tests.unit.thumbnail_handlers.make_thumbnails")


def test_its_first_event_imports_the_handler_and_hands_it_the_event_as_lambda_gave_it() -> None:
    app = Chalice("probe")
    for blueprint in lazy_queue_functions([("make_thumbnails", "tests.unit.thumbnail_handlers", "ontime-thumbs", 2)]):
        app.register_blueprint(blueprint)
    event = {"Records": [{"body": "one", "receiptHandle": "r1", "eventSourceARN": "arn:aws:sqs:us-east-1:1:q"}]}
    app.handler_map["make_thumbnails"](event, None)
    from tests.unit import thumbnail_handlers

    assert thumbnail_handlers.RECEIVED == ["one"]
