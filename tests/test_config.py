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
