"""STAND-IN (branch i12-pipeline): the lead's group-buy wiring replaces this. It declares only the
video pipeline's part (`video_infra.py`), so that `./dev infra`, `chalice package` and the local
stack can be proven end to end before the package's service exists."""

from __future__ import annotations

from chalicelib.contribution import Contribution, Platform, Wired
from chalicelib.groupbuy.video_infra import (
    VIDEO_ENVIRONMENT,
    VIDEO_FUNCTION,
    VIDEO_OUTPUTS,
    VIDEO_PERMISSIONS,
    VIDEO_RESOURCES,
)


def build(platform: Platform) -> Wired[None]:
    return Wired(None)  # stand-in: no services (a container that builds every package must still start)


GROUPBUY = Contribution(
    name="groupbuy",
    summary="group-buy vouchers (workflow 04): booked slots, live queue, on-site video",
    build=build,
    functions=(VIDEO_FUNCTION,),
    permissions=VIDEO_PERMISSIONS,
    resources=VIDEO_RESOURCES,
    environment=VIDEO_ENVIRONMENT,
    outputs=VIDEO_OUTPUTS,
)
