"""Installer dispatch's demo data in the local stack: an area in Shanghai and two installers,
each located by their app (People's Square and Xintiandi, about 1.2 km apart)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.contribution import SeedClient

DEMO_AREA_ID = "area_demo"
DEMO_INSTALLERS: tuple[dict[str, Any], ...] = (
    {"installer_id": "i_demo_1", "name": "Wang Lei", "phone": "+86 138 0000 0001", "location": (31.2304, 121.4737)},
    {"installer_id": "i_demo_2", "name": "Li Na", "phone": "+86 138 0000 0002", "location": (31.2196, 121.4754)},
)


def seed(client: SeedClient) -> Iterator[str]:
    """The demo area (the platform's default deduction) and its installers."""
    remind_s, revoke_s = client.option("demo_periods_s", (600, 1200))
    client.call("POST", "/areas", {"area_id": DEMO_AREA_ID, "name": "Shanghai demo", "remind_after_s": remind_s,
                                   "revoke_after_s": revoke_s})
    for demo in DEMO_INSTALLERS:
        installer_id, (lat, lng) = demo["installer_id"], demo["location"]
        client.call("POST", "/installers", {"installer_id": installer_id, "name": demo["name"],
                                            "phone": demo["phone"], "areas": [DEMO_AREA_ID]})
        client.call("PUT", "/installer/location", {"lat": lat, "lng": lng}, role="installer", sub=installer_id,
                    expect=200)
    yield (f"demo installers   {', '.join(d['installer_id'] for d in DEMO_INSTALLERS)} in {DEMO_AREA_ID}, Shanghai "
           f"(remind after {remind_s} s, revoke {revoke_s} s later: --demo-periods)")
