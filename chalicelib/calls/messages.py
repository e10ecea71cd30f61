"""What the video-call workflow pushes to terminals (`Contribution.messages`; `docs/asyncapi.json`)."""

from __future__ import annotations

from chalicelib.calls.schemas import SignalAction
from chalicelib.calls.view_models import (
    AnsweredElsewhereView,
    CallChangedView,
    CallView,
    DetailsRequestedView,
    DetailsSubmittedView,
    DetailsUpdatedView,
    RejoinedView,
    SignalView,
)
from chalicelib.push.messages import Action, Listed, Message

ACTIONS = (
    Action("call.signal", SignalAction, "An SDP offer or answer, or an ICE candidate, for the other terminal of a "
           "connected call (`call.signal` there); refused with `error` (`not-a-party`, `call-not-connected`, "
           "`malformed-signal`, `peer-gone`, `rate-limited`). Nothing answers a relayed one.", ()),
)
CUSTOMER, MERCHANT, BOTH = ("customer",), ("merchant",), ("customer", "merchant")
MESSAGES = (
    Message("call.ringing", CallView, "A customer calls: ring until `ring_deadline` (every terminal of the "
            "merchant).", MERCHANT),
    Message("call.answered_elsewhere", AnsweredElsewhereView, "Another terminal of the merchant answered: stop "
            "ringing.", MERCHANT),
    Message("call.connected", CallView, "The merchant answered: open the call screen with these ICE settings and "
            "wait for the merchant's offer.", CUSTOMER),
    Message("call.status_changed", CallChangedView, "The call was missed, declined, cancelled or ended: stop ringing "
            "or close the call screen.", BOTH),
    Message("call.rejoined", RejoinedView, "The other party's terminal reconnected and rejoined: expect its new "
            "offer.", BOTH, reply=True),
    Message("call.signalled", SignalView, "The other terminal's SDP offer or answer, or an ICE candidate.", BOTH,
            reply=True),
    Message("details.requested", DetailsRequestedView, "The merchant asks for the details: open the input window.",
            CUSTOMER, reply=True),
    Message("details.updated", DetailsUpdatedView, "The customer typed: each changed field with its newest text.",
            MERCHANT, reply=True),
    Message("details.submitted", DetailsSubmittedView, "The customer submitted the details.", MERCHANT, reply=True),
    Message("calls.listed", Listed[CallView], "`list_pending`'s answer: the party's ringing and connected calls, "
            "with ICE settings and orders (to resume).", BOTH, reply=True),
)
