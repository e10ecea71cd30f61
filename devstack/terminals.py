"""The reference terminals (`terminals/`) on the local stack's REST front, same origin as the API.

    GET /terminals/              the list of terminals
    GET /terminals/<name>/       a terminal (plain HTML, CSS and ES modules: nothing to build)
    GET /terminals/config.json   this stage's API and WebSocket URLs and how to sign in

In AWS the same files are a static site (S3 + CloudFront) with a `config.json` per stage.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

TERMINALS = Path(__file__).resolve().parents[1] / "terminals"
NAMES = ("customer", "merchant", "installer", "supplier", "ops")


def terminal_routes(rest_url: str, ws_url: str) -> list[BaseRoute]:
    async def config(request: Request) -> JSONResponse:
        return JSONResponse({"rest": rest_url, "ws": ws_url, "signIn": "dev"}, headers={"Cache-Control": "no-store"})

    return [Route("/terminals/config.json", config, methods=["GET"]),
            Mount("/terminals", app=StaticFiles(directory=TERMINALS, html=True), name="terminals")]


def terminal_urls(rest_url: str) -> list[str]:
    return [f"{rest_url}/terminals/{name}/" for name in NAMES]
