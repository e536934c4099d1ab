"""What deploy/compose.yaml describes, as processes on this machine (tests/topology.py): one
PostgreSQL and one Redis, two `sectorlights serve` replicas, and nginx with a config derived from
deploy/nginx.conf in front of them. HTTP, `/ws` and the dashboard go through the proxy;
the last test kills a replica mid-run and the page stays live through the other."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from playwright.sync_api import Browser, expect
from websockets.sync.client import connect

from tests.conftest import FROZEN
from tests.e2e.test_dashboard_live import open_dashboard
from tests.integration.test_live_updates import (
    collect_until,
    receive,
    run_finished,
    start_run,
    ws_url,
)
from tests.topology import NGINX_CONF, Topology, local_proxy_config, running_topology

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    with running_topology(FROZEN, tmp_path_factory.mktemp("topology")) as running:
        yield running


def clients_on(base_url: str) -> int:
    """The `/ws` clients of one replica besides the one asking (from its heartbeat)."""
    with connect(ws_url(base_url)) as socket:
        while (message := receive(socket, 10))["type"] != "heartbeat":
            pass
    clients: int = message["payload"]["clients"]
    return clients - 1


def test_the_config_derivation_fails_when_the_proxy_config_changes() -> None:
    config = NGINX_CONF.read_text(encoding="utf-8")
    derived = local_proxy_config(config, [8001, 8002], 8080)
    assert "server 127.0.0.1:8001 max_fails=2 fail_timeout=10s; server 127.0.0.1:8002 max_fails" in derived
    assert "listen 127.0.0.1:8080;" in derived and "app:8000" not in derived
    with pytest.raises(AssertionError, match="app:8000"):
        local_proxy_config(config.replace("server app:8000", "server web:8000"), [8001], 8080)


def test_http_answers_through_the_proxy(topology: Topology) -> None:
    proxy = topology.proxy_url
    grid = httpx.get(proxy + "/api/sectors", timeout=30)
    assert grid.status_code == 200 and len(grid.json()["sectors"]) == 8
    paths = httpx.get(proxy + "/openapi.json", timeout=30).json()["paths"]
    probe = "/livez" if "/livez" in paths else "/health"
    assert httpx.get(proxy + probe, timeout=30).status_code == 200
    assert httpx.get(proxy + "/proxy-livez", timeout=30).text == "ok\n"
    page = httpx.get(proxy + "/", timeout=30)
    assert page.status_code == 200 and "<script" in page.text


def assert_same_stream(seen: list[list[tuple[int, str]]]) -> None:
    """Every socket saw the same events in the same order, except that a socket the server found
    lagging may get a resync snapshot in place of the events up to its sequence number (the
    documented recovery on a busy machine): after its last snapshot it must match the others, and
    before it it may only lack events, never have other ones."""
    plain = [stream for stream in seen if all(kind != "snapshot" for _seq, kind in stream)]
    assert plain, f"every socket was resynced: {seen}"
    reference = plain[0]
    for stream in seen:
        resyncs = [seq for seq, kind in stream if kind == "snapshot"]
        after = resyncs[-1] if resyncs else -1
        assert [e for e in stream if e[0] > after] == [e for e in reference if e[0] > after]
        assert {e for e in stream if e[1] != "snapshot"} <= set(reference)


def test_ws_through_the_proxy_and_on_each_replica_sees_the_same_stream(topology: Topology) -> None:
    urls = [topology.proxy_url, *(replica.base_url for replica in topology.replicas)]
    with ExitStack() as stack:
        sockets = [stack.enter_context(connect(ws_url(url))) for url in urls]
        assert [receive(socket)["type"] for socket in sockets] == ["snapshot"] * len(sockets)
        run_id = start_run(topology.proxy_url)
        streams = [collect_until(socket, run_finished(run_id)) for socket in sockets]
    seen = [[(m["seq"], m["type"]) for m in stream] for stream in streams]
    assert_same_stream(seen)
    stages = [
        m["payload"]["stage"]
        for m in streams[0]
        if m["type"] == "analysis_progress" and m["payload"]["run_id"] == run_id
    ]
    assert stages[0] == "listings" and stages[-1] == "done", stages


def test_the_page_stays_live_through_the_proxy_when_a_replica_dies(
    browser: Browser, topology: Topology
) -> None:
    page = open_dashboard(browser, topology.proxy_url)
    indicator = page.get_by_test_id("connection-indicator")
    expect(indicator).to_have_attribute("data-state", "connected")
    # The replica the proxy gave the page's `/ws` to is the one that goes.
    deadline = time.monotonic() + 20
    while (counts := [clients_on(replica.base_url) for replica in topology.replicas]) not in ([1, 0], [0, 1]):
        assert time.monotonic() < deadline, f"the page's socket is not on one replica: {counts}"
        time.sleep(0.2)
    doomed, survivor = topology.replicas if counts == [1, 0] else topology.replicas[::-1]

    killed_run = start_run(doomed.base_url)
    status = httpx.get(f"{doomed.base_url}/api/analysis/{killed_run}", timeout=30).json()
    assert status["status"] == "running", status
    doomed.process.send_signal(signal.SIGKILL)
    doomed.process.wait(timeout=10)

    # The page reconnects through the proxy, to the replica left.
    deadline = time.monotonic() + 30
    while clients_on(survivor.base_url) != 1:
        assert time.monotonic() < deadline, "the page did not reconnect to the other replica"
        time.sleep(0.2)
    expect(indicator).to_have_attribute("data-state", "connected", timeout=30_000)
    expect(page.locator("[data-testid=sector-card]")).to_have_count(8)

    button = page.get_by_test_id("run-fresh")
    button.click()
    expect(page.get_by_test_id("analysis-progress")).to_be_visible(timeout=10_000)
    expect(button).to_be_enabled(timeout=60_000)
    latest = httpx.get(topology.proxy_url + "/api/analysis/latest", timeout=30).json()["run"]
    assert latest["run_id"] != killed_run
    assert (latest["status"], latest["trigger"]) == ("succeeded", "on_demand")
    grid = httpx.get(topology.proxy_url + "/api/sectors", timeout=30).json()
    assert grid["run_id"] == latest["run_id"]
    expect(page.get_by_test_id("as-of")).to_have_attribute("datetime", grid["as_of"], timeout=15_000)
    expect(indicator).to_have_attribute("data-state", "connected")
    page.close()
