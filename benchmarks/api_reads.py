"""API read benchmark: requests/s and latency of ``GET /api/v1/organisations`` against the production server.

The script prepares a throw-away data directory (migrate, load-reference, demo), starts ``harbor serve`` on a
free loopback port, waits for ``/readyz``, then runs closed-loop clients at each concurrency level: every
client sends its next request as soon as the previous one answers. ``GET /healthz`` (no database, no auth)
runs at the same levels as the baseline, so the cost of the record read itself stands out from the cost of
the server, the middleware and this client. The API requests carry a read-scoped bearer token, as a script
using the API would.

Budget (DESIGN §6): API p95 ≤ 50 ms at 100 concurrent clients for record reads.

    python benchmarks/api_reads.py                       # workers 1 and 2, levels 1, 10, 100
    python benchmarks/api_reads.py --workers 1 --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HARBOR = [sys.executable, "-m", "harbor.cli"]
BUDGET_P95_MS = 50.0


@dataclass(frozen=True)
class Result:
    workers: int
    endpoint: str
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def harbor(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [*HARBOR, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"harbor {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def prepare(data_dir: Path, database_url: str | None) -> tuple[dict[str, str], str]:
    """A data directory with the schema, reference and demo data; returns the environment and a token."""
    env: dict[str, str] = {
        **os.environ,
        "HARBOR_DATA_DIR": str(data_dir),
        "HARBOR_SECRET_KEY": "benchmark-only-secret-key-not-for-production-0123456789",
        # The benchmark is one client address and one token: lift the limits, keep their cost.
        "HARBOR_RATE_LIMIT_IP": "1000000000",
        "HARBOR_RATE_LIMIT_TOKEN": "1000000000",
    }
    env.pop("HARBOR_DATABASE_URL", None)
    if database_url:
        env["HARBOR_DATABASE_URL"] = database_url
    for step in (("migrate",), ("load-reference",), ("demo",)):
        harbor(env, *step, "--verbosity", "0")
    token = harbor(
        env, "token", "create", "--user", "mei", "--org", "guangxi-bamboo-crafts", "--scope", "read"
    ).strip()
    return env, token


@contextmanager
def scratch_postgres(server_url: str | None) -> Iterator[str | None]:
    """A new, empty PostgreSQL database on ``server_url``'s server for the run, dropped afterwards."""
    if not server_url:
        yield None
        return
    import psycopg
    from psycopg import sql

    name = f"harbor_bench_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield str(httpx.URL(server_url).copy_with(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def server(env: dict[str, str], *, workers: int, threads: int, log_path: Path) -> Iterator[str]:
    """Run ``harbor serve`` in its own process group until the block ends; yield its base URL."""
    port = free_port()
    command = [
        *HARBOR,
        "serve",
        "--port",
        str(port),
        "--no-collectstatic",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server exited with {process.returncode}; see {log_path}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server was not ready within 60 s; see {log_path}")
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class Connection:
    """One keep-alive HTTP/1.1 connection that sends GET requests and reads whole responses.

    The load is generated with asyncio streams rather than httpx: on two cores httpx's own CPU cost caps
    it near 1,200 requests/s at 100 clients, so it would measure itself; these few lines keep up with the
    server (they matched wrk within about 15 % on the same machine).
    """

    def __init__(self, host: str, port: int, path: str, headers: dict[str, str]) -> None:
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self) -> int:
        """Send the request and read the response; return its status code."""
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.reader, self.writer
        writer.write(self.request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, close = None, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _sep, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if length is not None:
            await reader.readexactly(length)
        elif chunked:
            while True:
                size = int((await reader.readline()).split(b";")[0].strip(), 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def load(
    url: str,
    headers: dict[str, str],
    *,
    clients: int,
    warmup: float,
    duration: float,
    think: float,
    cap: int,
) -> tuple[int, int, float, list[float]]:
    """Closed-loop clients for ``warmup`` + ``duration`` seconds; only the measured part is counted.

    With ``think`` > 0, each client waits that long (±50 %) between a response and its next request.
    """
    parsed = httpx.URL(url)
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    jitter = random.Random(2026)
    started = time.perf_counter()
    measure_from = started + warmup
    stop_at = measure_from + duration

    async def one_client() -> None:
        connection = Connection(parsed.host, parsed.port or 80, parsed.raw_path.decode(), headers)
        try:
            if think:
                await asyncio.sleep(jitter.uniform(0, think))
            while True:
                sent = time.perf_counter()
                if sent >= stop_at or counts["ok"] + counts["errors"] >= cap:
                    return
                try:
                    ok = await connection.get() == 200
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    await connection.close()
                    ok = False
                done = time.perf_counter()
                if sent >= measure_from:
                    latencies.append((done - sent) * 1000)
                    counts["ok" if ok else "errors"] += 1
                if think:
                    await asyncio.sleep(think * jitter.uniform(0.5, 1.5))
        finally:
            await connection.close()

    await asyncio.gather(*(one_client() for _ in range(clients)))
    elapsed = min(time.perf_counter(), stop_at) - measure_from
    return counts["ok"], counts["errors"], max(elapsed, 1e-9), latencies


def measure(
    base: str,
    token: str,
    *,
    workers: int,
    levels: list[int],
    warmup: float,
    duration: float,
    think: float,
) -> list[Result]:
    results = []
    endpoints = [
        ("/healthz", {}),
        ("/api/v1/organisations", {"Authorization": f"Bearer {token}"}),
    ]
    probe = httpx.get(f"{base}/api/v1/organisations", headers=endpoints[1][1], timeout=10)
    probe.raise_for_status()
    print(
        f"  /api/v1/organisations answers {len(probe.json()['items'])} organisations, "
        f"{len(probe.content)} bytes",
        file=sys.stderr,
    )
    for path, headers in endpoints:
        for clients in levels:
            ok, errors, seconds, latencies = asyncio.run(
                load(
                    f"{base}{path}",
                    headers,
                    clients=clients,
                    warmup=warmup,
                    duration=duration,
                    think=think,
                    cap=200_000,
                )
            )
            result = Result(workers, path, clients, ok, errors, seconds, latencies)
            print(
                f"  workers={workers} {path} clients={clients}: {result.rate:.0f} req/s, "
                f"p95 {result.percentile(0.95):.1f} ms",
                file=sys.stderr,
            )
            results.append(result)
    return results


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def table(results: list[Result]) -> str:
    lines = [
        "| workers | endpoint | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.workers} | `GET {r.endpoint}` | {r.clients} | {r.requests} | {r.errors} "
            f"| {r.rate:,.0f} | {r.percentile(0.50):.1f} | {r.percentile(0.95):.1f} "
            f"| {r.percentile(0.99):.1f} |"
        )
    return "\n".join(lines)


def verdict(results: list[Result]) -> str:
    lines = []
    for r in results:
        if r.endpoint.startswith("/api/") and r.clients == 100:
            p95 = r.percentile(0.95)
            status = "within" if p95 <= BUDGET_P95_MS else "over"
            lines.append(
                f"- workers={r.workers}: p95 {p95:.1f} ms at 100 clients, "
                f"{status} the {BUDGET_P95_MS:.0f} ms budget"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", default="1,2", help="server worker counts to try, e.g. 1,2")
    parser.add_argument("--threads", type=int, default=8, help="blocking threads per worker")
    parser.add_argument("--levels", default="1,10,100", help="concurrent clients per level")
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per level")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per level")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds each client waits between requests"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on a scratch database created (and dropped) on this PostgreSQL server",
    )
    args = parser.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]
    levels = [int(level) for level in args.levels.split(",")]

    load_before = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="harbor-bench-") as scratch,
        scratch_postgres(args.postgres) as database_url,
    ):
        data_dir = Path(scratch) / "data"
        print(f"preparing data in {data_dir}", file=sys.stderr)
        env, token = prepare(data_dir, database_url)
        results: list[Result] = []
        for workers in worker_counts:
            with server(
                env, workers=workers, threads=args.threads, log_path=Path(scratch) / "server.log"
            ) as base:
                results.extend(
                    measure(
                        base,
                        token,
                        workers=workers,
                        levels=levels,
                        warmup=args.warmup,
                        duration=args.duration,
                        think=args.think,
                    )
                )
    print(f"## API reads, {dt.date.today().isoformat()}\n")
    database = "PostgreSQL" if args.postgres else "SQLite (WAL), the embedded default"
    pacing = f"{args.think:g} s think time (±50 %)" if args.think else "no think time"
    print(
        f"Machine: {machine()}; one-minute load average {load_before:.1f} before the run and "
        f"{os.getloadavg()[0]:.1f} after it. Database: {database}."
    )
    print(
        f"Server: `harbor serve` (granian, WSGI, {args.threads} threads per worker). "
        f"Clients: closed loop, one keep-alive connection each, {pacing}, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s measured per level.\n"
    )
    print(table(results))
    print()
    print(verdict(results))
    if any(r.errors for r in results):
        print("\nsome requests failed: see the errors column", file=sys.stderr)


if __name__ == "__main__":
    main()
