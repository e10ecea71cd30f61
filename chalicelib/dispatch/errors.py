"""Installer dispatch's own refusals (each maps to its problem type through `DomainError`)."""

from __future__ import annotations

from chalicelib.core.errors import InvalidTransition, WindowClosed


class DispatchRevoked(WindowClosed):
    """The installer's confirmation window closed: the dispatch was taken back."""

    problem = "dispatch-revoked"
    title = "Dispatch revoked"


class AlreadyReassigned(InvalidTransition):
    """An assignment based on a dispatch that someone else has already replaced."""

    problem = "already-reassigned"
    title = "Already reassigned"
