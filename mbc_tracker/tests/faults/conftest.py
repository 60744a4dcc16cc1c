"""Fixtures for the fault tests: one private PostgreSQL cluster per session (migrated once into a
template database), and per test a fresh database copied from it, a fresh Redis and the app's
processes (see harness.py)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from mbc_tracker.tests.faults import harness

TEMPLATE = "faults_template"
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def fault_cluster():
    base = Path(tempfile.mkdtemp(prefix="mbc-faults-pg-"))
    cluster = harness.PostgresCluster(base)
    try:
        cluster.init()
        cluster.start()
        cluster.query("postgres", f'CREATE DATABASE "{TEMPLATE}"')
        env = harness.stack_environment(
            Path(tempfile.mkdtemp(prefix="mbc-faults-migrate-")),
            database_url=cluster.url(TEMPLATE),
            redis_url=f"redis://127.0.0.1:{harness.free_port()}/0",  # nobody listens: unused
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=harness.ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        shutil.rmtree(env["VAR_DIR"].rsplit("/", 1)[0], ignore_errors=True)
        yield cluster
    finally:
        if cluster.running():
            cluster.stop(mode="immediate")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def world(fault_cluster):
    base = Path(tempfile.mkdtemp(prefix="mbc-faults-"))
    try:
        with harness.world(base, fault_cluster, TEMPLATE, f"faults_{next(_numbers)}") as world:
            yield world
    finally:
        if os.environ.get("FAULTS_KEEP_LOGS"):  # to read the processes' logs after a failure
            print(f"\n[faults] logs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
