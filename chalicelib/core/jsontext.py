"""JSON text across the trust boundary: reading what others send us, writing what we send them.

Reading (`loads`): REST bodies, payment callbacks, page tokens, terminals' frames. `json.loads`
alone is not enough for untrusted text. It recurses once per nesting level, so a 2 KB body of
1,000 `[` raises `RecursionError` (a 500, not a 400); it decodes bytes as UTF-16 or UTF-32 when
they look like it, and UTF-8 with surrogates allowed; it accepts `NaN` and `Infinity`, which are
not JSON; and it returns strings holding lone UTF-16 surrogates (`"\\ud800"`), which cannot be
encoded again, so any echo of them (a problem's `errors`, a push) fails later, far from here.
`loads` reads only what I-JSON (RFC 7493) allows — UTF-8, no lone surrogates, no non-numbers —
nested at most `MAX_DEPTH` deep, and says why not with one `UnreadableJson` (a `ValueError`);
each caller turns that into its own answer (a 400 problem, an `error` frame).

The depth is measured on the text before parsing, without recursion, in a few passes of C code
(regular expressions, `str.translate`, `itertools.accumulate`): linear in the size of the text,
≈ 40 ms for 1 MB of brackets (as long as parsing it), and nothing at all for the usual body, which
holds fewer brackets than the limit.

Writing (`dumps`, `encode`): problem bodies and pushes keep non-ASCII text as it is (Chinese text
escaped would be twice as long), and fall back to ASCII escapes for a string that is not
Unicode text, so that an echo can never fail the answer it is part of.
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

MAX_DEPTH = 32
"""Arrays and objects nested in one another, at most. No body, callback, token or frame of ours
goes deeper than about 6 (a checkout: body → sections → section → items → item → attributes)."""

_STRINGS_AND_SCALARS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[^"\[\]{}]+', re.DOTALL)
"""Everything but the brackets outside strings. A string is `"`, then anything but `"` or `\\`, or
`\\` and any character, then `"` — or the end of the text: an unterminated string always matches
at once, to the end, so that no text makes the expression backtrack (`"\\"\\"\\"…` would take
quadratic time otherwise). Parsing stops where such a text stops being JSON, so the depth it
would meet is never more than the one counted here."""
_DELTAS = str.maketrans({"[": "\x01", "{": "\x01", "]": "\xff", "}": "\xff", '"': "\x00"})
"""Each remaining character as a signed byte: +1 opens, -1 closes (a stray `"` counts nothing)."""
_MAYBE_SURROGATE = re.compile(r"[\ud800-\udfff]|\\u[dD][89abcdefABCDEF]")
_COMPACT = (",", ":")


class UnreadableJson(ValueError):
    """Not JSON that we read; the message says why, for the sender."""


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """The value of a JSON text from outside; raises `UnreadableJson`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")  # strict: no UTF-16, no surrogates smuggled in as UTF-8
        except UnicodeDecodeError:
            raise UnreadableJson("not UTF-8 text") from None
    else:
        text = data
    if text.count("[") + text.count("{") > max_depth and nesting_depth(text) > max_depth:
        raise UnreadableJson(f"nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_constant=_not_a_number)
    except UnreadableJson:
        raise
    except (ValueError, RecursionError) as exc:  # RecursionError: only with a max_depth near the interpreter's
        raise UnreadableJson(f"not valid JSON ({exc})") from None
    if _MAYBE_SURROGATE.search(text) and not _encodable(value):
        raise UnreadableJson("not Unicode text: a string holds a lone UTF-16 surrogate")
    return value


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in `text` (exact for JSON; for other text, at least as deep
    as parsing it would go before it fails)."""
    brackets = _STRINGS_AND_SCALARS.sub("", text).translate(_DELTAS)
    return max(0, max(accumulate(array("b", brackets.encode("latin-1"))), default=0))


def _not_a_number(name: str) -> Any:
    raise UnreadableJson(f"{name} is not a JSON number")


def _encodable(value: Any) -> bool:
    return _utf8(json.dumps(value, ensure_ascii=False))


def dumps(value: Any) -> str:
    """Compact JSON text that always encodes as UTF-8 (see the module's docstring)."""
    text = json.dumps(value, ensure_ascii=False, separators=_COMPACT)
    return text if text.isascii() or _utf8(text) else json.dumps(value, separators=_COMPACT)


def encode(value: Any) -> bytes:
    """`dumps` as UTF-8 bytes."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=_COMPACT).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=_COMPACT).encode("ascii")


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
