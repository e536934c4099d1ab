"""The soak's figures from what the load recorded, the replicas' logs and the database, and the plot.

Definitions (also in the README):
* scheduled runs: each instant of `engine.schedule` in the span, completed when a run the replicas'
  logs tie to it succeeded; `scheduled_runs_duplicated` counts instants that succeeded twice.
* critical error rate: failed grid, sector and stock reads plus `/ws` sockets the server ended, over
  all reads plus all sockets opened, fault windows included.
* market-hours uptime: share of the probes (one per 10 simulated seconds, 04:00 to the end of
  extended hours of each session) that got a 200 with a grid.
* gap detection: from 04:00:00 (09:30:00) to a client's receipt of the session's first
  `significant_move` event published in the half hour after it, in real seconds, with the move
  watcher's 2 s anchor lag counted as the 2 s it is at normal speed.
* lost events: events some client received whose time lies inside another client's connected span
  (first to last message) that this client neither received nor had covered by a later snapshot.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import psycopg

from sectorlights.domain.sessions import NEW_YORK
from sectorlights.engine.move_watcher import DEFAULT_ANCHOR_LAG_SECS
from tests.soak.load import Records
from tests.soak.plan import SimClock, SoakPlan, at

if TYPE_CHECKING:
    from tests.soak.run import Samples
    from tests.soak.stack import Stack

SCHEDULED = re.compile(r"scheduled analysis for (\S+): run ([0-9a-f-]{36})")
MIB = 1024.0


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None}
    array = np.asarray(values)
    return {
        "p50": float(np.percentile(array, 50)),
        "p99": float(np.percentile(array, 99)),
        "max": float(array.max()),
    }


def _runs(database_url: str) -> dict[str, dict[str, Any]]:
    with psycopg.connect(database_url, connect_timeout=10) as connection:
        rows = connection.execute(
            "select run_id, trigger, status, started_at, finished_at, error from analysis_runs"
        ).fetchall()
    return {
        str(run_id): {
            "trigger": trigger,
            "status": status,
            "started": started,
            "finished": finished,
            "error": error,
        }
        for run_id, trigger, status, started, finished, error in rows
    }


def scheduled_runs(plan: SoakPlan, logs: list[str], runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    by_instant: dict[str, list[str]] = defaultdict(list)
    for log in logs:
        for instant, run_id in SCHEDULED.findall(log):
            by_instant[instant].append(run_id)
    expected = [run.at.isoformat() for run in plan.scheduled()]
    succeeded = {
        instant: [
            run_id
            for run_id in by_instant.get(instant, [])
            if runs.get(run_id, {}).get("status") == "succeeded"
        ]
        for instant in expected
    }
    missing = [instant for instant, ids in succeeded.items() if not ids]
    following = dict(itertools.pairwise(expected))
    return {
        # Missed instants whose next instant ran: the schedule lets that run stand for them once a
        # missed intraday run is no longer useful; still counted as not completed.
        "scheduled_runs_superseded": [
            instant for instant in missing if following.get(instant) and succeeded[following[instant]]
        ],
        "scheduled_runs_expected": len(expected),
        "scheduled_runs_completed": len(expected) - len(missing),
        "scheduled_runs_duplicated": sum(1 for ids in succeeded.values() if len(ids) > 1),
        "scheduled_runs_missing": {
            instant: [runs.get(run_id, {}).get("error") for run_id in by_instant.get(instant, [])]
            for instant in missing
        },
    }


def run_durations(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    by_trigger: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, int] = defaultdict(int)
    for run in runs.values():
        statuses[f"{run['trigger']}:{run['status']}"] += 1
        if run["finished"] is not None and run["status"] == "succeeded":
            by_trigger[run["trigger"]].append((run["finished"] - run["started"]).total_seconds())
    return {
        "statuses": dict(sorted(statuses.items())),
        "succeeded_secs": {
            trigger: _percentiles(secs) | {"count": len(secs)} for trigger, secs in by_trigger.items()
        },
    }


def gap_detection(plan: SoakPlan, clock: SimClock, records: Records) -> dict[str, dict[str, float | None]]:
    lag = timedelta(seconds=DEFAULT_ANCHOR_LAG_SECS)
    moves = sorted((_time(ts), received) for received, ts, _symbol in records.moves)
    result: dict[str, dict[str, float | None]] = {}
    for day in plan.sessions:
        anchors: dict[str, float | None] = {}
        for label, anchor in (("04:00", at(day, 4)), ("09:30", at(day, 9, 30))):
            if not plan.start <= anchor < plan.end:
                continue
            firsts = [received for ts, received in moves if anchor <= ts < anchor + timedelta(minutes=30)]
            anchors[label] = (
                DEFAULT_ANCHOR_LAG_SECS + (min(firsts) - clock.real_at(anchor + lag)).total_seconds()
                if firsts
                else None
            )
        result[day.isoformat()] = anchors
    return result


def lost_events(records: Records) -> dict[str, int]:
    times = {ident: _time(ts) for ident, (_kind, ts) in records.events.items()}
    lost = resynced = backwards = 0
    for socket in records.sockets:
        backwards += socket.backwards
        resynced += max(0, len(socket.snapshots) - socket.connections)
        if socket.first_ts is None or socket.last_ts is None:
            continue
        first, last = _time(socket.first_ts), _time(socket.last_ts)
        covered_until = max((_time(ts) for ts in socket.snapshots), default=first)
        lost += sum(
            1
            for ident, ts in times.items()
            if first <= ts <= last and ts > covered_until and ident not in socket.received
        )
    return {"ws_lost_events": lost, "ws_resyncs_in_session": resynced, "ws_seq_went_backwards": backwards}


def memory(samples: Samples) -> dict[str, Any]:
    """RSS per process every simulated hour, and its growth over each life of a process that lasted
    more than a simulated day: from a day into that life to its end."""
    series: dict[str, list[tuple[datetime, int, float]]] = defaultdict(list)
    for mark, sizes in samples.rss_kib:
        for name, (pid, kib) in sizes.items():
            series[name].append((mark, pid, kib / MIB))
    growth: dict[str, list[dict[str, Any]]] = {}
    for name, points in series.items():
        lives: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
        for mark, pid, mib in points:
            lives[pid].append((mark, mib))
        growth[name] = []
        for life in lives.values():
            after_day = [(mark, mib) for mark, mib in life if mark >= life[0][0] + timedelta(days=1)]
            if len(after_day) >= 2:
                (since, base), (until, end) = after_day[0], after_day[-1]
                clients = {mark: counts.get(name) for mark, counts in samples.ws_clients}
                growth[name].append(
                    {
                        "from": since.isoformat(),
                        "to": until.isoformat(),
                        "rss_mib_from": round(base, 1),
                        "rss_mib_to": round(end, 1),
                        "growth_pct": round(100.0 * (end - base) / base, 2),
                        # A replica's memory follows its sockets: clients move to it when the other dies.
                        "ws_clients_from": clients.get(since),
                        "ws_clients_to": clients.get(until),
                    }
                )
    return {
        "rss_mib": {
            name: [[mark.isoformat(), round(mib, 1)] for mark, _pid, mib in points]
            for name, points in series.items()
        },
        "rss_growth_pct": growth,
        "ws_clients_hourly": {
            name: [[mark.isoformat(), counts[name]] for mark, counts in samples.ws_clients if name in counts]
            for name in sorted({name for _mark, counts in samples.ws_clients for name in counts})
        },
    }


def _windows(probes: list[tuple[datetime, bool, float]]) -> list[list[str]]:
    """Simulated spans of consecutive failed probes."""
    spans: list[list[str]] = []
    start: datetime | None = None
    previous: datetime | None = None
    for mark, ok, _ms in sorted(probes):
        if not ok and start is None:
            start = mark
        if ok and start is not None and previous is not None:
            spans.append([start.isoformat(), previous.isoformat()])
            start = None
        previous = mark
    if start is not None and previous is not None:
        spans.append([start.isoformat(), previous.isoformat()])
    return spans


def availability(records: Records) -> dict[str, Any]:
    probes = records.probes
    reads_failed = sum(1 for _at, _kind, ok, _ms in records.reads if not ok)
    drops = sum(socket.drops for socket in records.sockets)
    opened = sum(socket.connections for socket in records.sockets)
    requests = len(records.reads) + opened
    hourly: dict[str, list[float]] = defaultdict(list)
    for mark, ok, ms in probes:
        if ok:
            hourly[mark.astimezone(NEW_YORK).replace(minute=0, second=0, microsecond=0).isoformat()].append(
                ms
            )
    return {
        "market_hours_uptime": sum(1 for _m, ok, _ms in probes if ok) / len(probes) if probes else None,
        "probes": len(probes),
        "probe_failures": sum(1 for _m, ok, _ms in probes if not ok),
        "downtime_windows": _windows(probes),
        "critical_error_rate": (reads_failed + drops) / requests if requests else None,
        "critical_flows": {
            "reads": len(records.reads),
            "reads_failed": reads_failed,
            "reads_failed_by_kind": {
                kind: sum(1 for _a, k, ok, _ms in records.reads if k == kind and not ok)
                for kind in ("grid", "sector", "stock")
            },
            "ws_sockets_opened": opened,
            "ws_drops": drops,
            "ws_connect_failures": sum(socket.connect_failures for socket in records.sockets),
        },
        "grid_read_latency_ms": _percentiles(
            [ms for _a, kind, ok, ms in records.reads if kind == "grid" and ok]
        ),
        "probe_latency_ms": _percentiles([ms for _m, ok, ms in probes if ok]),
        "probe_latency_ms_hourly": {hour: _percentiles(values) for hour, values in sorted(hourly.items())},
        "actions": {
            f"{kind}:{status}": sum(1 for _a, k, s in records.actions if k == kind and s == status)
            for kind, status in sorted({(k, s) for _a, k, s in records.actions})
        },
    }


def report(
    plan: SoakPlan, clock: SimClock, stack: Stack, records: Records, samples: Samples
) -> dict[str, Any]:
    runs = _runs(stack.postgres.url)
    logs = [replica.log_path.read_text(errors="replace") for replica in stack.replicas]
    result: dict[str, Any] = {
        "plan": {
            "start": plan.start.isoformat(),
            "end": plan.end.isoformat(),
            "speed": plan.speed,
            "sessions": [day.isoformat() for day in plan.sessions],
            "listings": plan.listings,
            "load": dataclasses.asdict(plan.load),
        },
        **scheduled_runs(plan, logs, runs),
        **availability(records),
        "gap_detection_secs": gap_detection(plan, clock, records),
        **lost_events(records),
        **memory(samples),
        "database_bytes": [[mark.isoformat(), size] for mark, size in samples.database_bytes],
        "run_durations": run_durations(runs),
        "faults": [
            {
                "at": done.fault.at.isoformat(),
                "kind": str(done.fault.kind),
                "detail": done.detail,
                "real_secs": round((done.finished - done.started).total_seconds(), 2),
            }
            for done in samples.faults
        ],
    }
    result["summary"] = summary(result)
    return result


def summary(result: dict[str, Any]) -> dict[str, Any]:
    gaps = [
        secs for day in result["gap_detection_secs"].values() for secs in day.values() if secs is not None
    ]
    growth = [
        life["growth_pct"]
        for name, lives in result["rss_growth_pct"].items()
        if name.startswith("app-")
        for life in lives
    ]
    return {
        "scheduled_runs": f"{result['scheduled_runs_completed']}/{result['scheduled_runs_expected']}",
        "market_hours_uptime": result["market_hours_uptime"],
        "critical_error_rate": result["critical_error_rate"],
        "gap_detection_max_secs": max(gaps, default=None),
        "gap_detections_measured": len(gaps),
        "ws_lost_events": result["ws_lost_events"],
        "replica_rss_growth_max_pct": max(growth, default=None),
    }


def write_plot(result: dict[str, Any], path: Path) -> None:
    """Memory per process and `/api/sectors` probe latency over the simulated span, faults marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(12, 7), sharex=True)
    for name, points in sorted(result["rss_mib"].items()):
        top.plot([_time(mark) for mark, _ in points], [mib for _, mib in points], label=name)
    top.set_ylabel("RSS (MiB)")
    top.legend(loc="upper left", ncol=5, fontsize=8)
    hourly = result["probe_latency_ms_hourly"]
    hours = [_time(hour) for hour in hourly]
    # Points, not lines: there are no probes outside market hours to join across the nights.
    for key, marker in (("p50", "."), ("p99", "x")):
        bottom.plot(hours, [hourly[hour][key] for hour in hourly], marker, markersize=4, label=f"probe {key}")
    bottom.set_yscale("log")
    bottom.set_ylabel("GET /api/sectors (ms), per hour")
    for fault in result["faults"]:
        for axis in (top, bottom):
            axis.axvline(_time(fault["at"]), color="grey", alpha=0.4, linewidth=0.8)
    bottom.legend(loc="upper left", fontsize=8)
    bottom.set_xlabel("simulated time (faults marked in grey)")
    figure.suptitle(_title(result["summary"]), fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _title(summary: dict[str, Any]) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.3f} %"

    first = (
        f"SectorLights soak: scheduled runs {summary['scheduled_runs']}, market-hours uptime "
        f"{pct(summary['market_hours_uptime'])}, critical errors {pct(summary['critical_error_rate'])}"
    )
    second = (
        f"gap detection max {summary['gap_detection_max_secs']} s "
        f"({summary['gap_detections_measured']} measured), lost /ws events {summary['ws_lost_events']}, "
        f"replica RSS growth max {summary['replica_rss_growth_max_pct']} %"
    )
    return f"{first}\n{second}"
