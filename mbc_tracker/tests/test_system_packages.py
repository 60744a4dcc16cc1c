"""`make test`'s install step (.ci/system-packages) on a simulated fresh machine.

The package database, apt-get and the user id are stand-ins placed first on PATH, so the script's
decisions (what is missing, install or explain, report) run for real without changing this
machine.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "system-packages"
PACKAGES = [
    "chromium",
    "fonts-dejavu-core",
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "postgresql",
    "redis-server",
    "pgbouncer",
    "gettext",
]

STUBS = {
    # A package counts as installed when its file exists in $FAKE_DPKG.
    "dpkg-query": """#!/bin/bash
package="${@: -1}"
[ -e "$FAKE_DPKG/$package" ] && printf installed || printf not-installed
""",
    # Records each call; "install" marks its packages installed unless told to fail.
    "apt-get": """#!/bin/bash
echo "$*" >> "$FAKE_DPKG/.apt-log"
if [ "$1" = "install" ] && [ -z "$FAKE_APT_BROKEN" ]; then
  for arg in "$@"; do
    case "$arg" in -*|install) ;; *) touch "$FAKE_DPKG/$arg" ;; esac
  done
fi
exit 0
""",
    "id": """#!/bin/bash
echo "$FAKE_UID"
""",
}


@pytest.fixture
def machine(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in STUBS.items():
        stub = bin_dir / name
        stub.write_text(text)
        stub.chmod(0o755)
    dpkg = tmp_path / "dpkg"
    dpkg.mkdir()

    class Machine:
        def __init__(self) -> None:
            self.dpkg = dpkg

        def have(self, *packages: str) -> None:
            for package in packages:
                (dpkg / package).touch()

        def apt_calls(self) -> list[str]:
            log = dpkg / ".apt-log"
            return log.read_text().splitlines() if log.exists() else []

        def run(self, *, uid: int = 0, apt_broken: bool = False, command=None):
            env = {
                **os.environ,
                "PATH": f"{bin_dir}:{os.environ['PATH']}",
                "FAKE_DPKG": str(dpkg),
                "FAKE_UID": str(uid),
                "FAKE_APT_BROKEN": "1" if apt_broken else "",
            }
            env.pop("SYSTEM_PACKAGES", None)
            return subprocess.run(
                command or ["bash", str(SCRIPT)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )

    return Machine()


def test_a_fresh_machine_run_as_root_installs_what_is_missing_and_says_so(machine):
    result = machine.run(uid=0)

    assert result.returncode == 0, result.stderr
    assert f"installed {' '.join(PACKAGES)}" in result.stdout
    assert machine.apt_calls() == [
        "update -qq",
        f"install -y -qq --no-install-recommends {' '.join(PACKAGES)}",
    ]


def test_an_already_installed_browser_is_left_alone(machine):
    machine.have("chromium", "fonts-dejavu-core", "postgresql", "redis-server")

    result = machine.run(uid=0)

    assert result.returncode == 0, result.stderr
    assert "installed libpango-1.0-0 libpangoft2-1.0-0" in result.stdout
    assert "chromium" not in machine.apt_calls()[-1]


def test_nothing_missing_installs_nothing(machine):
    machine.have(*PACKAGES)

    result = machine.run(uid=0)

    assert result.returncode == 0
    assert "all present" in result.stdout
    assert machine.apt_calls() == []


def test_without_root_it_stops_at_once_with_the_exact_command(machine):
    machine.have("fonts-dejavu-core", "libpango-1.0-0", "libpangoft2-1.0-0", "postgresql")

    result = machine.run(uid=1000)

    assert result.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends chromium redis-server" in result.stderr
    assert machine.apt_calls() == []


def test_a_failed_install_is_reported_not_ignored(machine):
    result = machine.run(uid=0, apt_broken=True)

    assert result.returncode == 1
    assert "could not install chromium" in result.stderr


def test_make_test_runs_the_install_step_before_any_test(machine):
    """`make test` stops at the install step: no pytest run, no errors deep in the suite."""
    result = machine.run(uid=1000, command=["make", "--no-print-directory", "test"])

    assert result.returncode != 0
    assert "sudo apt-get install -y" in result.stderr
    assert "passed" not in result.stdout and "pytest" not in result.stdout
