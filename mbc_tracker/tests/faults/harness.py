"""A private world to break: a PostgreSQL cluster and a Redis server on free ports in a temporary
directory, and the app as production runs it (gunicorn, a Celery worker, Celery beat), each a
process of its own that a test may kill, stop or restart.

Nothing here touches the machine's own PostgreSQL or Redis. Every process is started in its own
process group and stopped (then killed) on the way out, whatever the test did.
"""

from __future__ import annotations

import contextlib
import email
import http.client
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[3]
PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin")
SETTINGS = "mbc_tracker.tests.faults.settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], bool], *, seconds: float, what: str, every: float = 0.2) -> float:
    """Poll ``check`` until it is true; returns the seconds it took, or fails naming ``what``."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not within {seconds:.0f} s")
        time.sleep(every)


def pg_binary(name: str) -> str:
    """A server binary: PostgreSQL 15's first (production's version), then any other."""
    others = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for directory in (*PG_BIN_DIRS, *others):
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return found


def _stop_group(process: subprocess.Popen, *, timeout: float = 15) -> None:
    """Stop a process started with its own session, and everything it started."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    # Children the leader left behind (a prefork pool) go with it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class PostgresCluster:
    """``initdb`` + ``pg_ctl`` on a free port; trust authentication on loopback only."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "pgdata"
        self.log = base / "postgres.log"
        self.port = free_port()
        # initdb refuses to run as root: then the cluster belongs to the postgres user.
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(base, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(
            pg_binary("initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            pg_binary("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(pg_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        # With its log file, or the new server would hold pg_ctl's output open.
        self._run(
            pg_binary("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-m",
            "fast",
            "-w",
            "restart",
        )

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def connect(self, name: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=name, autocommit=True
        )

    def query(self, name: str, sql: str, params: tuple = ()) -> list[tuple]:
        with self.connect(name) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


class RedisServer:
    """A ``redis-server`` on a free port, with no persistence: stopping it loses what it held,
    as a broker that restarts without its disk would."""

    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.log = base / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        redis_server = shutil.which("redis-server")
        if not redis_server:
            raise RuntimeError("redis-server is not installed")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    redis_server,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--protected-mode",
                    "yes",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self.ping, seconds=15, what="redis-server to start", every=0.05)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process)
            self.process = None


class PgBouncer:
    """PgBouncer in transaction mode on a free port, in front of a private cluster, with a
    server pool smaller than its clients: successive transactions of one client land on
    different server connections, as they do in production behind a busy pooler."""

    def __init__(self, cluster: PostgresCluster, *, pool_size: int = 3) -> None:
        # A folder of its own: the test's may be closed to the postgres user.
        self.base = Path(tempfile.mkdtemp(prefix="mbc-pgbouncer-"))
        self.cluster = cluster
        self.pool_size = pool_size
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        # PgBouncer refuses to run as root: then it runs as the postgres user, like the cluster.
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.base, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not Path(binary).exists():
            raise RuntimeError("pgbouncer is not installed")
        (self.base / "users.txt").write_text('"postgres" ""\n')
        (self.base / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={self.cluster.port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.base / 'users.txt'}\n"
            "admin_users = postgres\n"
            f"pool_mode = transaction\ndefault_pool_size = {self.pool_size}\n"
            "max_client_conn = 200\n"
            f"logfile = {self.base / 'pgbouncer.log'}\n"
        )
        for path in self.base.iterdir():
            if self._as:
                user = pwd.getpwnam("postgres")
                os.chown(path, user.pw_uid, user.pw_gid)
        self.process = subprocess.Popen(
            [*self._as, binary, str(self.base / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._accepts, seconds=15, what="pgbouncer to accept connections", every=0.1)

    def _accepts(self) -> bool:
        try:
            self.show("VERSION")
            return True
        except psycopg.Error:
            return False

    def show(self, what: str) -> list[dict[str, object]]:
        """A ``SHOW`` of PgBouncer's admin console, as dicts."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="pgbouncer", autocommit=True
        ) as connection:
            cursor = connection.cursor()
            cursor.execute(f"SHOW {what}", prepare=False)
            names = [column.name for column in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process)
            self.process = None
        shutil.rmtree(self.base, ignore_errors=True)


@dataclass
class Stack:
    """gunicorn + worker + beat for one test, on one database and one Redis."""

    base: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    port: int = 0
    worker_restarts: int = 0  # by the supervisor, after the worker stopped by itself
    _supervisor: threading.Thread | None = None
    _supervising: threading.Event = field(default_factory=threading.Event)
    _worker_lock: threading.Lock = field(default_factory=threading.Lock)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.base / f"{name}.log", "ab")  # noqa: SIM115 (the child owns it)
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes[name] = process
        return process

    def log_text(self, name: str) -> str:
        path = self.base / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start_web(self) -> None:
        self.port = free_port()
        self._spawn(
            "web",
            [
                "-m",
                "gunicorn",
                "mbc_tracker.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--worker-class",
                "gthread",
                "--workers",
                "2",
                "--threads",
                "4",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
        )

        def up() -> bool:
            try:
                return get(self.port, "/healthz")[0] in {200, 503}
            except OSError:
                return False

        wait_for(up, seconds=60, what="gunicorn to answer")

    def start_worker(self) -> None:
        """A prefork worker, as production runs it."""
        before = self.log_text("worker").count(" ready.")
        self._spawn(
            "worker",
            [
                "-m",
                "celery",
                "-A",
                "mbc_tracker",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"faults-{secrets.token_hex(3)}@%h",
            ],
        )
        wait_for(
            lambda: self.log_text("worker").count(" ready.") > before,
            seconds=60,
            what="the Celery worker to be ready",
        )

    def supervise_worker(self) -> None:
        """Start the worker again whenever it stops by itself, as production's process manager
        does (docker-compose: ``restart: unless-stopped``). Celery's worker exits on some broker
        losses ("Unrecoverable error") rather than reconnecting."""

        def watch() -> None:
            while self._supervising.is_set():
                with self._worker_lock:
                    process = self.processes.get("worker")
                    if process is not None and process.poll() is not None:
                        self.worker_restarts += 1
                        self.start_worker()
                time.sleep(0.5)

        self._supervising.set()
        self._supervisor = threading.Thread(target=watch, daemon=True)
        self._supervisor.start()

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool: no warm shutdown, no acknowledgements."""
        with self._worker_lock:
            process = self.processes.pop("worker")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_beat(self) -> None:
        self._spawn(
            "beat",
            [
                "-m",
                "celery",
                "-A",
                "mbc_tracker",
                "beat",
                "--loglevel",
                "INFO",
                "-s",
                str(self.base / "beat-schedule"),
            ],
        )

    def stop(self) -> None:
        """The test is over and its data is thrown away: no need for a warm shutdown."""
        self._supervising.clear()
        if self._supervisor is not None:
            self._supervisor.join(timeout=90)
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        self.processes.clear()


def stack_environment(base: Path, *, database_url: str, redis_url: str) -> dict[str, str]:
    mail = base / "mail"
    mail.mkdir(exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECURE_SSL_REDIRECT": "0",
        "BEHIND_TLS_PROXY": "0",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": str(base / "var"),
        "FAULTS_MAIL_DIR": str(mail),
        "CACHE_KEY_PREFIX": "faults",
        "PYTHONUNBUFFERED": "1",
    }


def django_run(env: dict[str, str], code: str) -> dict:
    """Run Python in a configured Django process of the stack; returns the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stdout + result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- HTTP ------------------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: object | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def get(port: int, path: str, **kwargs: object) -> tuple[int, dict[str, str], bytes]:
    return request(port, "GET", path, **kwargs)


# --- Mail ------------------------------------------------------------------------------------

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def delivered_mail(directory: Path) -> list[email.message.Message]:
    """Every complete message the file backend wrote (a message cut short by a kill is not
    delivered, as an SMTP server drops a conversation that ends before its final dot)."""
    messages = []
    for path in sorted(directory.glob("*.log")):
        chunks = path.read_bytes().split(SEPARATOR)
        for chunk in chunks[:-1]:  # the last piece has no separator after it: incomplete or empty
            messages.append(email.message_from_bytes(chunk.strip(b"\n")))
    return messages


@contextlib.contextmanager
def world(base: Path, cluster: PostgresCluster, template: str, name: str) -> Iterator[World]:
    """A fresh database (from the migrated template), a fresh Redis and the stack's
    environment. Processes are the test's to start; all are stopped on the way out."""
    cluster.query("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    redis = RedisServer(base)
    redis.start()
    env = stack_environment(base, database_url=cluster.url(name), redis_url=redis.url)
    stack = Stack(base=base, env=env)
    try:
        yield World(base=base, cluster=cluster, database=name, redis=redis, stack=stack)
    finally:
        stack.stop()
        redis.stop()
        if not cluster.running():
            cluster.start()
        cluster.query("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class World:
    base: Path
    cluster: PostgresCluster
    database: str
    redis: RedisServer
    stack: Stack

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        return self.cluster.query(self.database, query, params)

    def scalar(self, query: str, params: tuple = ()) -> int:
        return self.sql(query, params)[0][0]

    @property
    def mail_dir(self) -> Path:
        return Path(self.stack.env["FAULTS_MAIL_DIR"])

    def logs(self) -> str:
        """The stack's logs, for a failing assertion's message (last lines of each)."""
        parts = []
        for name in ("web", "worker", "beat"):
            text = self.stack.log_text(name)
            parts.append(f"--- {name}\n" + "\n".join(text.splitlines()[-40:]))
        return "\n".join(parts)


# --- People and the figures the tests quote ----------------------------------------------------

PASSWORD = "fault-password-123"
_SEED = """
import json
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts import credentials, services
team = services.care_team_get_or_create(name="Fault Team")
coordinators = {}
otp_keys = {}
for number in range(COORDINATORS):
    user = services.user_create(
        email=f"coordinator{number}@example.org", role="coordinator", password=PASSWORD,
        name=f"Coordinator {number}",
    )
    services.coordinator_join_team(coordinator=user, team=team)
    coordinators[user.pk] = user.email
    # Staff sign in in two steps: an authenticator app already set up, its key for the test.
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    otp_keys[user.email] = device.key
patients = []
for number in range(PATIENTS):
    user = services.patient_enrol(
        email=f"patient{number}@example.org", name=f"Patient {number}", care_team=team,
        timezone="Europe/London", password=PASSWORD, invite=False,
    )
    patients.append({
        "id": user.pk, "email": user.email, "token": credentials.api_token_issue(user=user).key,
        "today": user.patient_profile.local_today().isoformat(),
    })
print(json.dumps({"coordinators": coordinators, "patients": patients, "otp_keys": otp_keys}))
"""


@dataclass
class Team:
    coordinators: dict[int, str]
    patients: list[dict]
    otp_keys: dict[str, str]  # a coordinator's email -> their authenticator app's key (hex)

    def code(self, email_address: str, *, steps_ahead: int = 0) -> str:
        """The 6-digit code the coordinator's authenticator app shows now (or ``steps_ahead``
        30-second steps later: a code works once, and the next step's is accepted too)."""
        from django_otp.oath import TOTP

        totp = TOTP(bytes.fromhex(self.otp_keys[email_address]))
        totp.time = time.time() + totp.step * steps_ahead
        return f"{totp.token():06d}"


def seed_team(world: World, *, patients: int, coordinators: int = 2) -> Team:
    code = (
        f"COORDINATORS = {coordinators}\nPATIENTS = {patients}\nPASSWORD = {PASSWORD!r}\n" + _SEED
    )
    data = django_run(world.stack.env, code)
    return Team(
        coordinators={int(pk): address for pk, address in data["coordinators"].items()},
        patients=data["patients"],
        otp_keys=data["otp_keys"],
    )


def save_red_flag_log(port: int, patient: dict, days_back: int) -> tuple[int, dict]:
    """A seizure logged through the API for one of the patient's recent days."""
    import datetime as dt

    day = dt.date.fromisoformat(patient["today"]) - dt.timedelta(days=days_back)
    status, _, body = request(
        port,
        "POST",
        "/api/v1/logs/",
        body={"date": day.isoformat(), "entries": [{"symptom": "seizure", "present": True}]},
        headers={"Authorization": f"Token {patient['token']}"},
    )
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"raw": body.decode(errors="replace")[:500]}


def shows_urgent_advice(body: dict) -> bool:
    return any(
        flag.get("level") == "urgent" and flag.get("advice") for flag in body.get("flags", [])
    )


@dataclass
class AlertFigures:
    flags: int  # urgent flags stored
    flag_keys_duplicated: int  # (patient, rule, subject) with more than one urgent flag
    alert_rows_sent: int  # the coordinators' urgent alert emails confirmed in the outbox
    emails: int  # urgent alert emails delivered (complete messages in the mail files)
    duplicates: int  # deliveries beyond one per (coordinator, flag)
    missing: int  # (coordinator, flag) pairs with no email
    last_sent_at: float | None  # epoch seconds of the last alert confirmed


def alert_figures(world: World, team: Team) -> AlertFigures:
    from collections import Counter

    flags = world.sql(
        "SELECT id, patient_id, rule, subject FROM symptoms_flag WHERE level = 'urgent'"
    )
    per_key = Counter((patient, rule, subject) for _, patient, rule, subject in flags)
    rows = world.sql(
        "SELECT id, recipient_id, subject_id, status, extract(epoch from sent_at) "
        "FROM notifications_notification WHERE kind = 'flag_alert' AND channel = 'email' "
        "AND key LIKE 'flag:%%:urgent:%%'"
    )
    by_pk = {pk: (recipient, flag) for pk, recipient, flag, _, _ in rows}
    sent = [row for row in rows if row[3] == "sent"]
    delivered: Counter[tuple[int, int]] = Counter()
    emails = 0
    for message in delivered_mail(world.mail_dir):
        pk = int(message["Message-ID"].split("-", 1)[1].split("@", 1)[0])
        if pk in by_pk:
            emails += 1
            delivered[by_pk[pk]] += 1
    wanted = {(coordinator, flag_id) for flag_id, *_ in flags for coordinator in team.coordinators}
    return AlertFigures(
        flags=len(flags),
        flag_keys_duplicated=sum(1 for count in per_key.values() if count > 1),
        alert_rows_sent=len(sent),
        emails=emails,
        duplicates=sum(count - 1 for count in delivered.values() if count > 1),
        missing=len(wanted - set(delivered)),
        last_sent_at=max((float(row[4]) for row in sent), default=None),
    )


def pending_follow_ups(world: World) -> int:
    return world.scalar("SELECT count(*) FROM followups_followup")


def follow_ups_in_work(world: World) -> int:
    """Follow-ups a worker has claimed (``attempts`` counts its claims) and not yet finished."""
    return world.scalar(
        "SELECT count(*) FROM followups_followup WHERE attempts > 0 AND claimed_until > now()"
    )


def web_sign_in(
    port: int, email_address: str, password: str, *, code: str | None = None
) -> tuple[int, str]:
    """Sign in through the login page as a browser does (CSRF cookie and token), then, for
    staff, type ``code`` on the second step's page; returns the last POST's status and the
    session cookie header to send afterwards ("" if none)."""
    import re
    from http.cookies import SimpleCookie

    status, headers, body = get(port, "/accounts/login/")
    assert status == 200, (status, body[:500])
    cookies = SimpleCookie(headers.get("set-cookie", ""))
    csrf_cookie = cookies["csrftoken"].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    from urllib.parse import urlencode

    form = urlencode(
        {"csrfmiddlewaretoken": token, "username": email_address, "password": password}
    ).encode()
    status, headers, _ = request(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    session = SimpleCookie(headers.get("set-cookie", "")).get("sessionid")
    if code is None or session is None:
        return status, f"sessionid={session.value}" if session else ""
    cookie = f"csrftoken={csrf_cookie}; sessionid={session.value}"
    status, headers, body = get(port, "/accounts/two-step/code/", headers={"Cookie": cookie})
    assert status == 200, (status, body[:500])
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    status, headers, _ = request(
        port,
        "POST",
        "/accounts/two-step/code/",
        body=urlencode({"csrfmiddlewaretoken": token, "code": code}).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"http://127.0.0.1:{port}/accounts/two-step/code/",
        },
    )
    # Passing the second step keeps the session (a new key only at the password step).
    verified = SimpleCookie(headers.get("set-cookie", "")).get("sessionid") or session
    return status, f"sessionid={verified.value}"
