"""The composition root fails closed: a stage that is not the local stack never gets the local
stage's ways in, and a misconfigured stage refuses to start rather than guess."""

from __future__ import annotations

import pytest

from chalicelib import bootstrap
from chalicelib.auth.tokens import JwksVerifier
from chalicelib.payments.port import NoPaymentProvider
from chalicelib.settings import Settings
from tests.fakes import RecordingAlarmQueue, RecordingPushSender

QUEUE = {"ONTIME_ALARM_QUEUE_URL": "https://sqs.example/ontime-alarms"}
ISSUER = {"ONTIME_JWT_ISSUER": "https://issuer.example", "ONTIME_JWKS_URL": "https://issuer.example/keys"}
PAGES = {"ONTIME_PAGE_TOKEN_SECRETS": "a-stage-page-token-secret-of-32-bytes!"}


def built(env: dict[str, str]) -> bootstrap.Container:
    return bootstrap.build(Settings.from_env(env), push_sender=RecordingPushSender(), alarm_queue=RecordingAlarmQueue())


def test_the_local_stage_starts_only_inside_the_local_stack_which_brings_its_issuer() -> None:
    with pytest.raises(bootstrap.Misconfigured, match="local stack"):
        built({"ONTIME_STAGE": "local", **QUEUE})


def test_an_aws_stage_verifies_its_issuers_tokens_and_takes_no_payments_until_a_provider_is_set() -> None:
    container = built({"ONTIME_STAGE": "prod", **QUEUE, **ISSUER, **PAGES})
    assert isinstance(container.verifier, JwksVerifier)
    assert isinstance(container.payments, NoPaymentProvider)


def test_an_aws_stage_without_its_issuer_refuses_to_start() -> None:
    with pytest.raises(bootstrap.Misconfigured, match="ONTIME_JWKS_URL"):
        built({"ONTIME_STAGE": "dev", **QUEUE})


def test_an_unknown_payment_provider_refuses_to_start() -> None:
    with pytest.raises(bootstrap.Misconfigured, match="stripe"):
        built({"ONTIME_STAGE": "dev", **QUEUE, **ISSUER, **PAGES, "ONTIME_PAYMENT_PROVIDER": "stripe"})


def test_a_stage_without_its_page_token_secret_refuses_to_start() -> None:
    with pytest.raises(bootstrap.Misconfigured, match="ONTIME_PAGE_TOKEN_SECRETS"):
        built({"ONTIME_STAGE": "prod", **QUEUE, **ISSUER})


def test_a_page_token_secret_too_short_to_sign_with_refuses_to_start() -> None:
    with pytest.raises(bootstrap.Misconfigured, match="32 bytes"):
        built({"ONTIME_STAGE": "prod", **QUEUE, **ISSUER,
               "ONTIME_PAGE_TOKEN_SECRETS": "a-stage-page-token-secret-of-32-bytes!,short"})


def test_a_stage_without_its_alarm_queue_refuses_to_start() -> None:
    with pytest.raises(bootstrap.Misconfigured, match="ONTIME_ALARM_QUEUE_URL"):
        bootstrap.build(Settings.from_env({"ONTIME_STAGE": "dev", **ISSUER}), push_sender=RecordingPushSender())
