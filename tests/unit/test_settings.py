"""Settings from the environment: the local stage allows 1 s windows, other stages the spec's 30 s."""

from __future__ import annotations

from chalicelib.settings import Settings


def test_the_local_stage_allows_one_second_windows_and_signs_its_own_tokens() -> None:
    local = Settings.from_env({})
    assert local.is_local and local.min_answer_window_s == 1 and local.max_answer_window_s == 900
    assert local.dev_signing_secret


def test_other_stages_keep_the_spec_bounds_and_have_no_signing_secret() -> None:
    prod = Settings.from_env({"ONTIME_STAGE": "prod", "ONTIME_DEV_SIGNING_SECRET": "leaked"})
    assert not prod.is_local and prod.min_answer_window_s == 30 and prod.max_answer_window_s == 900
    assert prod.dev_signing_secret is None and prod.jwt_issuer == ""


def test_table_names_carry_the_prefix() -> None:
    assert Settings.from_env({"ONTIME_TABLE_PREFIX": "ontime-dev-"}).table_name("orders") == "ontime-dev-orders"


def test_the_region_comes_from_either_aws_variable() -> None:
    assert Settings.from_env({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}).region == "eu-west-1"
    assert Settings.from_env({"AWS_DEFAULT_REGION": "us-west-2"}).region == "us-west-2"
