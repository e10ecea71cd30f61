"""The README's walkthrough, run as a newcomer would paste it, against a seeded stack of its own.

Only the ports differ from the README (the stack binds free ones so a developer's `./dev up` never
collides); every command is the README's own, so a walkthrough that stops working fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.client import StackUrls
from tests.e2e.conftest import ROOT, start_stack, stop_stack


def walkthrough(name: str = "walkthrough") -> str:
    block = re.compile(rf"<!-- {name}:begin[^>]*-->\s*```sh\n(?P<script>.*?)```\s*<!-- {name}:end -->", re.S)
    match = block.search((ROOT / "README.md").read_text())
    assert match, f"README.md has no {name} block"
    return match["script"]


@pytest.fixture(scope="module")
def seeded_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackUrls]:
    log_path: Path = tmp_path_factory.mktemp("seeded") / "stack.log"
    process, urls = start_stack(log_path, seed=True)
    try:
        yield urls
    finally:
        stop_stack(process, log_path)


def test_the_readme_walkthrough_places_an_order_that_the_merchant_socket_sees_accepted(
        seeded_stack: StackUrls) -> None:
    script = (walkthrough().replace("http://127.0.0.1:8000", seeded_stack.rest)
              .replace("ws://127.0.0.1:8001", seeded_stack.ws.rstrip("/")))
    env = {**os.environ, "ONTIME_LOCAL_AWS": seeded_stack.aws}
    run = subprocess.run(["bash", "-c", "set -e\n" + script], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    out = run.stdout
    assert run.returncode == 0, f"the walkthrough failed ({run.returncode}):\n{out}\n{run.stderr}"
    placed = re.search(r"placed (ord_\w+)", out)
    assert placed, out
    order_id = placed[1]
    socket_lines = [line for line in out.splitlines() if line.startswith("merchant socket got:")]
    assert socket_lines == [f"merchant socket got: order.created {order_id} new",
                            f"merchant socket got: order.status_changed {order_id} connected",
                            f"merchant socket got: order.status_changed {order_id} accepted"], out
    answers = [line for line in out.splitlines() if line in ("connected", "accepted")]
    assert answers == ["connected", "accepted"], out
    stored = [line for line in out.splitlines() if line.startswith("{") and '"id": "' + order_id in line]
    assert stored and '"status": "accepted"' in stored[0], out


def test_the_readme_group_buy_walkthrough_books_a_slot_and_the_shop_redeems_the_voucher(
        seeded_stack: StackUrls) -> None:
    script = "\n".join(walkthrough().split("\n")[:6]) + "\n" + walkthrough("walkthrough-groupbuy")
    script = script.replace("http://127.0.0.1:8000", seeded_stack.rest)
    env = {**os.environ, "ONTIME_LOCAL_AWS": seeded_stack.aws}
    run = subprocess.run(["bash", "-c", "set -e\n" + script], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    out = run.stdout.splitlines()
    assert run.returncode == 0, f"the walkthrough failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    assert re.fullmatch(r"booked \d{4}-\d{2}-\d{2}\.(lunch|dinner) for vch_\w+", out[0]), out
    assert out[1:] == ["20", "used"], out
