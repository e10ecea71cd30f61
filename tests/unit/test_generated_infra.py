"""`./dev infra`: the deployment artefacts follow from the declarations. A new package's tables,
waiting kinds, alarms, graphs and grants appear where they belong without anyone editing the
template or a policy; what is committed is what the declarations produce."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.bootstrap import contributions
from chalicelib.contribution import (
    READ,
    Contribution,
    Function,
    Grant,
    MetricAlarm,
    Platform,
    QueueFunction,
    Table,
    WaitingKind,
    Widget,
    Wired,
)
from chalicelib.persistence.tables import DueIndex, WaitingEntityModel
from infra import generate


class AppointmentModel(WaitingEntityModel):
    class Meta:
        table_name = "appointments"

    id = UnicodeAttribute(hash_key=True)
    slot_at = NumberAttribute()

    due = DueIndex()


class UnindexedModel(WaitingEntityModel):
    class Meta:
        table_name = "unindexed"

    id = UnicodeAttribute(hash_key=True)


def _nothing(platform: Platform) -> Wired[None]:
    return Wired(None)


GROUP_BUY = Contribution(
    name="group_buy", summary="a package the tests invent", build=_nothing,
    load_tables=lambda: (Table(AppointmentModel, (Grant((Function.API,), READ),
                                              Grant(("process_videos",), ("dynamodb:GetItem",)))),),
    load_waiting=lambda: (WaitingKind("appointment", AppointmentModel, "queue updates"),),
    alarms=(MetricAlarm("NoShowAlarm", "ontime-no-shows", "many no-shows", "NoShow"),),
    widgets=(Widget("Group-buy: no-shows", (("ontime", "NoShow", {"stat": "Sum"}),)),),
)


def with_group_buy() -> tuple[Contribution, ...]:
    return (*contributions(), GROUP_BUY)


def resources(packages: tuple[Contribution, ...]) -> dict[str, Any]:
    found: dict[str, Any] = generate.template(packages)["Resources"]
    return found


def test_the_committed_files_are_what_the_declarations_produce() -> None:
    stale = [str(path) for path, text in generate.artefacts(contributions()).items() if path.read_text() != text]
    assert stale == [], "run ./dev infra"


def test_a_new_package_gets_its_table_with_the_due_index_and_a_lateness_alarm() -> None:
    added = resources(with_group_buy())
    table = added["AppointmentsTable"]["Properties"]
    assert table["TableName"] == "ontime-appointments"
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["due"]
    lateness = added["AppointmentAlarmLatenessAlarm"]["Properties"]
    assert lateness["Dimensions"] == [{"Name": "kind", "Value": "appointment"}]
    assert lateness["ExtendedStatistic"] == "p99"
    assert added["NoShowAlarm"]["Properties"]["MetricName"] == "NoShow"


def test_a_new_package_changes_nothing_that_was_there() -> None:
    before, after = resources(contributions()), resources(with_group_buy())
    assert {k: v for k, v in after.items() if k in before and k != "OpsDashboard"} == {
        k: v for k, v in before.items() if k != "OpsDashboard"}


def test_a_new_packages_alarms_and_graphs_reach_the_dashboard() -> None:
    body = json.dumps(resources(with_group_buy())["OpsDashboard"]["Properties"]["DashboardBody"])
    assert "${NoShowAlarm.Arn}" in body and "${AppointmentAlarmLatenessAlarm.Arn}" in body
    assert "Group-buy: no-shows" in body


def test_a_new_packages_grants_reach_exactly_the_functions_named() -> None:
    packages = with_group_buy()
    assert "process_videos" in generate.functions_of(packages)
    rest = {s["Sid"]: s for s in generate.policy(Function.API, packages)["Statement"]}
    assert rest["AppointmentsTable"]["Action"] == sorted(READ)
    videos = {s["Sid"]: s for s in generate.policy("process_videos", packages)["Statement"]}
    assert videos["AppointmentsTable"]["Action"] == ["dynamodb:GetItem"]
    sweep = {s["Sid"]: s for s in generate.policy(Function.SWEEP_ALARMS, packages)["Statement"]}
    assert sweep["AppointmentsTable"] == {"Sid": "AppointmentsTable", "Effect": "Allow", "Action": ["dynamodb:Query"],
                                      "Resource": [{"Fn::Sub": "${AppointmentsTable.Arn}/index/due"}]}
    fire = {s["Sid"]: s for s in generate.policy(Function.FIRE_ALARMS, packages)["Statement"]}
    assert fire["AppointmentsTable"]["Action"] == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert "AppointmentsTable" not in {s["Sid"] for s in generate.policy(Function.WS_CONNECT, packages)["Statement"]}


def test_a_waiting_kind_whose_table_has_no_due_index_is_refused() -> None:
    broken = Contribution(name="broken", summary="", build=_nothing, load_tables=lambda: (Table(UnindexedModel, ()),),
                          load_waiting=lambda: (WaitingKind("thing", UnindexedModel, "things"),))
    with pytest.raises(SystemExit, match="no `due` index"):
        generate.template((*contributions(), broken))


def test_two_packages_declaring_one_table_are_refused() -> None:
    twin = Contribution(name="twin", summary="", build=_nothing, load_tables=lambda: (Table(AppointmentModel, ()),))
    with pytest.raises(SystemExit, match="appointments"):
        generate.template((*with_group_buy(), twin))


def _own_function(pushes: bool) -> Contribution:
    return Contribution(name="jobs", summary="a package with a queue function of its own", build=_nothing,
                        functions=(QueueFunction("run_jobs", "jobs.handlers", "JobQueue", "ontime-jobs",
                                                 pushes=pushes),),
                        resources={"JobQueue": {"Type": "AWS::SQS::Queue", "Properties": {
                            "QueueName": "ontime-jobs", "VisibilityTimeout": 60}}})


def test_a_packages_function_that_pushes_finds_connections_and_posts_to_them_as_the_platforms_do() -> None:
    pushing = {s["Sid"]: s for s in generate.policy("run_jobs", (*contributions(), _own_function(True)))["Statement"]}
    assert pushing["ConnectionsTable"]["Action"] == ["dynamodb:DeleteItem", "dynamodb:Query"]
    assert {"Fn::Sub": "${ConnectionsTable.Arn}/index/by_party"} in pushing["ConnectionsTable"]["Resource"]
    assert pushing["PushToTerminals"]["Action"] == ["execute-api:ManageConnections"]
    silent = {s["Sid"] for s in generate.policy("run_jobs", (*contributions(), _own_function(False)))["Statement"]}
    assert not silent & {"ConnectionsTable", "PushToTerminals"}
    rest = {s["Sid"]: s for s in generate.policy(Function.API, (*contributions(), _own_function(True)))["Statement"]}
    assert rest["ConnectionsTable"]["Action"] == ["dynamodb:DeleteItem", "dynamodb:Query"]  # its own, unchanged
