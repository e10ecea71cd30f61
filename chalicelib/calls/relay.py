"""The signalling relay: `{"action": "call.signal", "call_id", "payload"}` from one terminal of a
connected call to the other one, and to no other terminal.

The call names its two terminals (the customer's that placed or rejoined it, the merchant's that
answered or rejoined it), so a message is relayed by who sent it, not by who they claim to be: a
colleague's console, an old connection or a stranger is refused (`not-a-party`, as for a call that
does not exist), and so is anything for a call that is not connected. One post per message: the
call's two terminals are read once per burst (`terminals.py`), and the platform rate-limits each
connection, in memory first (`push/rate_limit.py`), before it gets here.
"""

from __future__ import annotations

from chalicelib.calls.call import CallStatus
from chalicelib.calls.errors import CallNotConnected, MalformedSignal, NotAParty, PeerGone
from chalicelib.calls.signals import signal_payload
from chalicelib.calls.terminals import CallTerminals
from chalicelib.core.ids import is_id
from chalicelib.push.notifier import Notifier
from chalicelib.push.terminal import TerminalMessage

SIGNALLED = "call.signalled"
"""What the other terminal receives (the action is `call.signal`)."""


class SignalRelay:
    def __init__(self, terminals: CallTerminals, notifier: Notifier) -> None:
        self._terminals = terminals
        self._notifier = notifier

    def relay(self, message: TerminalMessage) -> None:
        sent = message.message
        call_id = sent.get("call_id")
        if not isinstance(call_id, str) or not is_id(call_id):
            raise MalformedSignal("call_id names the call the signal belongs to")
        payload = signal_payload(sent.get("payload"))
        call = self._terminals.of(call_id)
        side = None if call is None else call.side_of_connection(message.connection_id)
        if call is None or side is None:
            raise NotAParty(f"this terminal is not in call {call_id}", call_id=call_id)
        if call.status is not CallStatus.CONNECTED:
            raise CallNotConnected(f"call {call_id} is {call.status.value}: signals are relayed only while it is "
                                   "connected", call_id=call_id, current_status=call.status.value)
        peer = call.connection_of(side.other)
        delivered = peer is not None and self._notifier.reply(
            peer, SIGNALLED, {"call_id": call_id, "from": side.value, "payload": payload}, message.now_ms)
        if not delivered:
            self._terminals.forget(call_id)  # it may have rejoined from another terminal
            raise PeerGone(f"the other terminal of call {call_id} is not connected; it can rejoin", call_id=call_id)
