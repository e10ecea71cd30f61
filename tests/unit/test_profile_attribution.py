"""`bench.profile`'s rule for who pays for a sample: the nearest platform or emulator frame,
walking out from the innermost one; client-library frames on the way make it the client's only
when the platform called them."""

from __future__ import annotations

from bench.profile import CLIENT, EMULATOR, OTHER, PLATFORM, Profile, module_of
from bench.stack import ROOT

SITE = "/venv/lib/python3.11/site-packages"
STDLIB = "/usr/lib/python3.11"


def frame(function: str, path: str) -> str:
    return f"{function} ({path}:1)"


THREAD = frame("Thread.run", f"{STDLIB}/threading.py")
RUNTIME = frame("LambdaRuntime.invoke", f"{ROOT}/devstack/lambdas.py")
CHALICE = frame("Chalice.__call__", f"{SITE}/chalice/app.py")
ENGINE = frame("WaitStateEngine.apply", f"{ROOT}/chalicelib/waitstate/engine.py")
PYNAMODB = frame("Model.save", f"{SITE}/pynamodb/models.py")
BOTOCORE = frame("BaseClient._make_api_call", f"{SITE}/botocore/client.py")
SIGNING = frame("SigV4Auth.add_auth", f"{SITE}/botocore/auth.py")
MOTO = frame("DynamoHandler.put_item", f"{SITE}/moto/dynamodb/responses.py")
JSON = frame("dumps", f"{STDLIB}/json/__init__.py")
PYDANTIC = frame("BaseModel.model_validate", f"{SITE}/pydantic/main.py")
PUMP = frame("SqsPump._poll", f"{ROOT}/devstack/pumps.py")


def part(*frames: str) -> str:
    profile = Profile.of_folded([f'process 7:"python -m devstack.stack";{";".join(frames)} 3'])
    (found,) = profile.by_part
    return found


def test_the_platforms_own_code_and_what_it_calls_in_other_libraries_is_the_platforms() -> None:
    assert part(THREAD, RUNTIME, CHALICE, ENGINE) == PLATFORM
    assert part(THREAD, RUNTIME, CHALICE, ENGINE, PYDANTIC, JSON) == PLATFORM


def test_the_client_library_called_by_the_platform_is_the_clients() -> None:
    assert part(THREAD, RUNTIME, ENGINE, PYNAMODB, BOTOCORE, SIGNING) == CLIENT
    assert part(THREAD, RUNTIME, ENGINE, PYNAMODB, BOTOCORE, JSON) == CLIENT


def test_moto_answering_inside_the_client_is_the_emulators() -> None:
    assert part(THREAD, RUNTIME, ENGINE, PYNAMODB, BOTOCORE, MOTO, JSON) == EMULATOR
    assert part(THREAD, RUNTIME, ENGINE, BOTOCORE, MOTO, BOTOCORE) == EMULATOR


def test_the_stacks_own_aws_clients_are_the_emulators() -> None:
    assert part(THREAD, PUMP, BOTOCORE, SIGNING) == EMULATOR


def test_a_sample_with_no_listed_frame_is_other() -> None:
    assert part(THREAD, JSON) == OTHER


def test_samples_are_counted_by_part_and_by_innermost_function() -> None:
    profile = Profile.of_folded([f"{THREAD};{RUNTIME};{ENGINE} 5", f"{THREAD};{ENGINE};{BOTOCORE};{SIGNING} 3",
                                 "not a sample line"])
    assert profile.samples == 8 and profile.by_part == {PLATFORM: 5, CLIENT: 3}
    assert profile.self_by_part[CLIENT] == {"botocore/auth.py:SigV4Auth.add_auth": 3}


def test_files_are_named_by_their_package() -> None:
    assert module_of(f"{SITE}/botocore/auth.py") == ("botocore", "botocore/auth.py")
    assert module_of(f"{ROOT}/app.py") == ("app.py", "app.py")
    assert module_of(f"{STDLIB}/threading.py") == ("threading", "threading.py")
    assert module_of(f"{STDLIB}/json/encoder.py") == ("json", "json/encoder.py")
