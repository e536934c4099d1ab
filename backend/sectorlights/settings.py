"""Runtime settings: one pydantic-settings object with nested groups; None means the embedded default.

`DATABASE_URL`, `REDIS_URL`, `POLYGON_API_KEY` (or `MASSIVE_API_KEY`) and `FMP_API_KEY` keep the
names of the spec's compose file; every other setting starts with `SECTORLIGHTS_`.
"""

from __future__ import annotations

import json
import re
import socket
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from sectorlights.config.criteria import DEFAULT_RELATIVE_VOLUME_FLOOR_MINUTES
from sectorlights.config.live import EVENT_HISTORY_SIZE, MOVE_POLL_INTERVAL_SECS, SIGNIFICANT_MOVE_PCT
from sectorlights.config.volatility_weights import WeightsSource

ProviderName = Literal["simulated", "polygon", "polygon_mcp", "flatfiles"]
ScenarioName = Literal["quiet_day", "fda_approval_wave", "tech_selloff_healthcare_rotation", "overnight_gaps"]

REPO_ROOT = Path(__file__).resolve().parents[2]
# The dashboard the package ships (`make build` copies frontend/dist here before a wheel is built).
PACKAGE_STATIC_DIR = Path(__file__).resolve().parent / "static"
CHECKOUT_DIST_DIR = REPO_ROOT / "frontend" / "dist"


def _group_config() -> SettingsConfigDict:
    return SettingsConfigDict(extra="ignore", populate_by_name=False, env_file=".env", env_ignore_empty=True)


class DatabaseSettings(BaseSettings):
    model_config = _group_config()

    url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "SECTORLIGHTS_DATABASE_URL"),
        description="SQLAlchemy URL; None means the SQLite file at sqlite_path",
    )
    sqlite_path: Path = Field(
        default=Path("data/sectorlights.db"), validation_alias=AliasChoices("SECTORLIGHTS_SQLITE_PATH")
    )

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        if scheme == "sqlite":
            return value
        raise ValueError("expected postgresql://user@host:port/database or sqlite:///path")

    @property
    def effective_url(self) -> str:
        return self.url if self.url is not None else f"sqlite:///{self.sqlite_path}"


class CacheSettings(BaseSettings):
    model_config = _group_config()

    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "SECTORLIGHTS_REDIS_URL"),
        description="redis:// URL; None means the in-process cache",
    )
    market_hours_ttl_secs: int = Field(
        default=1800, gt=0, validation_alias=AliasChoices("SECTORLIGHTS_CACHE_TTL_SECS")
    )
    off_hours_ttl_secs: int = Field(
        default=12 * 3600, gt=0, validation_alias=AliasChoices("SECTORLIGHTS_CACHE_OFF_HOURS_TTL_SECS")
    )

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme, separator, rest = value.partition("://")
        if not separator or scheme not in ("redis", "rediss", "unix") or not rest:
            raise ValueError("expected redis://host:port/db, rediss://… or unix:///path")
        return value


class ProviderSettings(BaseSettings):
    model_config = _group_config()

    name: ProviderName | None = Field(
        default=None,
        validation_alias=AliasChoices("SECTORLIGHTS_PROVIDER"),
        description="None picks polygon when an API key is set, else simulated",
    )
    polygon_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("POLYGON_API_KEY", "MASSIVE_API_KEY")
    )
    fmp_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("FMP_API_KEY"))
    sim_seed: int = Field(default=7, validation_alias=AliasChoices("SECTORLIGHTS_SIM_SEED"))
    sim_now: datetime | None = Field(
        default=None,
        validation_alias=AliasChoices("SECTORLIGHTS_SIM_NOW"),
        description="freeze the clock at this ISO time (with zone)",
    )
    sim_listing_count: int = Field(
        default=8500, ge=100, validation_alias=AliasChoices("SECTORLIGHTS_SIM_LISTINGS")
    )
    sim_speed: float = Field(
        default=1.0,
        gt=0,
        le=100_000,
        validation_alias=AliasChoices("SECTORLIGHTS_SIM_SPEED"),
        description="clock speed-up: 60 means a simulated minute per real second",
    )
    sim_epoch: datetime | None = Field(
        default=None,
        validation_alias=AliasChoices("SECTORLIGHTS_SIM_EPOCH"),
        description="the real time (ISO, with zone) at which the simulated clock read SIM_NOW: "
        "processes given the same epoch share one simulated time, and a restarted one resumes it",
    )
    sim_scenario: ScenarioName | None = Field(
        default=None, validation_alias=AliasChoices("SECTORLIGHTS_SIM_SCENARIO")
    )
    polygon_base_url: str = Field(
        default="https://api.massive.com",
        validation_alias=AliasChoices("POLYGON_BASE_URL", "MASSIVE_API_BASE_URL"),
    )
    polygon_requests_per_minute: float | None = Field(
        default=None,
        gt=0,
        validation_alias=AliasChoices("SECTORLIGHTS_POLYGON_RATE_PER_MIN"),
        description="request budget (the free plan allows 5); None means no limit",
    )
    polygon_timeout_secs: float = Field(
        default=10.0, gt=0, validation_alias=AliasChoices("SECTORLIGHTS_POLYGON_TIMEOUT_SECS")
    )
    polygon_mcp_command: str = Field(
        default="mcp_massive",
        validation_alias=AliasChoices("SECTORLIGHTS_POLYGON_MCP_COMMAND"),
        description="the MCP server to launch over stdio",
    )
    # Read by Polygon's MCP server itself; we pass them on to the server we launch.
    polygon_mcp_docs_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MASSIVE_LLMS_TXT_URL"),
        description="the API docs index the MCP server builds its endpoint allowlist from; None: its default",
    )
    polygon_mcp_max_tables: int | None = Field(
        default=None, ge=1, validation_alias=AliasChoices("MASSIVE_MAX_TABLES")
    )
    polygon_mcp_max_rows: int | None = Field(
        default=None, ge=1, validation_alias=AliasChoices("MASSIVE_MAX_ROWS")
    )
    reference_refresh_days: float = Field(
        default=7.0, gt=0, validation_alias=AliasChoices("SECTORLIGHTS_REFERENCE_REFRESH_DAYS")
    )
    fmp_base_url: str = Field(
        default="https://financialmodelingprep.com/stable", validation_alias=AliasChoices("FMP_BASE_URL")
    )
    flatfiles_listings: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("SECTORLIGHTS_FLATFILES_LISTINGS"),
        description="CSV of reference data for the flatfiles provider",
    )

    @field_validator("polygon_base_url", "fmp_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("polygon_mcp_docs_url")
    @classmethod
    def _http_document(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value

    @field_validator("sim_now", "sim_epoch")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a time zone, e.g. 2026-11-24T06:37:00-05:00")
        return value


class EngineSettings(BaseSettings):
    model_config = _group_config()

    schedule: Literal["market", "interval", "off"] = Field(
        default="market",
        validation_alias=AliasChoices("SECTORLIGHTS_SCHEDULE"),
        description="market: 04:00, 08:00 and 20:00 ET full runs plus a 30-minute intraday refresh on "
        "NYSE trading days, once across replicas; interval: every SECTORLIGHTS_REFRESH_INTERVAL_SECS; "
        "off: start-up and on-demand runs only",
    )
    refresh_interval_secs: int = Field(
        default=300, ge=5, validation_alias=AliasChoices("SECTORLIGHTS_REFRESH_INTERVAL_SECS")
    )
    schedule_retry_delays_secs: tuple[float, ...] = Field(
        default=(30.0, 60.0, 120.0),
        validation_alias=AliasChoices("SECTORLIGHTS_SCHEDULE_RETRY_DELAYS_SECS"),
        description="waits before each retry of a failed scheduled run (JSON list, e.g. [30, 60])",
    )
    run_on_start: bool = Field(default=True, validation_alias=AliasChoices("SECTORLIGHTS_RUN_ON_START"))
    history_sessions: int = Field(
        default=25, ge=21, validation_alias=AliasChoices("SECTORLIGHTS_HISTORY_SESSIONS")
    )
    move_watch: bool = Field(
        default=True,
        validation_alias=AliasChoices("SECTORLIGHTS_MOVE_WATCH"),
        description="watch the intraday snapshot for >= threshold moves of universe stocks "
        "(04:00-20:00 ET): each first move in a session is broadcast and re-runs the analysis",
    )
    move_poll_secs: float = Field(
        default=MOVE_POLL_INTERVAL_SECS, gt=0, validation_alias=AliasChoices("SECTORLIGHTS_MOVE_POLL_SECS")
    )
    move_lease_secs: float = Field(
        default=45.0,
        gt=0,
        validation_alias=AliasChoices("SECTORLIGHTS_MOVE_LEASE_SECS"),
        description="replicas: how long the move watcher's lease outlives its holder (real seconds)",
    )
    move_threshold_pct: float = Field(
        default=SIGNIFICANT_MOVE_PCT, gt=0, validation_alias=AliasChoices("SECTORLIGHTS_MOVE_THRESHOLD_PCT")
    )
    vendor_workers: int = Field(
        default=4,
        ge=1,
        le=64,
        validation_alias=AliasChoices("SECTORLIGHTS_VENDOR_WORKERS"),
        description="threads for vendor calls and runs, apart from those serving API requests",
    )
    retention_days: float = Field(
        default=90.0,
        ge=1,
        validation_alias=AliasChoices("SECTORLIGHTS_RETENTION_DAYS"),
        description="history kept; older rows are deleted daily (TimescaleDB's policies where present)",
    )


class AnalysisSettings(BaseSettings):
    """How the analysis weighs and classifies; every default is the spec's."""

    model_config = _group_config()

    volatility_weights: WeightsSource = Field(
        default="static",
        validation_alias=AliasChoices("SECTORLIGHTS_VOLATILITY_WEIGHTS"),
        description="static (the spec's table), dynamic (measured vs IWM) or hybrid (a blend of both)",
    )
    score_rules: Literal["sturdy", "spec"] = Field(
        default="sturdy",
        validation_alias=AliasChoices("SECTORLIGHTS_SCORE_RULES"),
        description="sturdy (winsorised member returns, a minimum of 5 members for a colour, confidence "
        "that falls with few members and with volume-weighted vs plain disagreement) or spec (the "
        "spec's formula without them)",
    )
    volatility_hybrid_blend: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        validation_alias=AliasChoices("SECTORLIGHTS_VOLATILITY_HYBRID_BLEND"),
        description="share of the measured weight in the hybrid weight",
    )
    classification_overrides: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("SECTORLIGHTS_CLASSIFICATION_OVERRIDES"),
        description="curated symbol,sector,reason CSV; None means the one shipped with SectorLights",
    )
    fmp_lookups_per_run: int = Field(
        default=200,
        ge=0,
        validation_alias=AliasChoices("SECTORLIGHTS_FMP_LOOKUPS_PER_RUN"),
        description="FMP profile requests one run may make for sectors not yet stored",
    )
    sector_refresh_days: float = Field(
        default=30.0,
        gt=0,
        validation_alias=AliasChoices("SECTORLIGHTS_SECTOR_REFRESH_DAYS"),
        description="how long a stored FMP sector is trusted before it is asked for again",
    )
    news_lookback_hours: float = Field(
        default=24.0,
        gt=0,
        le=168,
        validation_alias=AliasChoices("SECTORLIGHTS_NEWS_LOOKBACK_HOURS"),
        description="news window behind catalyst density",
    )
    relative_volume_floor_minutes: float = Field(
        default=DEFAULT_RELATIVE_VOLUME_FLOOR_MINUTES,
        ge=0.0,
        le=960.0,
        validation_alias=AliasChoices("SECTORLIGHTS_RELATIVE_VOLUME_FLOOR_MINUTES"),
        description="relative volume is measured over at least this many minutes from 04:00 ET, "
        "the minutes still to come counted at their typical volume, so the first pre-market prints "
        "do not read as thousands of times normal; 0 turns the floor off",
    )

    @field_validator("classification_overrides")
    @classmethod
    def _readable_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError("no such file")
        return value


class ServerSettings(BaseSettings):
    model_config = _group_config()

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("SECTORLIGHTS_HOST"))
    port: int = Field(default=8000, ge=1, le=65535, validation_alias=AliasChoices("SECTORLIGHTS_PORT"))
    instance: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        validation_alias=AliasChoices("SECTORLIGHTS_INSTANCE"),
        description="this serving process's name, the same across its restarts and unique among the "
        "processes sharing the database; recorded on its runs, so on restart it fails its own runs "
        "left `running` at once. None means host name:port served on",
    )
    static_dir: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("SECTORLIGHTS_STATIC_DIR"),
        description="built front end; None means frontend/dist when run from a checkout with a build, "
        "else the dashboard shipped in the package",
    )
    log_level: str = Field(default="info", validation_alias=AliasChoices("SECTORLIGHTS_LOG_LEVEL"))
    log_format: Literal["text", "json"] = Field(
        default="text",
        validation_alias=AliasChoices("SECTORLIGHTS_LOG_FORMAT"),
        description="text: one readable line per record; json: one JSON object per line (time, "
        "level, logger, message, exception) for a log collector",
    )
    auth: Literal["off", "required"] = Field(
        default="off",
        validation_alias=AliasChoices("SECTORLIGHTS_AUTH"),
        description="required: every /api and /ws call needs `Authorization: Bearer <token>` "
        "(tokens from `sectorlights users add`)",
    )
    mcp_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SECTORLIGHTS_MCP_TOKEN"),
        description="the token `sectorlights mcp` (stdio) acts with when auth is required: a user's "
        "token from `sectorlights users add`; unused with auth off",
    )
    user_actions_per_minute: float = Field(
        default=6.0,
        gt=0,
        validation_alias=AliasChoices("SECTORLIGHTS_USER_ACTIONS_PER_MINUTE"),
        description="per minute, for each of the actions that cost something (analyses started, "
        "preference saves, replays started), each with its own allowance: per user with auth required, "
        "per client address with auth off",
    )
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        validation_alias=AliasChoices("SECTORLIGHTS_ALLOWED_HOSTS"),
        description="with auth off, the host names the Host header may carry besides localhost, "
        "127.0.0.1 and [::1] (comma-separated): a page on any other name (DNS rebinding) gets a 400",
    )
    allow_open: bool = Field(
        default=False,
        validation_alias=AliasChoices("SECTORLIGHTS_ALLOW_OPEN"),
        description="let `serve` bind a non-loopback address with auth off (it warns); without it, it "
        "refuses to start",
    )
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        validation_alias=AliasChoices("SECTORLIGHTS_MAX_BODY_BYTES"),
        description="largest request body accepted; larger is a 413",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices("SECTORLIGHTS_FORWARDED_ALLOW_IPS"),
        description="the proxies (comma-separated addresses or networks, `*` for any) whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed: the client address that keys the rate "
        "limits with auth off",
    )

    shutdown_secs: float = Field(
        default=10.0,
        gt=0,
        validation_alias=AliasChoices("SECTORLIGHTS_SHUTDOWN_SECS"),
        description="on SIGTERM/SIGINT: the whole shutdown; half for open requests to finish, half for "
        "the engine to stop (vendor calls still running then are not waited for)",
    )

    ws_heartbeat_secs: float = Field(
        default=15.0,
        gt=0,
        validation_alias=AliasChoices("SECTORLIGHTS_WS_HEARTBEAT_SECS"),
        description="how often `/ws` clients get a heartbeat",
    )
    ws_client_queue: int = Field(
        default=256,
        ge=1,
        validation_alias=AliasChoices("SECTORLIGHTS_WS_CLIENT_QUEUE"),
        description="events queued per `/ws` client; a client that falls further behind gets a snapshot",
    )
    event_history: int = Field(
        default=EVENT_HISTORY_SIZE,
        ge=10,
        validation_alias=AliasChoices("SECTORLIGHTS_EVENT_HISTORY"),
        description="events kept for `/ws?since=SEQ` replay; further behind gets a snapshot",
    )

    colour_history: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("SECTORLIGHTS_COLOUR_HISTORY"),
        description="what each colour was followed by on real history (`sectorlights backtest "
        "--summary`), shown on the cards; None means the one shipped with SectorLights",
    )

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _host_names(cls, value: object) -> object:
        # Comma-separated, or a JSON list like the other list settings.
        if isinstance(value, str):
            value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
        if isinstance(value, list | tuple):
            return tuple(str(name).strip().lower() for name in value if str(name).strip())
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_case_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    def instance_name(self, port: int) -> str:
        """SECTORLIGHTS_INSTANCE, else this host's name and the port served on (`port`): each compose
        replica has a host name of its own, kept when its container restarts."""
        return self.instance or f"{socket.gethostname()}:{port}"

    @property
    def shutdown_phase_secs(self) -> float:
        """Each of the shutdown's two phases: open requests, then the engine."""
        return self.shutdown_secs / 2

    @property
    def effective_static_dir(self) -> Path:
        if self.static_dir is not None:
            return self.static_dir
        # A checkout serves its latest front-end build, which the package copy may lag behind.
        in_checkout = (REPO_ROOT / "backend" / "pyproject.toml").is_file()
        if in_checkout and (CHECKOUT_DIST_DIR / "index.html").is_file():
            return CHECKOUT_DIST_DIR
        return PACKAGE_STATIC_DIR


class Settings(BaseSettings):
    """Everything SectorLights reads from its environment."""

    model_config = SettingsConfigDict(extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    provider: ProviderSettings = Field(default_factory=ProviderSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)


class ConfigurationError(RuntimeError):
    """A setting is wrong; the message is one line naming it."""


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem: the environment variable, what is wrong and what was given."""
    lines = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or error.title
        given = item.get("input")
        shown = "" if given is None or isinstance(given, dict) or "API_KEY" in name else f" (got {given!r})"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{name}: {message}{shown}")
    return "; ".join(lines)


def _environment_name(field_name: str) -> str:
    """The environment variable of a settings field, e.g. SECTORLIGHTS_SCHEDULE_RETRY_DELAYS_SECS."""
    for group in Settings.model_fields.values():
        model = group.annotation
        fields = getattr(model, "model_fields", {})
        alias = getattr(fields.get(field_name), "validation_alias", None)
        if isinstance(alias, AliasChoices) and alias.choices:
            return str(alias.choices[0])
    return field_name


def describe_settings_error(error: SettingsError) -> str:
    """A value that should be JSON (a list or an object) and is not: named by its variable."""
    found = re.search(r'field "(\w+)"', str(error))
    name = _environment_name(found.group(1)) if found else "a setting"
    return f"{name}: expected JSON (a list such as [30, 60], or an object), could not parse it"


def load_settings() -> Settings:
    """Read the environment; raise ConfigurationError with one line naming each bad setting."""
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigurationError(f"configuration error: {describe_validation_error(error)}") from None
    except SettingsError as error:
        raise ConfigurationError(f"configuration error: {describe_settings_error(error)}") from None
