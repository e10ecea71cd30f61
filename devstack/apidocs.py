"""`GET /docs` in the local stack: the API's documents as one static HTML page (no script, no
stylesheet or font from anywhere else), rendered from the same OpenAPI document `GET /openapi.json`
serves, and the WebSocket's AsyncAPI document when there is one."""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ccc;margin-top:2.5rem}h3{margin:1.8rem 0 .3rem}code,pre{font:13px ui-monospace,monospace}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto}table{border-collapse:collapse;margin:.4rem 0}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}.m{font-weight:bold;
text-transform:uppercase}.roles{color:#555}nav a{margin-right:.8rem}"""


def render(openapi: dict[str, Any], asyncapi: dict[str, Any] | None = None) -> str:
    info = openapi["info"]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(info['title'])} API</title>"
             f"<style>{STYLE}</style></head><body>",
             f"<h1>{escape(info['title'])} API <small>{escape(info['version'])}</small></h1>",
             _paragraphs(info.get("description", "")),
             "<nav>" + "".join(f"<a href='#tag-{escape(t['name'])}'>{escape(t['name'])}</a>" for t in openapi["tags"])
             + ("<a href='#websocket'>WebSocket</a>" if asyncapi else "") + "<a href='#schemas'>schemas</a></nav>"]
    for tag in (t["name"] for t in openapi["tags"]):
        parts.append(f"<h2 id='tag-{escape(tag)}'>{escape(tag)}</h2>")
        for path, item in openapi["paths"].items():
            for method, operation in item.items():
                if tag in operation["tags"]:
                    parts.append(_operation(method, path, operation))
    if asyncapi:
        parts.append(_websocket(asyncapi))
    parts.append("<h2 id='schemas'>Schemas</h2>")
    for name, schema in openapi["components"]["schemas"].items():
        parts.append(_schema(name, schema))
    if asyncapi:
        for name, schema in asyncapi["components"]["schemas"].items():
            if name not in openapi["components"]["schemas"]:
                parts.append(_schema(name, schema))
    parts.append("</body></html>")
    return "\n".join(parts)


def _operation(method: str, path: str, operation: dict[str, Any]) -> str:
    anchor = escape(operation["operationId"])
    lines = [f"<h3 id='{anchor}'><span class='m'>{method}</span> <code>{escape(path)}</code></h3>",
             _paragraphs(operation.get("description", ""))]
    parameters = operation.get("parameters", [])
    if parameters:
        rows = "".join(f"<tr><td><code>{escape(p['name'])}</code></td><td>{p['in']}</td>"
                       f"<td>{_type(p['schema'])}</td><td>{escape(p.get('description', ''))}</td></tr>"
                       for p in parameters)
        lines.append(f"<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>{rows}</table>")
    body = operation.get("requestBody")
    if body:
        media = body["content"]["application/json"]
        lines.append(f"<p>Body{'' if body.get('required') else ' (optional)'}: {_type(media['schema'])}</p>")
        for example in media.get("examples", {}).values():
            lines.append(f"<pre>{escape(json.dumps(example['value'], indent=2, ensure_ascii=False))}</pre>")
    rows = "".join(f"<tr><td>{escape(status)}</td><td>{_answer(answer)}</td></tr>"
                   for status, answer in operation["responses"].items())
    lines.append(f"<table><tr><th>status</th><th>answer</th></tr>{rows}</table>")
    return "\n".join(lines)


def _answer(answer: dict[str, Any]) -> str:
    if "$ref" in answer:
        return "problem (<a href='#schema-Problem'>Problem</a>)"
    content = answer.get("content", {}).get("application/json")
    return escape(answer["description"]) + (f": {_type(content['schema'])}" if content else "")


def _websocket(asyncapi: dict[str, Any]) -> str:
    lines = ["<h2 id='websocket'>WebSocket</h2>", _paragraphs(asyncapi["info"].get("description", "")),
             "<table><tr><th>direction</th><th>message</th><th>data</th><th></th></tr>"]
    for operation in asyncapi["operations"].values():
        direction = "server → terminal" if operation["action"] == "receive" else "terminal → server"
        for ref in operation["messages"]:
            message = asyncapi["components"]["messages"][ref["$ref"].rsplit("/", 1)[-1]]
            lines.append(f"<tr><td>{direction}</td><td><code>{escape(message['name'])}</code></td>"
                         f"<td>{_type(message['payload'])}</td><td>{escape(message.get('summary', ''))}</td></tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _schema(name: str, schema: dict[str, Any]) -> str:
    head = f"<h3 id='schema-{escape(name)}'>{escape(name)}</h3>" + _paragraphs(schema.get("description", ""))
    properties = schema.get("properties")
    if not properties:
        return head + f"<p>{_type(schema)}</p>"
    required = set(schema.get("required", []))
    rows = "".join(f"<tr><td><code>{escape(field)}</code>{'' if field in required else '?'}</td><td>{_type(spec)}</td>"
                   f"<td>{escape(spec.get('description', ''))}</td></tr>" for field, spec in properties.items())
    return head + f"<table><tr><th>member</th><th>type</th><th></th></tr>{rows}</table>"


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"<a href='#schema-{escape(name)}'>{escape(name)}</a>"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " | ".join(_type(s) for s in schema[key])
    if "enum" in schema:
        return " | ".join(f"<code>{escape(json.dumps(v))}</code>" for v in schema["enum"])
    if "const" in schema:
        return f"<code>{escape(json.dumps(schema['const']))}</code>"
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
        return f"object of {_type(schema['additionalProperties'])}"
    extra = f" <code>{escape(schema['pattern'])}</code>" if "pattern" in schema else ""
    return escape(str(kind)) + extra


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())


def docs_routes(openapi: Callable[[], dict[str, Any]], asyncapi: Callable[[], dict[str, Any]] | None = None
                ) -> list[BaseRoute]:
    """`GET /docs`, rendered once, at its first request."""
    page: list[str] = []

    async def docs(request: Request) -> HTMLResponse:
        if not page:
            page.append(render(openapi(), None if asyncapi is None else asyncapi()))
        return HTMLResponse(page[0])

    return [Route("/docs", docs, methods=["GET"])]
