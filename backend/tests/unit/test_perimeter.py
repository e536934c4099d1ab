"""The perimeter's pieces: Host names, same-origin checks, the allowed-hosts setting and the open
binding check of `serve`."""

from __future__ import annotations

import logging

import pytest

from sectorlights.api.security import host_name, same_origin
from sectorlights.cli.serve import check_open_binding, is_loopback
from sectorlights.settings import ConfigurationError, ServerSettings


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("localhost:8000", "localhost"),
        ("LOCALHOST", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("evil.example:80", "evil.example"),
        ("", ""),
    ],
)
def test_host_names(value: str, name: str) -> None:
    assert host_name(value) == name


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
        ("http://localhost:8000", "localhost:8000", True),
        ("http://[::1]:8000", "[::1]:8000", True),
        ("https://dashboard.example.com", "dashboard.example.com", True),
        ("http://dashboard.example.com", "dashboard.example.com:80", True),
        ("https://dashboard.example.com", "dashboard.example.com:443", True),
        ("http://localhost:8000", "127.0.0.1:8000", False),
        ("http://127.0.0.1:8001", "127.0.0.1:8000", False),
        ("http://127.0.0.1", "127.0.0.1:8000", False),
        ("https://evil.example", "127.0.0.1:8000", False),
        ("null", "127.0.0.1:8000", False),
        ("file://", "127.0.0.1:8000", False),
        ("http://127.0.0.1:99999", "127.0.0.1:8000", False),
        ("http://127.0.0.1:8000", "127.0.0.1:x", False),
    ],
)
def test_same_origin(origin: str, host: str, same: bool) -> None:
    assert same_origin(origin, host) is same


@pytest.mark.parametrize(
    ("value", "hosts"),
    [
        ("dashboard.example.com", ("dashboard.example.com",)),
        (" A.example , b.example,", ("a.example", "b.example")),
        ('["a.example", "B.example"]', ("a.example", "b.example")),
    ],
)
def test_allowed_hosts_are_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch, value: str, hosts: tuple[str, ...]
) -> None:
    monkeypatch.setenv("SECTORLIGHTS_ALLOWED_HOSTS", value)
    assert ServerSettings().allowed_hosts == hosts


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("myhost", False),
    ],
)
def test_loopback_bind_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_open_bind_with_auth_off_needs_the_setting_and_then_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("SECTORLIGHTS_ALLOWED_HOSTS", raising=False)
    with pytest.raises(ConfigurationError, match="SECTORLIGHTS_ALLOW_OPEN=true"):
        check_open_binding(ServerSettings(), "0.0.0.0")
    check_open_binding(ServerSettings(), "127.0.0.1")
    monkeypatch.setenv("SECTORLIGHTS_AUTH", "required")
    check_open_binding(ServerSettings(), "0.0.0.0")
    assert caplog.records == []
    monkeypatch.setenv("SECTORLIGHTS_AUTH", "off")
    monkeypatch.setenv("SECTORLIGHTS_ALLOW_OPEN", "true")
    with caplog.at_level(logging.WARNING, logger="sectorlights.cli.serve"):
        check_open_binding(ServerSettings(), "0.0.0.0")
    assert "without authentication" in caplog.text
