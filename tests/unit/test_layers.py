"""`infra/layer.py`: the template's layers are built from their requirements for the Lambda
runtime's platform, binary wheels only, without what nothing imports."""

from __future__ import annotations

import json
from pathlib import Path

from infra import layer


def test_every_layer_of_the_template_names_its_requirements_and_a_zip_next_to_sam_json() -> None:
    layers = layer.layers_of(json.loads(layer.TEMPLATE.read_text()))
    assert [(x.logical_id, x.requirements.name, x.zip_name) for x in layers] == [
        ("VideoLayer", "requirements-video.txt", "./video-layer.zip")]


def test_pip_picks_binary_wheels_for_lambdas_python_and_platform() -> None:
    command = layer.pip_command(Path("requirements-video.txt"), Path("/tmp/python"))
    flags = " ".join(command)
    assert "--platform manylinux2014_x86_64" in flags and "--python-version 3.11" in flags
    assert "--only-binary=:all:" in command and "--implementation cp" in flags
    assert command[-2:] == ["-r", "requirements-video.txt"]


def test_pruning_drops_test_suites_and_build_files_and_keeps_the_modules(tmp_path: Path) -> None:
    for name in ("numpy/__init__.py", "numpy/linalg/tests/test_linalg.py", "numpy/_core/include/numpy/a.h",
                 "av/__init__.pyi", "av/codec.cpython-311-x86_64-linux-gnu.so", "av/tests.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    layer.prune(tmp_path)
    kept = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert kept == ["av/codec.cpython-311-x86_64-linux-gnu.so", "av/tests.py", "numpy/__init__.py"]
