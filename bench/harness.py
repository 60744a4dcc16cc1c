"""Shared benchmark pieces: a separate database, a gunicorn server and an HTTP load driver."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mbc_tracker"


def bench_environment() -> dict[str, str]:
    """Production settings (over plain HTTP on loopback) on a database of the benchmark's own."""
    url = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    name = url.path.lstrip("/") or "mbc_tracker"
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": urlunsplit(url._replace(path=f"/{name}_bench")),
        "SECURE_SSL_REDIRECT": "0",
        "BEHIND_TLS_PROXY": "0",
        "LOG_LEVEL": "WARNING",
    }


def prepare_database(env: dict[str, str]) -> None:
    """Create the bench database if needed and migrate it, in a child process."""
    code = (
        "import os, psycopg; from urllib.parse import urlsplit; "
        "u = urlsplit(os.environ['DATABASE_URL']); name = u.path.lstrip('/'); "
        "c = psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, "
        "password=u.password, dbname='postgres', autocommit=True); "
        "exists = c.execute('select 1 from pg_database where datname=%s', [name]).fetchone(); "
        "exists or c.execute(f'create database \"{name}\"')"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def django_shell(env: dict[str, str], code: str) -> str:
    """Run Python in a configured Django process and return what it prints."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def run_child(script: str, env: dict[str, str], *args: str) -> dict:
    """Run ``script`` again as a child process (a fresh Django with ``env``) and return the JSON
    object it prints on its last line."""
    output = subprocess.run(
        [sys.executable, os.path.abspath(script), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(env: dict[str, str], *, workers: int = 2, threads: int = 4) -> Iterator[int]:
    """gunicorn (gthread) serving the app on 127.0.0.1; yields its port."""
    with gunicorn_app(
        env, "mbc_tracker.wsgi:application", workers=workers, threads=threads
    ) as port:
        yield port


def _machine_cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) clock ticks over all cores since boot, from /proc/stat (Linux only)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


@dataclass
class LoadResult:
    label: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter[int] = field(default_factory=Counter)
    driver_cpu_seconds: float = float("nan")  # CPU the load driver itself used (all threads)
    machine_busy: float = float("nan")  # share of all cores busy (driver + server + database)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def driver_cores(self) -> float:
        return self.driver_cpu_seconds / self.seconds if self.seconds else float("nan")

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.label:<28} {self.rps:8.0f} req/s   p50 {self.percentile(0.50):6.1f} ms   "
            f"p95 {self.percentile(0.95):6.1f} ms   errors {self.errors}"
        )

    def cpu_line(self) -> str:
        """Where the machine's CPU went: the driver competes with the server on a small box."""
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{'':<28} driver {self.driver_cores:4.2f} cores, machine {self.machine_busy:4.0%} "
            f"busy ({os.cpu_count()} cores); statuses {statuses}"
        )


def drive(
    port: int,
    *,
    label: str,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    clients: int = 16,
    seconds: float = 10.0,
    expect_status: int | Collection[int] = 200,
    headers_for: Callable[[int], dict[str, str]] | None = None,
    body_for: Callable[[int, int], bytes] | None = None,
) -> LoadResult:
    """Send requests from `clients` keep-alive connections for a bounded time.

    ``headers_for(client)`` gives each client its own headers (say, its own token), once, and
    ``body_for(client, n)`` the body of its n-th request, built before that request's latency is
    timed (but within the run, so keep it cheap: it is driver CPU). ``expect_status`` may be
    several codes (a log POST answers 201 for a new day, 200 for a replaced one).
    """
    expected = {expect_status} if isinstance(expect_status, int) else set(expect_status)
    stop_at = time.monotonic() + seconds
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors = [0]
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        my_headers = {**(headers or {}), **(headers_for(number) if headers_for else {})}
        mine: list[float] = []
        my_statuses: Counter[int] = Counter()
        failed = 0
        sent = 0
        while time.monotonic() < stop_at:
            request_body = body_for(number, sent) if body_for else body
            sent += 1
            started = time.perf_counter()
            try:
                connection.request(method, path, body=request_body, headers=my_headers)
                response = connection.getresponse()
                response.read()
                my_statuses[response.status] += 1
                ok = response.status in expected
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            if ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(my_statuses)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    cpu_before, machine_before = time.process_time(), _machine_cpu_ticks()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu_used, machine_after = time.process_time() - cpu_before, _machine_cpu_ticks()
    busy = float("nan")
    if machine_before and machine_after and machine_after[1] > machine_before[1]:
        busy = (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1])
    return LoadResult(
        label, len(latencies), errors[0], elapsed, latencies, statuses, cpu_used, busy
    )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- Celery worker processes (the nightly passes fanned out over workers)


@contextmanager
def private_redis() -> Iterator[str]:
    """A redis-server of the benchmark's own on a free port (no persistence); yields its URL."""
    port = _free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    process = subprocess.Popen([*command, "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start within 10 s") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def peak_rss_mb(pid: int) -> float:
    """The largest peak resident memory (VmHWM) of a process and its children, in MB (Linux)."""
    peaks = []
    for each in (pid, *_children(pid)):
        try:
            with open(f"/proc/{each}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return max(peaks, default=float("nan"))


@contextmanager
def celery_workers(env: dict[str, str], count: int) -> Iterator[list[subprocess.Popen]]:
    """``count`` worker processes (``celery -A mbc_tracker worker -c 1`` each) on the broker in
    ``env["REDIS_URL"]``; yields them once every one answers a ping."""
    from celery import Celery

    command = [sys.executable, "-m", "celery", "-A", "mbc_tracker", "worker", "-c", "1"]
    quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"]
    # The workers' output, shown only if something fails.
    with tempfile.TemporaryFile() as log:
        processes = [
            subprocess.Popen(
                [*command, "-n", f"bench{number}@%h", *quiet],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for number in range(count)
        ]
        control = Celery(broker=env["REDIS_URL"])
        try:
            deadline = time.monotonic() + 120
            ready: set[str] = set()
            while len(ready) < count:  # a busy machine may answer one ping at a time
                ready.update(name for reply in control.control.ping(timeout=1) for name in reply)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{count} workers did not start within 120 s: {ready}")
            yield processes
        except BaseException:
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace")[-5000:])
            raise
        finally:
            for process in processes:
                process.terminate()  # a warm shutdown: the current task ends first
            for process in processes:
                process.wait(timeout=120)


# --- wrk load generator (and a second gunicorn app, for the log POST's floor) ---------------------

WRK = "/usr/bin/wrk"


def wrk_path() -> str | None:
    """The wrk binary (Debian's package), or None when it is not installed."""
    import shutil

    return shutil.which("wrk") or (WRK if os.path.exists(WRK) else None)


@dataclass
class WrkResult:
    """What wrk measured: counts and wrk's own latency percentiles (no per-request list)."""

    label: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    statuses: Counter[int] = field(default_factory=Counter)
    machine_busy: float = float("nan")

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        return {0.5: self.p50_ms, 0.95: self.p95_ms}.get(fraction, float("nan"))

    def line(self) -> str:
        return (
            f"{self.label:<28} {self.rps:8.0f} req/s   p50 {self.p50_ms:6.1f} ms   "
            f"p95 {self.p95_ms:6.1f} ms   errors {self.errors}"
        )

    def cpu_line(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{'':<28} driver wrk, machine {self.machine_busy:4.0%} busy "
            f"({os.cpu_count()} cores); statuses {statuses}"
        )


def wrk_run(
    port: int,
    *,
    label: str,
    path: str,
    script: str,
    clients: int = 16,
    seconds: float = 10.0,
    expect_status: Collection[int] = (200,),
    script_env: dict[str, str] | None = None,
) -> WrkResult:
    """Run wrk with one thread per connection (``-t clients -c clients``) and ``script``, whose
    done() prints one line of JSON (see bench/log_post.lua). Only ``expect_status`` answers count
    as requests; any other answer, and wrk's socket errors, are errors."""
    binary = wrk_path()
    if binary is None:
        raise RuntimeError("wrk is not installed")
    command = [
        binary,
        f"-t{clients}",
        f"-c{clients}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        script,
        f"http://127.0.0.1:{port}{path}",
    ]
    machine_before = _machine_cpu_ticks()
    output = subprocess.run(
        command,
        env={**os.environ, **(script_env or {})},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    machine_after = _machine_cpu_ticks()
    busy = float("nan")
    if machine_before and machine_after and machine_after[1] > machine_before[1]:
        busy = (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1])
    report = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    statuses = Counter({int(code): n for code, n in report["statuses"].items()})
    good = sum(n for code, n in statuses.items() if code in set(expect_status))
    socket_errors = sum(report["errors"][kind] for kind in ("connect", "read", "write", "timeout"))
    return WrkResult(
        label=label,
        requests=good,
        errors=report["requests"] - good + socket_errors,
        seconds=report["seconds"],
        p50_ms=report["p50_ms"],
        p95_ms=report["p95_ms"],
        statuses=statuses,
        machine_busy=busy,
    )


@contextmanager
def gunicorn_app(
    env: dict[str, str], app: str, *, workers: int = 2, threads: int = 4
) -> Iterator[int]:
    """gunicorn (gthread) on 127.0.0.1 serving any WSGI ``app`` (``module:attribute``) that
    answers GET /healthz with 200, once it does; yields its port."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn {app} did not start within 30 s")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
