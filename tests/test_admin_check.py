"""``plexnav admin check`` refuses an unsafe production configuration (issue 12, operations)."""

from __future__ import annotations

from typer.testing import CliRunner

SAFE = {
    "PLEXNAV_SECRET_KEY": "Zq8r-3kP_v9sLw2mX7bNc4tY1hJd6gFa5eRu0iOo",
    "PLEXNAV_COOKIE_SECURE": "true",
    "PLEXNAV_PUBLIC_URL": "https://plexnav.example.org",
    "PLEXNAV_HSTS_MAX_AGE": "31536000",
    "PLEXNAV_DATABASE_URL": "postgresql://plexnav@db/plexnav",
    "PLEXNAV_SMTP_HOST": "mail.example.org",
    "PLEXNAV_ALLOW_CLINICIAN_SIGNUP": "false",
}


def _run(monkeypatch, tmp_path, env: dict):
    from plexnav.cli.admin import app

    for key in [k for k in __import__("os").environ if k.startswith("PLEXNAV_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PLEXNAV_DATA_DIR", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(app, ["check"])


def test_a_safe_configuration_passes(monkeypatch, tmp_path):
    result = _run(monkeypatch, tmp_path, SAFE)
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_the_defaults_are_refused_naming_each_setting(monkeypatch, tmp_path):
    result = _run(monkeypatch, tmp_path, {})
    assert result.exit_code == 1
    for setting in ("PLEXNAV_SECRET_KEY", "PLEXNAV_COOKIE_SECURE", "PLEXNAV_PUBLIC_URL"):
        assert setting in result.output


def test_each_unsafe_setting_alone_is_refused(monkeypatch, tmp_path):
    for key, value in (
        ("PLEXNAV_SECRET_KEY", "changeme"),
        ("PLEXNAV_COOKIE_SECURE", "false"),
        ("PLEXNAV_ALLOW_CLINICIAN_SIGNUP", "true"),
    ):
        result = _run(monkeypatch, tmp_path, {**SAFE, key: value})
        assert result.exit_code == 1 and key in result.output, (key, result.output)
