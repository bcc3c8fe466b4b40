"""Settings come from XIESHANG_* variables and are validated."""

from __future__ import annotations

import pytest

from xieshang.config import DEFAULT_DATABASE_URL, Settings
from xieshang.errors import ConfigError


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.environment == "development" and not settings.is_production
    assert settings.timezone == "Asia/Shanghai"
    assert settings.debug_sql is False
    assert settings.max_page_size == 100


def test_values_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "XIESHANG_DATABASE_URL": "postgresql+asyncpg://u@h/db",
            "XIESHANG_ENV": "Production",
            "XIESHANG_SECRET": "s" * 40,
            "XIESHANG_DEBUG_SQL": "1",
            "XIESHANG_TIMEZONE": "Asia/Urumqi",
            "OTHER": "ignored",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.is_production
    assert settings.debug_sql is True
    assert str(settings.zone) == "Asia/Urumqi"
    assert "OTHER" not in settings.extra


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("XIESHANG_ENV", "staging"),
        ("XIESHANG_TIMEZONE", "Mars/Olympus"),
        ("XIESHANG_TIMEZONE", "../etc"),
    ],
)
def test_bad_values_are_config_errors(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_production_needs_a_long_secret() -> None:
    with pytest.raises(ConfigError, match="XIESHANG_SECRET"):
        Settings.from_env({"XIESHANG_ENV": "production"})
    with pytest.raises(ConfigError, match="太短"):
        Settings.from_env({"XIESHANG_SECRET": "short"})
    production = Settings.from_env({"XIESHANG_ENV": "production", "XIESHANG_SECRET": "x" * 32})
    assert not production.introspection and not production.graphiql
    opened = Settings.from_env(
        {"XIESHANG_ENV": "production", "XIESHANG_SECRET": "x" * 32, "XIESHANG_INTROSPECTION": "1"}
    )
    assert opened.introspection


@pytest.mark.parametrize(
    "name", ["XIESHANG_MAX_BODY_BYTES", "XIESHANG_REQUEST_TIMEOUT_SECONDS", "XIESHANG_MAX_COST"]
)
def test_numbers_are_checked(name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: "lots"})
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: "0"})
