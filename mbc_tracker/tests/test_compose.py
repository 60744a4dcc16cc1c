"""docker-compose.yml stays correct for deployers (no Docker engine runs here, so we parse it)."""

import importlib
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DJANGO_SERVICES = ["migrate", "web", "worker", "beat"]


def _argv(service: dict) -> list[str]:
    command = service.get("command")
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_services_present():
    assert set(SERVICES) == {*DJANGO_SERVICES, "db", "redis"}


def test_django_service_is_defined_once_and_reused():
    first = SERVICES[DJANGO_SERVICES[0]]
    for name in DJANGO_SERVICES:
        assert SERVICES[name]["build"] == first["build"] == "."
        assert SERVICES[name]["image"] == first["image"]
        assert SERVICES[name]["environment"] == first["environment"]
    assert (ROOT / "Dockerfile").exists()


@pytest.mark.parametrize("name", DJANGO_SERVICES)
def test_every_command_names_a_real_module(name):
    argv = _argv(SERVICES[name])
    program = argv[0]
    if program == "gunicorn":
        module_name, attribute = argv[1].split(":")
        assert callable(getattr(importlib.import_module(module_name), attribute))
    elif program == "celery":
        app_module = argv[argv.index("-A") + 1]
        module = importlib.import_module(app_module)
        assert module.celery_app.main == "mbc_tracker"
        assert argv[argv.index("-A") + 2] in {"worker", "beat"}
    elif program == "python":
        assert argv[1] == "manage.py"
        assert (ROOT / "manage.py").exists()
        assert argv[2] in get_commands()
    else:
        pytest.fail(f"{name}: unexpected program {program}")


def test_exactly_one_beat():
    beats = [name for name, svc in SERVICES.items() if "beat" in _argv(svc)[:4]]
    assert beats == ["beat"]
    assert SERVICES["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_postgres_and_redis_have_health_checks_and_named_volumes():
    db, redis = SERVICES["db"], SERVICES["redis"]
    assert db["image"] == "postgres:15"
    assert redis["image"] == "redis:7"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "ping" in redis["healthcheck"]["test"]
    redis_argv = _argv(redis)
    assert redis_argv[redis_argv.index("--appendonly") + 1] == "yes"
    assert redis_argv[redis_argv.index("--maxmemory-policy") + 1] == "noeviction"
    named = set(COMPOSE["volumes"])
    assert db["volumes"][0].split(":")[0] in named
    assert redis["volumes"][0].split(":")[0] in named


def test_app_services_wait_for_healthy_dependencies():
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert SERVICES["web"]["environment"]["DJANGO_DEBUG"] == "0"
