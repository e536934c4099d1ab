"""SectorLights: a small-cap traffic-light sector dashboard."""

from importlib.metadata import PackageNotFoundError, version

try:
    # The one place the version is set is pyproject.toml; the CLI, the API and OpenAPI read it here.
    __version__ = version("sectorlights")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
