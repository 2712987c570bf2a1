"""`her2-cds serve` as a real gunicorn process on a free loopback port, for integration tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_services(
    env: Mapping[str, str],
    *,
    count: int = 1,
    workers: int = 2,
    startup_timeout: float = 60,
    ports: Sequence[int] = (),
) -> Iterator[list[str]]:
    """Start `count` service processes with `env` added; yield their base URLs. `ports` fixes
    the ports (a service whose public URL must be known before it starts); free ones otherwise."""
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    for index in range(count):
        port = ports[index] if index < len(ports) else free_port()
        command = [sys.executable, "-m", "cds_service.cli", "serve", "--port", str(port)]
        command += ["--workers", str(workers)]
        processes.append(
            subprocess.Popen(
                command,
                env={**os.environ, **env},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + startup_timeout
        for url, process in zip(urls, processes, strict=True):
            while True:
                try:
                    if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise AssertionError(f"the service did not start: {err[-2000:]}")
                time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
            if process.stderr is not None:
                process.stderr.close()
