"""`python -m infra.package DEPLOYMENT_ZIP`: the two things a cold start pays for that
`chalice package` leaves in (or out of) the Lambda zip, fixed in place after it.

* **Bytecode.** Lambda's code directory is read-only, so without `__pycache__` in the zip Python
  compiles every module it imports from source at every cold start: `import app` took ≈ 500 ms
  instead of ≈ 140 ms on the development machine (botocore, urllib3, PynamoDB, Chalice and ours;
  pydantic's at the first request on top). Every `.py` gets its `.pyc`, compiled by this Python
  (the runtime's 3.11) as an unchecked-hash pyc: a deployment package never changes, so there is no
  source to check it against, and a traceback names `/var/task/…`, where Lambda puts the code.
* **botocore's data.** botocore ships the models of ~400 services (28 MB unpacked, most of the zip)
  and lists every service folder at a session's first client. Only the services the app makes
  clients of (`chalicelib/aws.py`'s `SERVICES`) and those botocore's credential providers may use
  are kept.

`infra/check.sh` and `infra/deploy.sh` run it right after `chalice package`.
"""

from __future__ import annotations

import argparse
import compileall
import os
import py_compile
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from chalicelib.aws import CREDENTIAL_SERVICES, SERVICES

RUNTIME = (3, 11)
"""The Lambda runtime's Python (`chalice package` packages for the Python that runs it)."""
CODE_DIR = "/var/task"
"""Where Lambda unpacks the zip (the paths tracebacks show)."""
BOTOCORE_DATA = "botocore/data/"


def kept_services() -> frozenset[str]:
    return frozenset(SERVICES) | frozenset(CREDENTIAL_SERVICES)


def pruned(name: str, keep: frozenset[str]) -> bool:
    """Whether a zip entry is the data of a botocore service the app does not use."""
    if not name.startswith(BOTOCORE_DATA):
        return False
    parts = name[len(BOTOCORE_DATA):].split("/")
    return len(parts) > 1 and parts[0] not in keep  # top-level files (endpoints.json, …) stay


def repackage(path: Path) -> tuple[int, int]:
    """Rewrite the zip at `path`: botocore data pruned, bytecode added. (bytes before, bytes after)."""
    if sys.version_info[:2] != RUNTIME:
        raise SystemExit(f"infra.package: compile with Python {'.'.join(map(str, RUNTIME))}, the Lambda "
                         f"runtime's (this is {sys.version.split()[0]}): its bytecode would be ignored")
    before = path.stat().st_size
    keep = kept_services()
    with tempfile.TemporaryDirectory(prefix="ontime-package-") as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(path) as original:
            entries = [info for info in original.infolist() if not pruned(info.filename, keep)]
            for info in entries:
                original.extract(info, root)
        if not compileall.compile_dir(str(root), quiet=1, workers=0, stripdir=str(root), prependdir=CODE_DIR,
                                      invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH):
            raise SystemExit("infra.package: a module of the package does not compile")
        listed = {info.filename: info for info in entries}
        added = [pyc.relative_to(root).as_posix() for pyc in sorted(root.rglob("__pycache__/*.pyc"))]
        rewritten = path.with_suffix(".tmp")
        with zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as package:
            for name in [*listed, *(name for name in added if name not in listed)]:
                package.writestr(_entry(name, listed.get(name) or listed.get(_source_of(name))),
                                 b"" if name.endswith("/") else (root / name).read_bytes())
        os.replace(rewritten, path)
    return before, path.stat().st_size


def _source_of(pyc: str) -> str:
    """`a/__pycache__/b.cpython-311.pyc` → `a/b.py`."""
    folder, _, file = pyc.rpartition("__pycache__/")
    return f"{folder}{file.split('.')[0]}.py"


def _entry(name: str, like: zipfile.ZipInfo | None) -> zipfile.ZipInfo:
    """A zip entry with the time and permissions of `like` (the file itself, or a pyc's source)."""
    entry = zipfile.ZipInfo(name, like.date_time if like else (2020, 1, 1, 0, 0, 0))
    entry.external_attr = like.external_attr if like else 0o644 << 16
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__.splitlines()[0])
    parser.add_argument("zip", type=Path, help="the deployment.zip `chalice package` wrote")
    args = parser.parse_args(argv)
    before, after = repackage(args.zip)
    print(f"infra.package: {args.zip}: botocore data kept for {', '.join(sorted(kept_services()))}; bytecode "
          f"added; {before / 2**20:.1f} → {after / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
