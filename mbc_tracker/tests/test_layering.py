"""The apps' layering (pyproject.toml, [tool.importlinter]) holds, and its contracts would catch
a module that breaks it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = (
    "followups",
    "accounts",
    "notifications",
    "appointments",
    "symptoms",
    "flags",
    "care",
    "exports",
    "demo",
    "lib",
    "mbc_tracker",
)
SKIPPED_FOLDERS = {"tests", "migrations", "__pycache__"}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(cwd),
        "COLUMNS": "250",  # no wrapped lines in the report
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_project_keeps_its_layers():
    assert LINT_IMPORTS.exists(), f"import-linter is not installed next to {sys.executable}"
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Contracts: \d+ kept, 0 broken", result.stdout), result.stdout


def _only_python(folder: str, names: list[str]) -> set[str]:
    ignored = set()
    for name in names:
        if (Path(folder) / name).is_dir():
            if name in SKIPPED_FOLDERS:
                ignored.add(name)
        elif not name.endswith(".py"):
            ignored.add(name)
    return ignored


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """The project's Python packages (without tests and migrations) and its contracts."""
    copy = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=_only_python)
    shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


@pytest.mark.parametrize(
    ("probe", "line", "contract", "broken"),
    [
        (
            "accounts/_probe.py",
            "import care.selectors",
            "Apps point one way",
            r"accounts is not allowed to import care:\s+-\s+accounts\._probe -> care\.selectors",
        ),
        (
            "flags/rules/_probe.py",
            "import symptoms.models",
            "The flag rules are pure",
            r"flags\.rules is not allowed to import symptoms:\s+-\s+"
            r"flags\.rules\._probe -> symptoms\.models",
        ),
    ],
    ids=["upward-import", "impure-rules"],
)
def test_the_contracts_catch_a_module_that_breaks_them(project_copy, probe, line, contract, broken):
    module = project_copy / probe
    module.write_text(f'"""A probe: breaks the layering on purpose."""\n\n{line}\n')
    try:
        result = lint_imports(project_copy)
    finally:
        module.unlink()
    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert re.search(rf"^{re.escape(contract)}.* BROKEN", report, re.MULTILINE), report
    assert re.search(broken, report), report


def test_the_pure_rules_contract_names_every_other_flags_module():
    """The contract lists what flags.rules may not import one module at a time (a forbidden
    contract cannot exclude the package it sits in), so a new module in flags must join it."""
    import pkgutil
    import tomllib

    import flags

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [
        c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "pure-rules"
    ]
    modules = {f"flags.{m.name}" for m in pkgutil.iter_modules(flags.__path__)}
    missing = modules - {"flags.rules", "flags.tests", "flags.migrations", "flags.management"}
    missing -= set(contract["forbidden_modules"])
    assert not missing, f"add {sorted(missing)} to the pure-rules contract in pyproject.toml"
