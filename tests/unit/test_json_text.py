"""Reading JSON from outside (`chalicelib.core.jsontext`): UTF-8 I-JSON nested at most `MAX_DEPTH`
deep, measured without recursion and in linear time; anything else is one `UnreadableJson`.
Writing: whatever is echoed, the text encodes as UTF-8."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.jsontext import MAX_DEPTH, UnreadableJson, dumps, encode, loads, nesting_depth


def nested_arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    return 0


# ── depth ────────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("text", [nested_arrays(MAX_DEPTH), nested_objects(MAX_DEPTH),
                                  "[" * 16 + '{"a":' * 16 + "1" + "}" * 16 + "]" * 16])
def test_json_nested_up_to_the_limit_is_read(text: str) -> None:
    assert depth_of(loads(text)) == MAX_DEPTH


@pytest.mark.parametrize("text", [nested_arrays(MAX_DEPTH + 1), nested_objects(MAX_DEPTH + 1),
                                  nested_arrays(1_000), nested_objects(3_000), "[" * 1_000_000,
                                  '{"a":[' * 20 + "1" + "]}" * 20])
def test_json_nested_deeper_than_the_limit_is_refused_before_it_is_parsed(text: str) -> None:
    with pytest.raises(UnreadableJson, match=f"nested deeper than {MAX_DEPTH}"):
        loads(text)
    with pytest.raises(UnreadableJson, match=f"nested deeper than {MAX_DEPTH}"):
        loads(text.encode())


def test_a_caller_can_ask_for_a_shallower_limit() -> None:
    assert loads('{"a":{"b":1}}', max_depth=2) == {"a": {"b": 1}}
    with pytest.raises(UnreadableJson, match="nested deeper than 1"):
        loads('{"a":{"b":1}}', max_depth=1)


def test_the_depth_is_measured_without_recursion() -> None:
    assert nesting_depth(nested_arrays(500_000)) == 500_000  # a recursive count would raise long before


@pytest.mark.parametrize(("text", "depth"), [
    ('"[[[[{{{{"', 0), ('["]]]]", "[[", ["\\"["]]', 2), ('{"a\\\\": [1]}', 2), ('{"\\\\\\"[": {}}', 2),
    ("[1, 2, [3, [4]], {}]", 3), ("null", 0), ("", 0),
])
def test_brackets_inside_strings_do_not_count(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


tricky_text = st.text(alphabet=st.sampled_from('ab[]{}"\\:,\n 茶\u2028'), max_size=12)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), tricky_text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(tricky_text, inner, max_size=3)),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(value=json_values, ensure_ascii=st.booleans())
def test_the_measured_depth_is_the_depth_of_the_value(value: Any, ensure_ascii: bool) -> None:
    assert nesting_depth(json.dumps(value, ensure_ascii=ensure_ascii)) == depth_of(value)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.sampled_from('[]{}"\\:,0 a\ud800'), max_size=80))
def test_any_text_is_read_or_refused_as_unreadable_json_never_another_error(text: str) -> None:
    with contextlib.suppress(UnreadableJson):
        loads(text, max_depth=4)


@pytest.mark.parametrize("text", [
    nested_arrays(500_000),  # the classic
    nested_objects(100_000),
    "[" + ",".join([nested_arrays(MAX_DEPTH - 1)] * 15_000) + "]",  # wide, at the limit
    "[" * 40 + '"' + '\\"' * 500_000,  # an unterminated string of escaped quotes
    '"' * 1_000_000,
    '["' + "\\" * 1_000_000,
    ("[" * 33 + "]" * 33) * 15_000,
])
def test_measuring_a_megabyte_is_linear_never_quadratic(text: str) -> None:
    started = time.perf_counter()
    nesting_depth(text)
    assert time.perf_counter() - started < 2.0  # ≈ 0.05 s here; a quadratic pass takes minutes


# ── what is JSON ─────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("raw", [
    '{"name": "茶"}'.encode("utf-16"), '{"name": "茶"}'.encode("utf-32"), b'{"name": "caf\xe9"}', b"\xff",
    b'{"name": "\xed\xa0\x80"}',  # a surrogate encoded as if it were a character (CESU-8)
])
def test_bytes_must_be_utf8(raw: bytes) -> None:
    with pytest.raises(UnreadableJson, match="not UTF-8"):
        loads(raw)


@pytest.mark.parametrize("text", [
    '{"action": "\\ud800"}', '{"action": "\\uDFFF"}', '{"a": "x\\ud83d"}', '{"\\udc00": 1}', '["\\ud800\\ud800"]',
    '{"action": "\ud800"}',  # a frame's text holding the surrogate itself
])
def test_a_lone_surrogate_is_not_text(text: str) -> None:
    with pytest.raises(UnreadableJson, match="lone UTF-16 surrogate"):
        loads(text)


@pytest.mark.parametrize(("text", "value"), [
    ('{"a": "\\ud83d\\ude00"}', {"a": "😀"}), ('{"a": "\\\\ud800"}', {"a": "\\ud800"}),
    ('{"a": "\\u8336 \\u2028 \\u0000"}', {"a": "茶 \u2028 \x00"}), ('{"a": "😀茶"}', {"a": "😀茶"}),
])
def test_surrogate_pairs_and_escaped_backslashes_are_text(text: str, value: Any) -> None:
    assert loads(text) == value
    assert loads(text.encode()) == value


@pytest.mark.parametrize("text", ["NaN", '{"lat": NaN}', "[Infinity]", '{"a": -Infinity}'])
def test_nan_and_infinity_are_not_json(text: str) -> None:
    with pytest.raises(UnreadableJson, match="not a JSON number"):
        loads(text)


@pytest.mark.parametrize("text", ["{", "{'a': 1}", "[1,]", "\ufeff{}", "1 2", '"\\x"'])
def test_text_that_is_not_json_is_refused_with_the_parser_s_reason(text: str) -> None:
    with pytest.raises(UnreadableJson, match="not valid JSON"):
        loads(text)


def test_unreadable_json_is_a_value_error_for_callers_that_catch_those() -> None:
    assert issubclass(UnreadableJson, ValueError)


# ── writing ──────────────────────────────────────────────────────────────────────────────────

def test_text_is_written_as_itself_compactly() -> None:
    assert dumps({"name": "茶", "n": [1, 2]}) == '{"name":"茶","n":[1,2]}'
    assert encode({"name": "茶"}) == '{"name":"茶"}'.encode()


@pytest.mark.parametrize("value", [{"field": "\ud800"}, {"\udc00": "x"}, ["茶", "\ud83d"]])
def test_a_string_that_is_not_unicode_is_written_escaped_rather_than_failing(value: Any) -> None:
    text = dumps(value)
    assert text.encode("utf-8") and json.loads(text) == value
    assert json.loads(encode(value).decode("utf-8")) == value
