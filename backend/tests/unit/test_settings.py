"""Settings: embedded defaults, the compose file's names, and one-line errors naming the setting."""

from __future__ import annotations

import socket
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sectorlights.core.clock import SystemClock
from sectorlights.providers.registry import available_providers, build_provider, resolve_provider_name
from sectorlights.settings import ConfigurationError, ProviderSettings, load_settings

pytestmark = pytest.mark.usefixtures("clean_env")


def test_embedded_defaults() -> None:
    settings = load_settings()
    assert settings.database.url is None
    assert settings.database.effective_url == "sqlite:///data/sectorlights.db"
    assert settings.cache.redis_url is None
    assert settings.cache.market_hours_ttl_secs == 1800
    assert settings.provider.name is None
    assert resolve_provider_name(settings.provider) == "simulated"
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8000)


def test_compose_file_names_switch_to_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://sentiment_user:pw@postgres:5432/market_sentiment")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379")
    monkeypatch.setenv("POLYGON_API_KEY", "secret-value")
    settings = load_settings()
    assert settings.database.url == "postgresql+psycopg://sentiment_user:pw@postgres:5432/market_sentiment"
    assert settings.cache.redis_url == "redis://redis:6379"
    assert settings.provider.polygon_api_key is not None
    assert "secret-value" not in repr(settings)


def test_frozen_clock_and_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECTORLIGHTS_SIM_NOW", "2026-11-24T06:37:00-05:00")
    monkeypatch.setenv("SECTORLIGHTS_SIM_SEED", "11")
    provider = load_settings().provider
    assert provider.sim_now == datetime(2026, 11, 24, 6, 37, tzinfo=ZoneInfo("America/New_York"))
    assert provider.sim_seed == 11


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("DATABASE_URL", "mysql://db/x", "DATABASE_URL: expected postgresql://"),
        ("DATABASE_URL", "not a url", "DATABASE_URL"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL: expected redis://"),
        ("REDIS_URL", "http://cache:6379", "REDIS_URL"),
        ("SECTORLIGHTS_PROVIDER", "bloomberg", "SECTORLIGHTS_PROVIDER"),
        ("SECTORLIGHTS_SIM_NOW", "2026-11-24T06:37:00", "SECTORLIGHTS_SIM_NOW: needs a time zone"),
        ("SECTORLIGHTS_SIM_NOW", "yesterday", "SECTORLIGHTS_SIM_NOW"),
        ("SECTORLIGHTS_PORT", "0", "SECTORLIGHTS_PORT"),
        ("SECTORLIGHTS_REFRESH_INTERVAL_SECS", "1", "SECTORLIGHTS_REFRESH_INTERVAL_SECS"),
        ("SECTORLIGHTS_RELATIVE_VOLUME_FLOOR_MINUTES", "-1", "SECTORLIGHTS_RELATIVE_VOLUME_FLOOR_MINUTES"),
        ("SECTORLIGHTS_SCORE_RULES", "robust", "SECTORLIGHTS_SCORE_RULES"),
        ("SECTORLIGHTS_LOG_FORMAT", "xml", "SECTORLIGHTS_LOG_FORMAT: Input should be 'text' or 'json'"),
        ("SECTORLIGHTS_LOG_FORMAT", "json-lines", "SECTORLIGHTS_LOG_FORMAT"),
        ("SECTORLIGHTS_INSTANCE", "r" * 201, "SECTORLIGHTS_INSTANCE"),
        ("SECTORLIGHTS_SIM_EPOCH", "2026-12-04T21:00:00", "SECTORLIGHTS_SIM_EPOCH: needs a time zone"),
        # Not JSON where a list is expected: once a traceback, now the variable named.
        (
            "SECTORLIGHTS_SCHEDULE_RETRY_DELAYS_SECS",
            "1,2,4",
            "SECTORLIGHTS_SCHEDULE_RETRY_DELAYS_SECS: expected JSON",
        ),
        ("SECTORLIGHTS_VOLATILITY_WEIGHTS", "{bad", "SECTORLIGHTS_VOLATILITY_WEIGHTS"),
    ],
)
def test_bad_settings_give_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("configuration error: ")
    assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "text"), ("text", "text"), ("json", "json"), ("JSON", "json"), (" Json ", "json")],
)
def test_log_format_is_text_unless_json_is_asked_for(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str
) -> None:
    if value is not None:
        monkeypatch.setenv("SECTORLIGHTS_LOG_FORMAT", value)
    assert load_settings().server.log_format == expected


@pytest.mark.parametrize(
    ("value", "port", "expected"),
    [
        # By default the host name and the port served on (`serve --port` included).
        (None, 8000, f"{socket.gethostname()}:8000"),
        (None, 8001, f"{socket.gethostname()}:8001"),
        ("", 8000, f"{socket.gethostname()}:8000"),
        ("replica-a", 8001, "replica-a"),
    ],
)
def test_the_instance_is_named_by_the_setting_else_host_and_port(
    monkeypatch: pytest.MonkeyPatch, value: str | None, port: int, expected: str
) -> None:
    if value is not None:
        monkeypatch.setenv("SECTORLIGHTS_INSTANCE", value)
    assert load_settings().server.instance_name(port) == expected


def test_api_keys_are_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECTORLIGHTS_PROVIDER", "nope")
    monkeypatch.setenv("POLYGON_API_KEY", "super-secret-key")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert "super-secret-key" not in str(raised.value)


def test_registry_knows_the_simulated_market() -> None:
    assert "simulated" in available_providers()
    provider = build_provider(ProviderSettings(), SystemClock())
    assert provider.name == "simulated"
    assert provider.capabilities.simulated


def test_every_configurable_provider_is_registered() -> None:
    assert available_providers() == ["flatfiles", "polygon", "polygon_mcp", "simulated"]


def test_a_polygon_key_picks_the_polygon_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYGON_API_KEY", "k")
    assert resolve_provider_name(load_settings().provider) == "polygon"
    monkeypatch.setenv("SECTORLIGHTS_PROVIDER", "simulated")
    assert resolve_provider_name(load_settings().provider) == "simulated"
