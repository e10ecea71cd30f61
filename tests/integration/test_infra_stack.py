"""The deployed stack gives the functions what `chalicelib.settings` needs, with least privilege.

The first tests need no network: they merge `.chalice/config.json` with the `Globals` of
`infra/template.json` the way SAM does and resolve the intrinsic functions with sample
parameters. The last ones read the real merged package that `infra/check.sh` leaves in
`build/infra/STAGE/sam.json` (`./dev test` runs it first) and skip when it is absent or stale.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.auth.principal import Role
from chalicelib.bootstrap import contributions
from chalicelib.calls.ice import IceConfig
from chalicelib.contribution import models_of
from chalicelib.dispatch.settings import DispatchSettings
from chalicelib.persistence.tables import short_name
from chalicelib.settings import Settings
from infra import site_config
from infra.platform import function_resource

ALL_MODELS = {short_name(model): model for model in models_of(contributions())}

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.json"
CHALICE = ROOT / ".chalice"
STAGES = ("dev", "prod")
# Without these an AWS stage cannot arm alarms, push, or verify tokens (see chalicelib/bootstrap.py).
REQUIRED_IN_AWS = {"ONTIME_STAGE", "ONTIME_ALARM_QUEUE_URL", "ONTIME_WS_MANAGEMENT_ENDPOINT",
                   "ONTIME_JWT_ISSUER", "ONTIME_JWKS_URL", "ONTIME_PAGE_TOKEN_SECRETS"}
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example"
# What CloudFormation would substitute for references to resources and pseudo parameters.
PHYSICAL = {"AlarmQueue": "https://sqs.eu-west-1.amazonaws.com/123456789012/ontime-alarms",
            "WebsocketAPI": "abc123", "PhotoBucket": "ontime-prod-photobucket-1a2b3c",
            "VideoBucket": "ontime-prod-videos-123456789012-eu-west-1",
            "VideoQueue": "https://sqs.eu-west-1.amazonaws.com/123456789012/ontime-videos",
            "PageTokenSecret": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:PageTokenSecret-AbCdEf",
            "TurnSecret": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:TurnSecret-GhIjKl",
            "AWS::Region": "eu-west-1", "AWS::URLSuffix": "amazonaws.com",
            "TerminalsDistribution.DomainName": "d111111abcdef8.cloudfront.net",
            "SignInUserPool.ProviderURL": "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Stack",
            "SignInClient": "1example23456789terminals", "SignInDomain": "ontime-prod-123456789012",
            "TerminalsBucket": "ontime-prod-terminalsbucket-4d5e6f", "TerminalsDistribution": "E2EXAMPLE",
            "SignInUserPool": "eu-west-1_Stack"}
SITE = "https://d111111abcdef8.cloudfront.net"


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _config() -> dict[str, Any]:
    return _json(CHALICE / "config.json")


def _resolve(value: Any, template: dict[str, Any], params: dict[str, str]) -> Any:
    """Just enough of CloudFormation's intrinsic functions for environment values."""
    if not isinstance(value, dict):
        return value
    [(fn, arg)] = value.items()
    if fn == "Ref":
        return params[arg] if arg in params else PHYSICAL[arg]
    if fn == "Fn::Sub":
        return re.sub(r"\$\{([^}]+)\}", lambda m: str(_resolve({"Ref": m.group(1)}, template, params)), arg)
    if fn == "Fn::If":
        condition, when_true, when_false = arg
        chosen = when_true if _resolve(template["Conditions"][condition], template, params) else when_false
        return _resolve(chosen, template, params)
    if fn == "Fn::Not":
        return not _resolve(arg[0], template, params)
    if fn == "Fn::Equals":
        return _resolve(arg[0], template, params) == _resolve(arg[1], template, params)
    raise AssertionError(f"unexpected intrinsic {fn} in a function's environment")


def _function_env(stage: str, params: dict[str, str]) -> dict[str, str]:
    """A function's environment in AWS: Chalice's per-stage variables merged over SAM Globals."""
    template, config = _json(TEMPLATE), _config()
    globals_env = template["Globals"]["Function"]["Environment"]["Variables"]
    chalice_env = {**config.get("environment_variables", {}), **config["stages"][stage]["environment_variables"]}
    merged = {**globals_env, **chalice_env}
    return {name: str(_resolve(value, template, params)) for name, value in merged.items()}


def _defaults(template: dict[str, Any]) -> dict[str, str]:
    return {name: p["Default"] for name, p in template["Parameters"].items() if "Default" in p}


@pytest.mark.parametrize("stage", STAGES)
def test_functions_get_every_setting_an_aws_stage_needs(stage: str) -> None:
    template = _json(TEMPLATE)
    env = _function_env(stage, {**_defaults(template), "JwtIssuer": ISSUER})
    settings = Settings.from_env({**env, "AWS_REGION": "eu-west-1"})
    assert settings.stage == stage
    assert not settings.is_local
    assert settings.alarm_queue_url == PHYSICAL["AlarmQueue"]
    api_stage = _config()["api_gateway_stage"]
    assert settings.ws_management_endpoint == f"https://abc123.execute-api.eu-west-1.amazonaws.com/{api_stage}"
    assert settings.jwt_issuer == ISSUER
    assert settings.jwks_url == f"{ISSUER}/.well-known/jwks.json"  # Cognito's, derived when not given
    assert settings.jwt_audience is None
    tables = {r["Properties"]["TableName"] for r in template["Resources"].values()
              if r.get("Type") == "AWS::DynamoDB::Table"}
    assert {settings.table_name(name) for name in ALL_MODELS} == tables
    dispatch = DispatchSettings.of(settings)
    assert dispatch.photo_bucket == PHYSICAL["PhotoBucket"]
    assert settings.s3_endpoint_url is None  # AWS's own regional endpoint
    assert settings.sweep_interval_s == 60
    # No payment provider is deployed yet (the sandbox is the local stack's): checkouts answer 503.
    assert settings.payment_provider == "none" and settings.payment_webhook_secrets == ()
    # Lists sign their next_tokens with the stack's own secret, which CloudFormation reads at deploy.
    assert settings.page_token_secrets == (f"{{{{resolve:secretsmanager:{PHYSICAL['PageTokenSecret']}}}}}",)


def test_a_rotated_page_token_secret_reaches_the_functions_by_its_version() -> None:
    template = _json(TEMPLATE)
    assert template["Resources"]["PageTokenSecret"]["Properties"]["GenerateSecretString"]["ExcludePunctuation"]
    params = {**_defaults(template), "JwtIssuer": ISSUER, "PageTokenSecretVersion": "v-2"}
    settings = Settings.from_env(_function_env("prod", params))
    assert settings.page_token_secrets == (
        f"{{{{resolve:secretsmanager:{PHYSICAL['PageTokenSecret']}:SecretString:::v-2}}}}",)


@pytest.mark.parametrize("stage", STAGES)
def test_calls_get_the_stacks_turn_secret_and_no_turn_servers_until_some_are_given(stage: str) -> None:
    template = _json(TEMPLATE)
    assert template["Resources"]["TurnSecret"]["Properties"]["GenerateSecretString"]["ExcludePunctuation"]
    env = _function_env(stage, {**_defaults(template), "JwtIssuer": ISSUER})
    assert env["ONTIME_TURN_SECRET"] == f"{{{{resolve:secretsmanager:{PHYSICAL['TurnSecret']}}}}}"
    assert IceConfig.of(env) == IceConfig(turn_secret=env["ONTIME_TURN_SECRET"])  # no TURN servers by default
    urls = "turn:turn.example.com:3478?transport=udp,turns:turn.example.com:443?transport=tcp"
    rotated = _function_env(stage, {**_defaults(template), "JwtIssuer": ISSUER, "TurnUrls": urls,
                                    "TurnSecretVersion": "v-3"})
    config = IceConfig.of(rotated)
    assert config.turn_urls == tuple(urls.split(","))
    assert config.turn_secret == f"{{{{resolve:secretsmanager:{PHYSICAL['TurnSecret']}:SecretString:::v-3}}}}"


@pytest.mark.parametrize("stage", STAGES)
def test_every_packages_settings_read_from_what_an_aws_stage_gives_its_functions(stage: str) -> None:
    template = _json(TEMPLATE)
    settings = Settings.from_env(_function_env(stage, {**_defaults(template), "JwtIssuer": ISSUER}))
    read = {c.name: c.settings(settings) for c in contributions() if c.settings is not None}
    assert sorted(read) == ["calls", "catalogue", "checkout", "dispatch", "groupbuy"]
    videos: Any = read["groupbuy"]
    assert (videos.video_bucket, videos.video_queue_url) == (PHYSICAL["VideoBucket"], PHYSICAL["VideoQueue"])


def test_explicit_jwks_url_and_audience_reach_the_functions() -> None:
    params = {**_defaults(_json(TEMPLATE)), "JwtIssuer": "https://id.example.com",
              "JwksUrl": "https://id.example.com/keys", "JwtAudience": "ontime-app"}
    settings = Settings.from_env(_function_env("prod", params))
    assert (settings.jwks_url, settings.jwt_audience) == ("https://id.example.com/keys", "ontime-app")


def test_a_stage_allows_its_terminals_site_and_the_origins_its_cors_origins_parameter_lists() -> None:
    params = {**_defaults(_json(TEMPLATE)), "JwtIssuer": ISSUER}
    assert Settings.from_env(_function_env("prod", params)).cors_origins == (SITE,)
    listed = {**params, "CorsOrigins": "https://console.example.com,https://terminal.example.com"}
    assert Settings.from_env(_function_env("prod", listed)).cors_origins == (
        SITE, "https://console.example.com", "https://terminal.example.com")
    pattern = re.compile(_json(TEMPLATE)["Parameters"]["CorsOrigins"]["AllowedPattern"])
    assert pattern.fullmatch(listed["CorsOrigins"]) and pattern.fullmatch("")
    assert not pattern.fullmatch("*") and not pattern.fullmatch("https://a.example/app")


def test_alarm_consumer_finishes_within_the_queue_visibility_timeout() -> None:
    """Lambda refuses an SQS event source whose queue hides messages for less than the function may run."""
    config = _config()
    timeout = config["lambda_functions"]["fire_alarms"].get("lambda_timeout", config.get("lambda_timeout", 60))
    queue = _json(TEMPLATE)["Resources"]["AlarmQueue"]["Properties"]
    assert timeout < queue["VisibilityTimeout"]


FUNCTIONS = ("api_handler", "websocket_connect", "websocket_message", "websocket_disconnect", "fire_alarms",
             "sweep_alarms")


def _policy(function: str) -> dict[str, Any]:
    return _json(CHALICE / f"policy-{function.replace('_', '-')}.json")


def test_every_function_has_a_policy_of_its_own() -> None:
    functions = _config()["lambda_functions"]
    assert "iam_policy_file" not in _config()  # no shared fallback a new function would silently get
    for function in FUNCTIONS:
        assert functions[function]["iam_policy_file"] == f"policy-{function.replace('_', '-')}.json"
        assert (CHALICE / functions[function]["iam_policy_file"]).exists()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_policies_name_only_the_stacks_own_resources_and_no_wildcard_action(function: str) -> None:
    template = _json(TEMPLATE)["Resources"]
    tables = {name for name, r in template.items() if r.get("Type") == "AWS::DynamoDB::Table"}
    for statement in _policy(function)["Statement"]:
        assert statement["Effect"] == "Allow"
        assert all("*" not in action for action in statement["Action"]), statement["Sid"]
        for resource in statement["Resource"]:
            if any(action.startswith("dynamodb:") for action in statement["Action"]):
                target = resource.get("Fn::GetAtt", [None])[0] or resource["Fn::Sub"][2:].split(".Arn}")[0]
                assert target in tables, (statement["Sid"], resource)


def test_only_the_alarm_consumer_takes_messages_and_only_rest_touches_photos() -> None:
    sids = {function: {s["Sid"] for s in _policy(function)["Statement"]} for function in FUNCTIONS}
    assert [f for f, s in sids.items() if "ConsumeAlarms" in s] == ["fire_alarms"]
    assert [f for f, s in sids.items() if "CompletionPhotos" in s] == ["api_handler"]
    assert not any("ArmAlarms" in sids[f] for f in ("websocket_connect", "websocket_message", "websocket_disconnect"))
    photos = {s["Sid"]: s for s in _policy("api_handler")["Statement"]}
    assert photos["CompletionPhotos"]["Resource"] == [{"Fn::Sub": "${PhotoBucket.Arn}/installations/*"}]
    assert photos["ListCompletionPhotos"]["Condition"] == {"StringLike": {"s3:prefix": ["installations/*"]}}
    [push] = photos["PushToTerminals"]["Resource"]
    assert f":${{WebsocketAPI}}/{_config()['api_gateway_stage']}/*/@connections/*" in push["Fn::Sub"]


# ── the real merged package (from infra/check.sh) ────────────────────────────────────────────

def _package(stage: str) -> dict[str, Any]:
    sam = ROOT / "build" / "infra" / stage / "sam.json"
    if not sam.exists():
        pytest.skip(f"{sam.relative_to(ROOT)} is absent: infra/check.sh makes it (./dev test runs it)")
    inputs = [TEMPLATE, ROOT / "app.py", *CHALICE.glob("*.json")]
    if sam.stat().st_mtime < max(p.stat().st_mtime for p in inputs):
        pytest.skip(f"{sam.relative_to(ROOT)} is older than its inputs: run infra/check.sh")
    return _json(sam)


@pytest.mark.parametrize("stage", STAGES)
def test_packaged_functions_carry_the_settings(stage: str) -> None:
    package = _package(stage)
    globals_env = package["Globals"]["Function"]["Environment"]["Variables"]
    functions = {name: r["Properties"] for name, r in package["Resources"].items()
                 if r["Type"] == "AWS::Serverless::Function"}
    assert {"APIHandler", "FireAlarms", "SweepAlarms", "WebsocketConnect"} <= set(functions)
    for name, props in functions.items():
        env = {**globals_env, **props.get("Environment", {}).get("Variables", {})}
        assert set(env) >= REQUIRED_IN_AWS, name
        assert env["ONTIME_STAGE"] == stage, name


@pytest.mark.parametrize("stage", STAGES)
def test_packaged_websocket_api_is_the_one_the_endpoint_names(stage: str) -> None:
    resources = _package(stage)["Resources"]
    assert resources["WebsocketAPI"]["Properties"]["ProtocolType"] == "WEBSOCKET"
    assert resources["WebsocketAPIStage"]["Properties"]["StageName"] == _config()["api_gateway_stage"]
    fire = resources["FireAlarms"]["Properties"]
    assert fire["Timeout"] < resources["AlarmQueue"]["Properties"]["VisibilityTimeout"]
    [source] = fire["Events"].values()
    assert source["Properties"]["Queue"]["Fn::Sub"].endswith(":" + resources["AlarmQueue"]["Properties"]["QueueName"])


@pytest.mark.parametrize("stage", STAGES)
def test_packaged_functions_each_have_their_generated_policy(stage: str) -> None:
    resources = _package(stage)["Resources"]
    roles = {name: r["Properties"]["Role"]["Fn::GetAtt"][0] for name, r in resources.items()
             if r["Type"] == "AWS::Serverless::Function"}
    names = {"APIHandler": "api_handler", "WebsocketConnect": "websocket_connect",
             "WebsocketMessage": "websocket_message", "WebsocketDisconnect": "websocket_disconnect",
             "FireAlarms": "fire_alarms", "SweepAlarms": "sweep_alarms"}
    names |= {function_resource(f.name): f.name for c in contributions() for f in c.functions}  # packages' own
    assert sorted(roles) == sorted(names)
    for function, role in roles.items():
        [document] = [p["PolicyDocument"] for p in resources[role]["Properties"]["Policies"]]
        assert document == _policy(names[function]), function


@pytest.mark.parametrize("stage", STAGES)
def test_every_queue_fed_function_reports_its_failed_messages_alone(stage: str) -> None:
    """`ReportBatchItemFailures` on each SQS event source (merged into Chalice's own, its queue and
    batch size kept): one failing message is delivered again, not its batch (`core/batches.py`)."""
    resources = _package(stage)["Resources"]
    sources = {name: event["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"
               for event in r["Properties"].get("Events", {}).values() if event["Type"] == "SQS"}
    queue_functions = {"FireAlarms", *(function_resource(f.name) for c in contributions() for f in c.functions)}
    assert set(sources) == queue_functions
    for name, source in sources.items():
        assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
        assert "Fn::Sub" in source["Queue"] and source["BatchSize"] >= 1, name


# ── the terminals' site and their login (infra/site.py) ──────────────────────────────────────

def _resources() -> dict[str, Any]:
    resources: dict[str, Any] = _json(TEMPLATE)["Resources"]
    return resources


def test_the_terminals_bucket_is_private_and_only_the_distribution_reads_it() -> None:
    resources = _resources()
    bucket = resources["TerminalsBucket"]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                        "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}  # no ACLs
    assert "WebsiteConfiguration" not in bucket  # no public website endpoint: CloudFront alone serves it
    policy = resources["TerminalsBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "TerminalsBucket"}
    allows = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allows == [{
        "Sid": "TerminalsDistributionReads", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${TerminalsBucket.Arn}/terminals/*"},
        "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": (
            "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${TerminalsDistribution}")}}}}]


def test_the_video_bucket_takes_uploads_from_the_origins_the_rest_api_allows() -> None:
    template = _json(TEMPLATE)
    [rule] = template["Resources"]["VideoBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    api_origins = template["Globals"]["Function"]["Environment"]["Variables"]["ONTIME_CORS_ORIGINS"]
    assert rule["AllowedOrigins"] == {"Fn::Split": [",", api_origins]}
    assert rule["AllowedMethods"] == ["POST"]


def test_the_distributions_one_origin_is_the_bucket_through_origin_access_control() -> None:
    resources = _resources()
    config = resources["TerminalsDistribution"]["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["TerminalsBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["TerminalsOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, not the legacy identity
    oac = resources["TerminalsOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == (
        "s3", "always", "sigv4")
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["TargetOriginId"] == origin["Id"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    [index] = behaviour["FunctionAssociations"]
    assert index["FunctionARN"] == {"Fn::GetAtt": ["TerminalsIndexFunction", "FunctionARN"]}


def test_without_an_issuer_the_stacks_user_pool_issues_the_tokens_the_api_accepts() -> None:
    template = _json(TEMPLATE)
    settings = Settings.from_env(_function_env("prod", _defaults(template)))  # JwtIssuer empty
    pool = f"https://{PHYSICAL['SignInUserPool.ProviderURL']}"
    assert settings.jwt_issuer == pool
    assert settings.jwks_url == f"{pool}/.well-known/jwks.json"
    assert settings.jwt_audience == PHYSICAL["SignInClient"]  # the ID token's aud: the terminals' client
    cognito = {name: r for name, r in template["Resources"].items() if r["Type"].startswith("AWS::Cognito::")}
    assert {r.get("Condition") for r in cognito.values()} == {"CreatesUserPool"}
    groups = {r["Properties"]["GroupName"] for r in cognito.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == {role.value for role in Role}  # cognito:groups is the role (chalicelib/auth/principal.py)


def test_the_login_client_is_public_with_the_code_flow_and_users_cannot_set_whom_they_act_for() -> None:
    resources = _resources()
    client = resources["SignInClient"]["Properties"]
    assert client["GenerateSecret"] is False  # a browser keeps no secret: PKCE instead
    assert (client["AllowedOAuthFlows"], client["AllowedOAuthFlowsUserPoolClient"]) == (["code"], True)
    assert "openid" in client["AllowedOAuthScopes"]
    assert client["CallbackURLs"] == [_json(TEMPLATE)["Outputs"]["SignInRedirectURL"]["Value"]]
    custom = {f"custom:{a['Name']}" for a in resources["SignInUserPool"]["Properties"]["Schema"]}
    assert custom == {"custom:merchant_id", "custom:supplier_id"}
    assert custom <= set(client["ReadAttributes"])
    assert not custom & set(client["WriteAttributes"])
    assert resources["SignInUserPool"]["Properties"]["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert client["IdTokenValidity"] <= 24 and client["TokenValidityUnits"]["IdToken"] == "hours"


def _stack_outputs(params: dict[str, str]) -> list[dict[str, str]]:
    """describe-stacks' outputs: the site's and the login's, resolved, and Chalice's two endpoints."""
    template = _json(TEMPLATE)
    described = [{"OutputKey": "EndpointURL", "OutputValue": "https://r3st.execute-api.eu-west-1.amazonaws.com/api/"},
                 {"OutputKey": "WebsocketConnectEndpointURL",
                  "OutputValue": "wss://abc123.execute-api.eu-west-1.amazonaws.com/api/"}]
    for key, output in template["Outputs"].items():
        if not key.startswith(("SignIn", "Terminals")):
            continue
        condition = output.get("Condition")
        if condition and not _resolve(template["Conditions"][condition], template, params):
            continue
        value = _resolve(output["Value"], template, params)
        described.append({"OutputKey": key, "OutputValue": value})
    return described


def test_config_json_from_the_stacks_outputs_signs_in_at_the_stacks_hosted_login(tmp_path: Path,
                                                                                 capsys: pytest.CaptureFixture[str]
                                                                                 ) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(_stack_outputs(_defaults(_json(TEMPLATE)))))
    assert site_config.main([str(outputs)]) == 0
    login = "https://ontime-prod-123456789012.auth.eu-west-1.amazoncognito.com"
    assert json.loads(capsys.readouterr().out) == {
        "rest": "https://r3st.execute-api.eu-west-1.amazonaws.com/api",
        "ws": "wss://abc123.execute-api.eu-west-1.amazonaws.com/api",
        "signIn": "oidc",
        "oidc": {"authorize": f"{login}/oauth2/authorize", "token": f"{login}/oauth2/token",
                 "clientId": PHYSICAL["SignInClient"], "redirect": f"{SITE}/terminals/signed-in.html",
                 "scopes": ["openid", "profile"]}}


def test_config_json_with_an_operators_issuer_names_its_client_or_refuses(tmp_path: Path) -> None:
    params = {**_defaults(_json(TEMPLATE)), "JwtIssuer": ISSUER}
    with pytest.raises(site_config.MissingOutput, match="SignInAuthorizeUrl"):
        site_config.site_config(site_config.outputs_of(_stack_outputs(params)))
    given = {**params, "SignInAuthorizeUrl": "https://id.example.com/authorize",
             "SignInTokenUrl": "https://id.example.com/token", "SignInClientId": "their-client"}
    config = site_config.site_config(site_config.outputs_of(_stack_outputs(given)))
    assert config["oidc"] == {"authorize": "https://id.example.com/authorize", "token": "https://id.example.com/token",
                              "clientId": "their-client", "redirect": f"{SITE}/terminals/signed-in.html",
                              "scopes": ["openid", "profile"]}
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(_stack_outputs(params)))
    assert site_config.main([str(outputs)]) == 1
