"""The benchmark's load tools: wrk output parsing and the raw HTTP/1.1 response reader."""

from __future__ import annotations

import asyncio

import pytest

from tests.bench.load import parse_wrk, percentiles, read_response

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8123/api/sectors
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    13.42ms    4.10ms  54.82ms   81.02%
    Req/Sec     3.61k   412.55     4.21k    72.00%
  Latency Distribution
     50%   13.03ms
     75%   15.10ms
     90%   17.99ms
     99%   25.20ms
  28854 requests in 10.01s, 469.12MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   3597.48
Transfer/sec:     46.86MB
"""


def test_wrk_output_is_read_with_units() -> None:
    result = parse_wrk(WRK_OUTPUT.replace("50%   13.03ms", "50%  950.00us"))
    assert result["p50_ms"] == pytest.approx(0.95)
    assert (result["p90_ms"], result["p99_ms"], result["max_ms"]) == (17.99, 25.2, 54.82)
    assert (result["requests"], result["requests_per_sec"], result["non_2xx"]) == (28854, 3597.48, 3)


def test_wrk_output_without_percentiles_is_refused() -> None:
    with pytest.raises(ValueError, match="99%"):
        parse_wrk(WRK_OUTPUT.replace("     99%   25.20ms\n", ""))


def test_responses_are_read_whole_back_to_back() -> None:
    async def read_two() -> list[tuple[int, bytes]]:
        reader = asyncio.StreamReader()
        reader.feed_data(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello")
        reader.feed_data(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}")
        return [await read_response(reader), await read_response(reader)]

    assert asyncio.run(read_two()) == [(200, b"hello"), (404, b"{}")]


def test_percentiles_of_known_latencies() -> None:
    result = percentiles([float(value) for value in range(1, 101)], wall_secs=2.0)
    assert result["requests"] == 100
    assert result["requests_per_sec"] == 50.0
    assert result["p50_ms"] == pytest.approx(50.5)
    assert result["max_ms"] == 100.0
