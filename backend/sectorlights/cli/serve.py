"""The long-running commands: `serve` (API and dashboard) and `sim-vendor` (the simulated market in
the vendors' API shapes)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import math

from sectorlights.cli.common import Commands, add_command, require_migrated
from sectorlights.settings import ConfigurationError, ServerSettings, Settings

logger = logging.getLogger(__name__)


def register(commands: Commands) -> None:
    serve = add_command(
        commands,
        "serve",
        "serve the API and the dashboard",
        "Serve the API, the live updates (/ws) and the built dashboard, running analyses at start-up "
        "and on the market schedule. The database must be migrated first (`sectorlights migrate`).",
        run_serve,
    )
    serve.add_argument("--host", default=None, help="bind address (default SECTORLIGHTS_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default SECTORLIGHTS_PORT or 8000)")
    vendor = add_command(
        commands,
        "sim-vendor",
        "serve the simulated market in the Polygon/Massive and FMP API shapes",
        "Serve the simulated market over HTTP in the Polygon/Massive and FMP API shapes, so the real "
        "vendor clients can run against it (set POLYGON_BASE_URL / FMP_BASE_URL to its address); "
        "faults can be injected per endpoint.",
        run_sim_vendor,
    )
    vendor.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    vendor.add_argument("--port", type=int, default=9100, help="port (default 9100)")
    vendor.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="ENDPOINT:OPTION=VALUE[,OPTION=VALUE]",
        help="inject a fault, e.g. snapshot:status_500_count=3 or '*:delay_ms=200' (repeatable)",
    )


def is_loopback(host: str) -> bool:
    """Whether a bind address is reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        # A host name: whatever it resolves to, it is not known to be loopback.
        return False


def check_open_binding(server: ServerSettings, host: str) -> None:
    """With auth off, a non-loopback bind needs SECTORLIGHTS_ALLOW_OPEN (and then warns): anyone
    who reaches the address can start analyses and change the preferences."""
    if server.auth == "required" or is_loopback(host):
        return
    if not server.allow_open:
        raise ConfigurationError(
            f"configuration error: --host {host} serves the network without authentication; set "
            "SECTORLIGHTS_AUTH=required (tokens from `sectorlights users add`) or "
            "SECTORLIGHTS_ALLOW_OPEN=true"
        )
    logger.warning(
        "serving %s without authentication (SECTORLIGHTS_ALLOW_OPEN=true): anyone who reaches it can "
        "use the API; Host names served: localhost, 127.0.0.1, [::1]%s",
        host,
        "".join(f", {name}" for name in server.allowed_hosts),
    )


def run_serve(settings: Settings, arguments: argparse.Namespace) -> int:
    import uvicorn

    from sectorlights.api.app import create_app
    from sectorlights.engine.container import build_container

    host = arguments.host or settings.server.host
    check_open_binding(settings.server, host)
    port = arguments.port or settings.server.port
    container = build_container(settings, instance=settings.server.instance_name(port))
    try:
        require_migrated(settings, container.database)
    except ConfigurationError:
        container.database.dispose()
        raise
    app = create_app(settings, container)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.server.log_level,
        # No logging set-up of uvicorn's own: its loggers propagate to the handler `main` installed,
        # so its lines come out in SECTORLIGHTS_LOG_FORMAT like every other.
        log_config=None,
        access_log=False,
        # No `server: uvicorn` banner on every response.
        server_header=False,
        # The client address (rate limits with auth off) comes from X-Forwarded-For only when the
        # connection is from one of these proxies.
        proxy_headers=True,
        forwarded_allow_ips=settings.server.forwarded_allow_ips,
        # Live updates are small JSON messages fanned out to every client: compressing each one
        # per connection cost more than sending it (and the sans-I/O protocol is the lighter one).
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        # Then the engine's own half (the container's close).
        timeout_graceful_shutdown=max(1, math.ceil(settings.server.shutdown_phase_secs)),
    )
    return 0


def run_sim_vendor(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.simvendor.vendor import FaultConfig, serve_vendor

    try:
        faults = FaultConfig.from_options(arguments.fault)
    except ValueError as error:
        raise ConfigurationError(f"configuration error: --fault: {error}") from None
    serve_vendor(settings.provider, arguments.host, arguments.port, faults)
    return 0
