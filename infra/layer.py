"""`python -m infra.layer PACKAGE_DIR`: the Lambda layers `infra/template.json` declares, built for
the Lambda runtime, next to the `sam.json` that `chalice package` wrote in PACKAGE_DIR.

Each `AWS::Serverless::LayerVersion` of the template names its requirements file
(`Metadata.Requirements`, e.g. `requirements-video.txt`) and its zip (`ContentUri`, relative to
`sam.json`, where `aws cloudformation package` looks for it and uploads it). The zip holds
`python/…`, which Lambda puts on `sys.path` (`/opt/python`): the wheels pip picks for the runtime
(`manylinux2014_x86_64`, CPython 3.11, binary wheels only: nothing is compiled here), with the
bytecode compiled by this Python as unchecked-hash pycs (the layer is read-only, as the code is:
see `infra/package.py`).

Built once per requirements file's content into `build/layers/` (a ~40 MB download for PyAV) and
copied from there. `infra/deploy.sh` runs it; CI's `infra/check.sh` does not (cfn-lint does not
open the zip, and the API functions' package never holds these libraries).
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.package import RUNTIME

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "infra" / "template.json"
CACHE = ROOT / "build" / "layers"
PLATFORM = "manylinux2014_x86_64"
"""Lambda's python3.11 runtime is Amazon Linux 2 (glibc 2.26): manylinux2014 (glibc 2.17) wheels run
there. PyAV 14.2.0 has one; 18.x needs glibc 2.28, which is why requirements-video.txt pins 14.2.0."""
LAYER_ROOT = "/opt"
MAX_UNZIPPED_BYTES = 200 * 2**20
"""Lambda allows 250 MB unzipped for the code and all its layers together; the app's zip is ~40 MB."""
UNUSED_AT_RUNTIME = (".pyi", ".pxd", ".pyx", ".h", ".c")
"""Type stubs, Cython and C sources and headers: for building against the libraries, not running them."""


@dataclass(frozen=True)
class Layer:
    logical_id: str
    requirements: Path
    zip_name: str


def layers_of(template: dict[str, Any]) -> list[Layer]:
    layers = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::LayerVersion":
            continue
        requirements = resource.get("Metadata", {}).get("Requirements")
        if not requirements:
            raise SystemExit(f"infra.layer: {logical_id} names no Metadata.Requirements file")
        layers.append(Layer(logical_id, ROOT / requirements, str(resource["Properties"]["ContentUri"])))
    return layers


def pip_command(requirements: Path, target: Path) -> list[str]:
    return [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check",
            "--platform", PLATFORM, "--implementation", "cp",
            "--python-version", ".".join(map(str, RUNTIME)), "--only-binary=:all:",
            "--target", str(target), "-r", str(requirements)]


def prune(installed: Path) -> None:
    """What the libraries ship that nothing imports: their own test suites (numpy's are ~8 MB) and
    build-time files. The layer and the code must fit in 250 MB together."""
    for tests in sorted(installed.glob("*/**/tests"), reverse=True):
        if tests.is_dir():
            shutil.rmtree(tests)
    for path in installed.rglob("*"):
        if path.is_file() and path.suffix in UNUSED_AT_RUNTIME:
            path.unlink()


def build(layer: Layer) -> Path:
    """The layer's zip in the cache (built unless the same requirements built it already)."""
    if sys.version_info[:2] != RUNTIME:
        raise SystemExit(f"infra.layer: compile with Python {'.'.join(map(str, RUNTIME))}, the Lambda runtime's")
    digest = hashlib.sha256(layer.requirements.read_bytes()).hexdigest()[:16]
    cached = CACHE / f"{layer.requirements.stem}-{digest}.zip"
    if cached.exists():
        return cached
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ontime-layer-") as scratch:
        python = Path(scratch) / "python"
        subprocess.run(pip_command(layer.requirements, python), check=True)
        prune(python)
        compileall.compile_dir(str(python), quiet=1, workers=0, stripdir=scratch, prependdir=LAYER_ROOT,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        files = sorted(p for p in python.rglob("*") if p.is_file())
        unzipped = sum(p.stat().st_size for p in files)
        if unzipped > MAX_UNZIPPED_BYTES:
            raise SystemExit(f"infra.layer: {layer.logical_id} is {unzipped / 2**20:.0f} MB unzipped, above "
                             f"{MAX_UNZIPPED_BYTES / 2**20:.0f} MB (Lambda: 250 MB with the code)")
        partial = cached.with_suffix(".tmp")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.relative_to(scratch).as_posix())
        partial.replace(cached)
    return cached


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.layer", description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", type=Path, help="where `chalice package` wrote sam.json")
    args = parser.parse_args(argv)
    for layer in layers_of(json.loads(TEMPLATE.read_text())):
        built = build(layer)
        shutil.copyfile(built, args.package_dir / layer.zip_name)
        print(f"infra.layer: {layer.logical_id} from {layer.requirements.name}: {built.relative_to(ROOT)} "
              f"({built.stat().st_size / 2**20:.1f} MiB) -> {args.package_dir / layer.zip_name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
