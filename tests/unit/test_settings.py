"""Settings from the environment: a stage must be named; the local stage allows 1 s windows, the
AWS stages the spec's 30 s; no stage has a secret by default."""

from __future__ import annotations

import pytest

from chalicelib.settings import STAGES, Settings, UnknownStage


@pytest.mark.parametrize("env", [{}, {"ONTIME_STAGE": ""}, {"ONTIME_STAGE": "production"}, {"ONTIME_STAGE": "Local"}],
                         ids=["missing", "empty", "unknown", "wrong case"])
def test_a_stage_that_is_not_named_or_unknown_refuses_to_start(env: dict[str, str]) -> None:
    with pytest.raises(UnknownStage, match="ONTIME_STAGE"):
        Settings.from_env(env)


def test_the_local_stage_allows_one_second_windows_and_holds_no_secret() -> None:
    local = Settings.from_env({"ONTIME_STAGE": "local"})
    assert local.is_local and local.min_window_s == 1 and local.max_window_s == 900
    assert local.payment_webhook_secrets == () and local.jwt_issuer == ""


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "local"])
def test_aws_stages_keep_the_spec_bounds(stage: str) -> None:
    deployed = Settings.from_env({"ONTIME_STAGE": stage})
    assert not deployed.is_local and deployed.min_window_s == 30 and deployed.max_window_s == 900
    assert deployed.payment_provider == "none" and not deployed.validate_responses


def test_table_names_carry_the_prefix() -> None:
    settings = Settings.from_env({"ONTIME_STAGE": "dev", "ONTIME_TABLE_PREFIX": "ontime-dev-"})
    assert settings.table_name("orders") == "ontime-dev-orders"


def test_the_region_comes_from_either_aws_variable() -> None:
    both = {"ONTIME_STAGE": "dev", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}
    assert Settings.from_env(both).region == "eu-west-1"
    assert Settings.from_env({"ONTIME_STAGE": "dev", "AWS_DEFAULT_REGION": "us-west-2"}).region == "us-west-2"


def test_packages_read_their_own_settings_from_the_same_environment() -> None:
    settings = Settings.from_env({"ONTIME_STAGE": "dev", "ONTIME_PAYMENT_WINDOW_S": "60"})
    assert settings.env["ONTIME_PAYMENT_WINDOW_S"] == "60"
