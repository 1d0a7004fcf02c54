"""Load benchmark of ``POST /api/v1/assess`` on loopback: requests/s and latency percentiles.

Starts ``plexnav serve`` on a free 127.0.0.1 port (or targets ``--url``, loopback only),
then drives it from an asyncio client over keep-alive connections.  Bounded in requests
and in time; it stops by itself.

Three workloads:
  repeat   the same request body every time: answered from the memo of recent bodies
  renamed  the same findings under a new id every time: answered from the memo keyed by
           the finding set, the id spliced in (assess() depends on the findings, not the id)
  unique   every case is a different finding set (age and duration varied): the engine runs
           for every request

Every request is made before a workload's clock starts.  Besides requests/s and latency it
reports the server's CPU time per request (all its processes): on a machine whose cores
the client and other work share, requests/s measure the machine, CPU/request the server.

Run:  .venv/bin/python benchmarks/load_api.py [--requests 3000] [--concurrency 16] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from plexnav import vocabulary as V  # noqa: E402
from plexnav.examples import example_path  # noqa: E402

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def case_body() -> dict:
    data = json.loads(Path(example_path("common-peroneal-fibular-head")).read_text())
    return {k: v for k, v in data.items() if k not in V.EVALUATION_KEYS}


def request_bytes(host: str, port: int, body: bytes) -> bytes:
    head = (
        f"POST /api/v1/assess HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    await reader.readexactly(length)
    return status


async def worker(
    host: str,
    port: int,
    requests,
    counter: dict,
    limit: int,
    deadline: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while counter["sent"] < limit and time.perf_counter() < deadline:
            payload = requests[counter["sent"]]
            counter["sent"] += 1
            start = time.perf_counter()
            writer.write(payload)
            await writer.drain()
            status = await read_response(reader)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                errors.append(str(status))
    finally:
        writer.close()


async def run_load(host: str, port: int, bodies, total: int, concurrency: int, seconds: float):
    """Send up to ``total`` requests (all made before the clock starts, so the client spends
    its share of the cores on sending, not on writing JSON) for at most ``seconds``."""
    requests = [request_bytes(host, port, bodies(i + 1)) for i in range(total)]
    latencies: list[float] = []
    errors: list[str] = []
    counter = {"sent": 0}
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *(worker(host, port, requests, counter, total, deadline, latencies, errors) for _ in range(concurrency))
    )
    elapsed = time.perf_counter() - start
    return latencies, errors, elapsed


def server_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) used so far by the server and its worker processes."""
    if pid is None:
        return float("nan")
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        for p in (root, *root.children(recursive=True)):
            times = p.cpu_times()
            total += times.user + times.system
    except psutil.NoSuchProcess:
        pass
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(name: str, latencies: list[float], errors: list[str], elapsed: float, cpu: float) -> dict:
    result = {
        "workload": name,
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * percentile(latencies, 0.50), 2),
        "p90_ms": round(1000 * percentile(latencies, 0.90), 2),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 2),
        "mean_ms": round(1000 * statistics.fmean(latencies), 2),
        "server_cpu_ms_per_request": round(1000 * cpu / max(len(latencies), 1), 3),
    }
    print(
        f"{name:>7}: {result['requests']} requests in {result['seconds']} s -> {result['requests_per_s']} req/s; "
        f"p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, p99 {result['p99_ms']} ms; errors {result['errors']}; "
        f"server CPU {result['server_cpu_ms_per_request']} ms/request"
    )
    return result


def start_server(workers: int) -> tuple[subprocess.Popen, str, int, tempfile.TemporaryDirectory]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = tempfile.TemporaryDirectory(prefix="plexnav-bench-")
    env = {**os.environ, "PLEXNAV_DATA_DIR": data.name, "PLEXNAV_SECRET_KEY": "bench-" + "x" * 40}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plexnav.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1) as response:
                if response.status == 200:
                    return process, "127.0.0.1", port, data
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an already running server on loopback (default: start one)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the started server")
    parser.add_argument("--requests", type=int, default=3000, help="requests per workload (upper bound)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per workload")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--workload", choices=("repeat", "renamed", "unique", "all"), default="all")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    process = data = None
    if args.url:
        parsed = urlparse(args.url)
        if parsed.hostname not in LOOPBACK:
            raise SystemExit("load is only ever sent to this machine's loopback address")
        host, port = parsed.hostname, parsed.port or 80
    else:
        process, host, port, data = start_server(args.workers)
    base = case_body()
    repeat_body = json.dumps(base).encode()

    def repeat(_: int) -> bytes:
        return repeat_body

    def renamed(i: int) -> bytes:
        return json.dumps({**base, "id": f"bench-{time.time_ns()}-{i}"}).encode()

    stamp = time.time_ns() % 10_000  # a new run starts from findings the server has not seen

    def unique(i: int) -> bytes:
        history = {**base.get("history", {}), "duration_days": 1 + (stamp * 1_000 + i) % 10_000_000}
        patient = {**base.get("patient", {}), "age": 18 + (i // 997) % 90}
        return json.dumps({**base, "id": f"bench-{i}", "history": history, "patient": patient}).encode()

    results = []
    try:
        asyncio.run(run_load(host, port, repeat, 200, 4, 30))  # warm-up
        print(
            f"POST /api/v1/assess on {host}:{port}, {args.concurrency} connections, "
            f"{args.workers if process else '?'} worker(s), {os.cpu_count()} CPU(s)"
        )
        for name, bodies in (("repeat", repeat), ("renamed", renamed), ("unique", unique)):
            if args.workload in (name, "all"):
                cpu = server_cpu(process.pid if process else None)
                latencies, errors, elapsed = asyncio.run(
                    run_load(host, port, bodies, args.requests, args.concurrency, args.seconds)
                )
                cpu = server_cpu(process.pid if process else None) - cpu
                results.append(report(name, latencies, errors, elapsed, cpu))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
            data.cleanup()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
