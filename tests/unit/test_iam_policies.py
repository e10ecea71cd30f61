"""The generated policies, read as AWS would: each function may make the calls its work needs and
no other (the functional tests check every call they see against them, `tests/iam.py`)."""

from __future__ import annotations

import pytest

from tests.iam import Call, allowed, resource_names

NAMES = resource_names()


@pytest.mark.parametrize("call", [
    Call("websocket_message", "dynamodb:Query", "ontime-orders/index/merchant_pending"),
    Call("sweep_alarms", "dynamodb:Query", "ontime-purchases/index/due"),
    Call("fire_alarms", "dynamodb:UpdateItem", "ontime-supplier_products"),
    Call("fire_alarms", "sqs:ReceiveMessage", "ontime-alarms"),
    Call("api_handler", "s3:PutObject", "ontime-photos/installations/ins_1/ph_1.jpg"),
    Call("websocket_connect", "dynamodb:PutItem", "ontime-connections"),
], ids=repr)
def test_a_function_may_do_what_its_work_needs(call: Call) -> None:
    assert allowed(call, NAMES)


@pytest.mark.parametrize("call", [
    Call("websocket_connect", "dynamodb:Query", "ontime-orders/index/merchant_pending"),
    Call("websocket_message", "dynamodb:PutItem", "ontime-orders"),
    Call("sweep_alarms", "dynamodb:PutItem", "ontime-orders"),
    Call("sweep_alarms", "dynamodb:Query", "ontime-orders/index/by_customer"),
    Call("fire_alarms", "dynamodb:Scan", "ontime-installations"),
    Call("fire_alarms", "s3:PutObject", "ontime-photos/installations/ins_1/ph_1.jpg"),
    Call("api_handler", "s3:PutObject", "ontime-photos/elsewhere/x"),
    Call("api_handler", "sqs:ReceiveMessage", "ontime-alarms"),
    Call("api_handler", "dynamodb:PutItem", "ontime-someone-elses-table"),
    Call("websocket_disconnect", "execute-api:ManageConnections", "*"),
    Call("a_function_nobody_declared", "dynamodb:GetItem", "ontime-orders"),
], ids=repr)
def test_a_function_may_not_do_what_its_work_does_not_need(call: Call) -> None:
    assert not allowed(call, NAMES)
