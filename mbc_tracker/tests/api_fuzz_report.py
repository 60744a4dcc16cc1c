"""The schema fuzzing figures (test_api_fuzz.py), printed at the end of every run that fuzzed,
whether or not pytest shows the tests' own output."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RoleFigures:
    requests: int
    server_errors: int
    failures: int
    seconds: float


FIGURES: dict[str, RoleFigures] = {}


def pytest_terminal_summary(terminalreporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("API schema fuzzing")
    for role, figures in FIGURES.items():
        terminalreporter.write_line(
            f"{role}: {figures.requests} requests, {figures.server_errors} server errors, "
            f"{figures.failures} schema failures, {figures.seconds:.0f} s"
        )
    total = sum(figures.requests for figures in FIGURES.values())
    terminalreporter.write_line(f"all roles: {total} requests")
