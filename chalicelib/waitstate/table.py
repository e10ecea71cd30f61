"""A workflow's states and transitions as one declared table, and the checks that keep it sane.

Taken from python-statemachine: one initial state, final states have no exits, every state is
reachable from the initial one and can reach a final one. Each workflow validates its table in
a unit test, so a typo in a transition fails fast instead of stranding an entity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

S = TypeVar("S")


@dataclass(frozen=True)
class StateTable(Generic[S]):
    initial: S
    transitions: Mapping[S, Mapping[str, S]]

    @property
    def states(self) -> frozenset[S]:
        targets = {t for moves in self.transitions.values() for t in moves.values()}
        return frozenset(self.transitions) | frozenset(targets)

    @property
    def final(self) -> frozenset[S]:
        return frozenset(s for s in self.states if not self.transitions.get(s))

    def target(self, state: S, event: str) -> S | None:
        return self.transitions.get(state, {}).get(event)

    def problems(self) -> list[str]:
        found: list[str] = []
        if self.initial not in self.transitions:
            found.append(f"initial state {self.initial!r} is not declared")
        undeclared = self.states - frozenset(self.transitions)
        found += [f"state {s!r} is a target but not declared" for s in sorted(map(str, undeclared))]
        reachable = self._closure({self.initial}, forward=True)
        found += [f"state {s!r} is unreachable" for s in sorted(map(str, self.states - reachable))]
        reaches_final = self._closure(set(self.final), forward=False)
        found += [f"state {s!r} cannot reach a final state" for s in sorted(map(str, self.states - reaches_final))]
        return found

    def _closure(self, start: set[S], *, forward: bool) -> set[S]:
        seen = set(start)
        frontier = list(start)
        while frontier:
            state = frontier.pop()
            if forward:
                nxt = set(self.transitions.get(state, {}).values())
            else:
                nxt = {s for s, moves in self.transitions.items() if state in moves.values()}
            for other in nxt - seen:
                seen.add(other)
                frontier.append(other)
        return seen
