"""`python -m infra.site_config OUTPUTS_JSON > config.json`: the terminals' `config.json` for a
deployed stage, from its stack's outputs (`aws cloudformation describe-stacks --query
'Stacks[0].Outputs'`, a list of `{OutputKey, OutputValue}`). `infra/deploy.sh` uploads it with
the files. The local stack serves its own (`devstack/terminals.py`: `signIn` "dev").

    {"rest": "https://…/api", "ws": "wss://…/api", "signIn": "oidc",
     "oidc": {"authorize": …, "token": …, "clientId": …, "redirect": …, "scopes": ["openid", …]}}

`rest` and `ws` lose their trailing slash: the terminals append `/path` and `/?token=`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

SIGN_IN_OUTPUTS = {"authorize": "SignInAuthorizeURL", "token": "SignInTokenURL", "clientId": "SignInClientId",
                   "redirect": "SignInRedirectURL"}


class MissingOutput(ValueError):
    pass


def outputs_of(described: Iterable[Mapping[str, str]]) -> dict[str, str]:
    return {o["OutputKey"]: o.get("OutputValue", "") for o in described}


def site_config(outputs: Mapping[str, str]) -> dict[str, Any]:
    def need(key: str, why: str) -> str:
        value = outputs.get(key, "").strip()
        if not value:
            raise MissingOutput(f"the stack has no {key} output: {why}")
        return value

    oidc = {name: need(key, "with JwtIssuer, give SignInAuthorizeUrl, SignInTokenUrl and SignInClientId "
                            "(ONTIME_SIGN_IN_* of deploy.sh)")
            for name, key in SIGN_IN_OUTPUTS.items()}
    return {
        "rest": need("EndpointURL", "not a stack of ontime").rstrip("/"),
        "ws": need("WebsocketConnectEndpointURL", "not a stack of ontime").rstrip("/"),
        "signIn": "oidc",
        "oidc": {**oidc, "scopes": need("SignInScopes", "not a stack of ontime").split()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.site_config", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outputs", type=Path, help="the stack's outputs as describe-stacks prints them (JSON)")
    args = parser.parse_args(argv)
    try:
        config = site_config(outputs_of(json.loads(args.outputs.read_text())))
    except MissingOutput as exc:
        print(f"infra.site_config: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(config, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
