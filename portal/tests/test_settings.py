"""Start-up refuses malformed configuration, and production settings pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def run_django(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://root@localhost/portal"),
        ("DATABASE_URL", "not a url"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
        ("EMAIL_PORT", "twenty-five"),
        ("AXES_FAILURE_LIMIT", "0"),
    ],
)
def test_malformed_variable_stops_startup_naming_it(variable, value):
    result = run_django({variable: value}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_production_needs_a_secret_key():
    result = run_django({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_django(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k3y-" + "x9Q!zr7#Lm2@vB8$" * 4,
            "DJANGO_ALLOWED_HOSTS": "portal.example.com",
            "PORTAL_VAR_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_links_in_emails_follow_the_port_make_run_serves(tmp_path):
    """`PORT=8080 make run` must not write links to port 8000 into every email."""
    env = {"PORT": "8080", "PORTAL_VAR_DIR": str(tmp_path)}
    env = {**env, "PORTAL_BASE_URL": ""}
    result = run_django(
        env, "shell", "-c", "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("http://127.0.0.1:8080")
    result = run_django(
        {**env, "PORTAL_BASE_URL": "https://portal.example.com/"},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.PORTAL_BASE_URL)",
    )
    assert result.stdout.strip().endswith("https://portal.example.com")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SURVEYS_RATE_LIMIT", "7", 7),
        ("SURVEYS_FOLLOW_UP_BUSINESS_HOURS", "8", 8),
        ("SLA_REPORT_DASHBOARD_CACHE_SECONDS", "0", 0),
    ],
)
def test_once_hidden_settings_come_from_the_environment(variable, value, expected):
    """Settings the code once read with getattr and a default are declared from the environment:
    the value given is read, a malformed one stops start-up naming it."""
    shown = run_django(
        {variable: value},
        "shell",
        "-c",
        f"from django.conf import settings; print(settings.{variable})",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == str(expected)
    refused = run_django({variable: "-1"}, "check")
    assert refused.returncode != 0
    assert variable in refused.stderr


def test_no_setting_is_read_with_a_hidden_default():
    """Every setting the code reads is declared in portal/settings.py (the README table lists
    them), never ``getattr(settings, "X", default)``."""
    hidden = []
    for path in BASE_DIR.glob("*/**/*.py"):
        if ".venv" in path.parts or "node_modules" in path.parts or path == Path(__file__):
            continue
        if "getattr(settings," in path.read_text(encoding="utf-8"):
            hidden.append(str(path.relative_to(BASE_DIR)))
    assert hidden == []
