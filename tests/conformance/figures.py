"""The suite's figures: what was tried and what it showed, for the one-line summary at the end.

Tests add to one process-wide tally; the suite's plugin (``options``) prints it after pytest's own
report so that a reader sees at a glance how much bad input, concurrency and crashing the
deployment went through. With pytest-xdist each worker sends its tally to the controller, which
adds them up before it prints.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figures:
    bad_inputs_tried: int = 0
    bad_inputs_rejected: int = 0
    race_results: list[tuple[str, int]] = field(default_factory=list)
    crash_cycles: int = 0
    acknowledged_registrants: int = 0
    acknowledged_lost: int = 0
    fuzz_cases: int = 0
    auth_refusals: int = 0
    responses_checked_for_passwords: int = 0
    logs_scanned: int = 0
    secrets_in_logs: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bad_input(self, *, rejected: bool) -> None:
        with self._lock:
            self.bad_inputs_tried += 1
            self.bad_inputs_rejected += int(rejected)

    def race(self, kind: str, resulting_rows: int) -> None:
        """A race that should leave one ``kind`` (bank, account) behind left ``resulting_rows``."""
        with self._lock:
            self.race_results.append((kind, resulting_rows))

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def tallies(self) -> dict[str, Any]:
        """What a pytest worker sends its controller (plain values)."""
        with self._lock:
            return {
                name: [list(race) for race in value] if name == "race_results" else value
                for name, value in vars(self).items()
                if not name.startswith("_")
            }

    def merge(self, tallies: dict[str, Any]) -> None:
        """Add a worker's tallies to this process's."""
        with self._lock:
            for name, value in tallies.items():
                if name == "race_results":
                    self.race_results += [(kind, rows) for kind, rows in value]
                else:
                    setattr(self, name, getattr(self, name) + value)

    def any(self) -> bool:
        return bool(self.bad_inputs_tried or self.race_results or self.crash_cycles or self.fuzz_cases)

    def _races_text(self) -> str:
        if not self.race_results:
            return "0 races"
        kinds = sorted({kind for kind, _ in self.race_results})  # "account" < "bank": banks named first below
        if all(count == 1 for _, count in self.race_results):
            return (
                f"{len(self.race_results)} races ({', '.join(f'1 {kind}' for kind in reversed(kinds))} each)"
            )
        tallies = []
        for kind in reversed(kinds):
            rows = Counter(count for race_kind, count in self.race_results if race_kind == kind)
            tallies += [
                f"{times} left {count} {kind}{'s' if count != 1 else ''}"
                for count, times in sorted(rows.items())
            ]
        return f"{len(self.race_results)} races ({', '.join(tallies)})"

    def summary_line(self) -> str:
        bad = (
            f"{self.bad_inputs_rejected} bad inputs rejected"
            if self.bad_inputs_rejected == self.bad_inputs_tried
            else f"{self.bad_inputs_rejected} of {self.bad_inputs_tried} bad inputs rejected"
        )
        return (
            f"conformance: {bad}, {self._races_text()}, {self.crash_cycles} crash cycles, "
            f"{self.acknowledged_lost} of {self.acknowledged_registrants} acknowledged registrants lost, "
            f"{self.fuzz_cases} fuzz cases, {self.auth_refusals} unauthenticated requests refused, "
            f"{self.secrets_in_logs} account numbers or passwords in {self.logs_scanned} server logs"
        )


FIGURES = Figures()
