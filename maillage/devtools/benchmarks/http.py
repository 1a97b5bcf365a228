"""Pages under load: the server run as in production, closed-loop clients on loopback.

`production_server` starts gunicorn with the production settings (`gunicorn.conf.py`, DEBUG off,
persistent connections) on a free port against the bench's database. `load` then runs N clients,
each in its own thread with one kept-alive connection, sending the next request as soon as the
previous answer has been read in full (a closed loop: the load a team of N people clicking without
pause would make), and returns p50/p95/p99 and the throughput. Every answer must be a 200: a page
that fails under load fails the bench.

The clients run in the bench's process, on the same cores as the server: at 50 clients the client
takes a share of the machine too, which the figures include (the figures are upper bounds).
"""

import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings

from . import percentile

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def production_server(*, database_url: str, workers: int | None = None):
    """gunicorn as `make serve` runs it, on a free port; yields its base address."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    bin_dir = Path(sys.executable).parent
    log = open(Path(settings.VAR_DIR) / "bench-gunicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
        [
            str(bin_dir / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--access-logfile",
            "/dev/null",
            "maillage.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn stopped (exit {process.returncode}): see var/bench-gunicorn.log"
                )
            try:
                status, _body = fetch(f"127.0.0.1:{port}", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.3)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _headers(cookie: str | None) -> dict:
    headers = {"Accept-Encoding": "gzip", "Accept-Language": "fr", "Connection": "keep-alive"}
    if cookie:
        headers["Cookie"] = cookie
    return headers


def fetch(address: str, path: str, cookie: str | None = None) -> tuple[int, bytes]:
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        connection.request("GET", path, headers=_headers(cookie))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(
    address: str,
    path: str,
    *,
    clients: int,
    seconds: float,
    cookie: str | None = None,
    min_requests: int = 20,
) -> dict:
    """`clients` closed loops on `path` for `seconds` (and at least `min_requests` in all)."""
    host, port = address.split(":")
    timings: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    # Requests answered by every client so far: the loops stop once the time is up and this
    # reaches `min_requests` (each client's own count alone made 50 clients send 100 each).
    answered = [0]
    stop_at = time.monotonic() + seconds
    headers = _headers(cookie)

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        mine = []
        try:
            while time.monotonic() < stop_at or answered[0] < min_requests:
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                with lock:
                    answered[0] += 1
                if response.status != 200:
                    with lock:
                        failures.append(f"{path}: HTTP {response.status}")
                    break
        except OSError as error:
            with lock:
                failures.append(f"{path}: {error}")
        finally:
            connection.close()
            with lock:
                timings.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError("; ".join(sorted(set(failures))[:5]))
    return {
        "clients": clients,
        "requests": len(timings),
        "p50_ms": statistics.median(timings) * 1000,
        "p95_ms": percentile(timings, 0.95) * 1000,
        "p99_ms": percentile(timings, 0.99) * 1000,
        "per_second": len(timings) / elapsed,
    }
