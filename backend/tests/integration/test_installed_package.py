"""The wheel, installed into a new venv and run from an empty directory, serves the full dashboard.

The wheel is built from this checkout with the front end `make build` copied into the package, and
installed (not editable) into a fresh venv. Its third-party packages come from the project venv
through a .pth line, which keeps the test offline; with SECTORLIGHTS_TEST_INSTALL_FROM_INDEX=1 they
are installed from requirements.lock with --require-hashes instead (needs the package index). That the
package declares everything it imports is checked in tests/unit/test_packaging.py."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest

from tests.conftest import FROZEN
from tests.servers import command_env, running_process

BACKEND = Path(__file__).resolve().parents[2]
PACKAGED_INDEX = BACKEND / "sectorlights" / "static" / "index.html"
ASSET = re.compile(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"')


def _run(args: list[str | Path], cwd: Path) -> str:
    """Run from `cwd`, outside the checkout, whose sectorlights `python -c` would otherwise import."""
    done = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with the sectorlights wheel installed; yields its bin folder."""
    if not PACKAGED_INDEX.is_file():
        pytest.fail("the package has no built dashboard: run `make build` (it copies frontend/dist)")
    root = tmp_path_factory.mktemp("package")
    # A copy of what the wheel is built from, so the build leaves nothing in the checkout.
    source = root / "source"
    source.mkdir()
    shutil.copy(BACKEND / "pyproject.toml", source)
    shutil.copytree(
        BACKEND / "sectorlights",
        source / "sectorlights",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    pip = [sys.executable, "-m", "pip"]
    _run(
        [*pip, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "-w", root, source],
        root,
    )
    (wheel,) = root.glob("sectorlights-*.whl")

    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], root)
    python = venv / "bin" / "python"
    if os.environ.get("SECTORLIGHTS_TEST_INSTALL_FROM_INDEX") == "1":
        lock = BACKEND / "requirements.lock"
        _run([*pip, "--python", python, "install", "--quiet", "--require-hashes", "-r", lock], root)
    else:
        purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], root)
        # A plain path line: the project venv's own .pth files (its editable sectorlights) stay unread.
        (Path(purelib.strip()) / "project-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([*pip, "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel], root)
    return venv / "bin"


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path) -> None:
    venv = installed.parent
    where = _run([installed / "python", "-c", "import sectorlights; print(sectorlights.__file__)"], venv)
    assert Path(where.strip()).is_relative_to(venv)
    assert (Path(where.strip()).parent / "static" / "index.html").read_text() == PACKAGED_INDEX.read_text()
    version = _run([installed / "python", "-c", "import sectorlights; print(sectorlights.__version__)"], venv)
    assert _run([installed / "sectorlights", "--version"], venv).strip() == f"sectorlights {version.strip()}"


def test_migrate_and_serve_from_an_empty_directory_serve_the_dashboard(
    installed: Path, tmp_path: Path
) -> None:
    cwd = tmp_path / "empty"
    cwd.mkdir()
    env = FROZEN | {"SECTORLIGHTS_SQLITE_PATH": str(cwd / "sectorlights.db")}
    program = [str(installed / "sectorlights")]
    migrated = subprocess.run(
        [*program, "migrate"],
        env=command_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr

    with running_process(["serve"], env, cwd, "/api/sectors", 120, "installed", program=program) as server:
        page = httpx.get(server.base_url + "/", timeout=10)
        assert page.status_code == 200
        assert page.text == PACKAGED_INDEX.read_text()
        assert "<title>" in page.text and "not built" not in page.text
        assets = ASSET.findall(page.text)
        assert any(asset.endswith(".js") for asset in assets), page.text
        for asset in assets:
            response = httpx.get(server.base_url + asset, timeout=10)
            assert response.status_code == 200, asset
            assert response.content == (PACKAGED_INDEX.parent / asset.lstrip("/")).read_bytes()
        grid = httpx.get(server.base_url + "/api/sectors", timeout=10)
        assert grid.status_code == 200
        assert len(grid.json()["sectors"]) == 8
    assert (cwd / "sectorlights.db").is_file()
