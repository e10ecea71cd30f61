"""The video-call workflow's refusals (each maps to its problem type through `DomainError`)."""

from __future__ import annotations

from chalicelib.core.errors import DomainError, InvalidTransition


class MerchantOffline(InvalidTransition):
    """No terminal of the merchant is connected: nothing would ring, so nothing is stored."""

    problem = "merchant-offline"
    title = "Merchant offline"


class CallNotRinging(InvalidTransition):
    problem = "call-not-ringing"
    title = "Call not ringing"


class CallNotConnected(InvalidTransition):
    problem = "call-not-connected"
    title = "Call not connected"


class NotAParty(DomainError):
    """A terminal that is not one of the call's two: answered as if the call did not exist."""

    status = 403
    problem = "not-a-party"
    title = "Not a party to the call"


class MalformedSignal(DomainError):
    status = 400
    problem = "malformed-signal"
    title = "Malformed signal"


class PeerGone(DomainError):
    status = 410
    problem = "peer-gone"
    title = "The other terminal is gone"
