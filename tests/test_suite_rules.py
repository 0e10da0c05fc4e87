"""The suite's own rules, checked on its source: test modules stand alone and measure no time."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCKS = {"perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns", "process_time"}


def suite_modules() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ("." * node.level) + (node.module or "")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_no_test_module_imports_another() -> None:
    """Shared helpers go in tests/helpers/ or conftest.py, never in a test module."""
    modules = suite_modules()
    assert len(modules) > 20, modules  # the check below ran over the suite, not over nothing
    offenders = {
        path.name: sorted(name for name in imported_modules(path) if ".test_" in f".{name}")
        for path in modules
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_no_test_reads_a_clock_to_judge_speed() -> None:
    """Speed is measured in bench/, where a slow machine cannot fail the suite."""
    modules = suite_modules()
    assert len(modules) > 20, modules
    readers = {
        path.name
        for path in modules
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in CLOCKS
    }
    assert readers == set()
