"""RedisReplayCache against a real redis-server on loopback (tests/support/redis_server.py).

If redis-server is not installed these tests FAIL with the install hint; they never skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cds_service.auth import AuthenticationError, JwtVerifier
from cds_service.replay_cache import RedisReplayCache, ReplayCache, ReplayCacheUnavailable
from cds_service.trusted_clients import TrustedClient, load_trusted_clients
from tests.support.redis_server import RedisServerError, RedisTestServer
from tests.unit.security.tokens import AUD, ISS, ec_signer, make_token

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisTestServer]:
    server = RedisTestServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisTestServer) -> str:
    if not redis_server.running:  # a test stopped it: bring it back on the same port
        redis_server.start()
    redis_server.flushall()
    return redis_server.url


def run_python(script: str, *args: str, stdin: str | None = None) -> str:
    """Run `script` in a separate interpreter with the repository importable."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


FIRST_USE_SCRIPT = """
    import sys
    from cds_service.replay_cache import RedisReplayCache
    print(RedisReplayCache(sys.argv[1]).first_use(sys.argv[2], 60))
"""


def test_first_use_then_replay(redis_url: str) -> None:
    cache = RedisReplayCache(redis_url)
    assert isinstance(cache, ReplayCache)
    assert cache.first_use("jti-1", 60) is True
    assert cache.first_use("jti-1", 60) is False
    assert cache.first_use("jti-2", 60) is True


def test_keys_are_prefixed_and_expire(redis_server: RedisTestServer, redis_url: str) -> None:
    cache = RedisReplayCache(redis_url, prefix="test:jti:")
    assert cache.first_use("k", 120)
    with redis_server.client() as client:
        assert client.get("test:jti:k") == b"1"
        assert 0 < client.ttl("test:jti:k") <= 120
    assert cache.first_use("short", 1)
    time.sleep(1.2)
    assert cache.first_use("short", 1) is True  # expired, so a first use again


def test_second_process_sees_the_replay(redis_url: str) -> None:
    key = f"jti-{uuid.uuid4()}"
    assert run_python(FIRST_USE_SCRIPT, redis_url, key) == "True"
    assert run_python(FIRST_USE_SCRIPT, redis_url, key) == "False"
    assert RedisReplayCache(redis_url).first_use(key, 60) is False


def test_racing_processes_only_one_wins(redis_url: str) -> None:
    key = f"jti-{uuid.uuid4()}"
    start_at = time.time() + 1.0
    script = """
        import sys, time
        from cds_service.replay_cache import RedisReplayCache
        cache = RedisReplayCache(sys.argv[1])
        cache.first_use("warm-up-" + sys.argv[3], 60)  # connect before the start line
        time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
        print(cache.first_use(sys.argv[3], 60))
    """
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script), redis_url, str(start_at), key],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for _ in range(8)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outputs.append(out.strip())
    assert sorted(outputs) == ["False"] * 7 + ["True"]


def test_verifier_replay_detected_across_processes(tmp_path: Path, redis_url: str) -> None:
    """A token accepted by one service process is refused by another sharing the Redis."""
    signer = ec_signer()
    config = tmp_path / "clients.json"
    config.write_text(json.dumps([{"iss": ISS, "jwks": signer.jwks(), "fhir_servers": []}]))
    token = make_token(signer)
    verifier = JwtVerifier(load_trusted_clients(config), replay_cache=RedisReplayCache(redis_url))
    assert verifier.verify(f"Bearer {token}", AUD).iss == ISS

    script = """
        import sys
        from pathlib import Path
        from cds_service.auth import AuthenticationError, JwtVerifier
        from cds_service.replay_cache import RedisReplayCache
        from cds_service.trusted_clients import load_trusted_clients
        verifier = JwtVerifier(
            load_trusted_clients(Path(sys.argv[1])), replay_cache=RedisReplayCache(sys.argv[2])
        )
        try:
            verifier.verify("Bearer " + sys.stdin.read().strip(), sys.argv[3])
        except AuthenticationError as exc:
            print(exc.reason)
        else:
            print("accepted")
    """
    # The token goes through stdin, never the command line.
    assert run_python(script, str(config), redis_url, AUD, stdin=token) == "replayed jti"
    fresh = make_token(signer)
    assert run_python(script, str(config), redis_url, AUD, stdin=fresh) == "accepted"
    with pytest.raises(AuthenticationError, match="replayed jti"):
        verifier.verify(f"Bearer {fresh}", AUD)


def test_redis_down_fails_closed(redis_server: RedisTestServer, redis_url: str) -> None:
    cache = RedisReplayCache(redis_url)
    assert cache.first_use("before", 60)
    signer = ec_signer()
    verifier = JwtVerifier([TrustedClient(iss=ISS, jwks=signer.jwks())], replay_cache=cache)
    redis_server.stop()
    started = time.monotonic()
    with pytest.raises(ReplayCacheUnavailable):
        cache.first_use("during", 60)
    with pytest.raises(ReplayCacheUnavailable):
        cache.ping()
    # The verifier does not turn this into success or a 401: the app answers 503.
    with pytest.raises(ReplayCacheUnavailable):
        verifier.verify(f"Bearer {make_token(signer)}", AUD)
    assert time.monotonic() - started < 10
    # Back on the same port: the same cache object works again.
    redis_server.start()
    assert cache.first_use("after", 60) is True
    assert cache.first_use("before", 60) is True  # the restarted server has no persistence


def test_never_started_port_is_unavailable() -> None:
    cache = RedisReplayCache("redis://127.0.0.1:1/0", socket_timeout_seconds=0.5)
    with pytest.raises(ReplayCacheUnavailable):
        cache.first_use("x", 60)


def test_wrong_password_is_unavailable_and_not_leaked() -> None:
    with RedisTestServer(password="right-password") as server:
        good = RedisReplayCache(server.url)
        assert good.first_use("k", 60)
        bad_url = server.url.replace("right-password", "wrong-password")
        bad = RedisReplayCache(bad_url)
        with pytest.raises(ReplayCacheUnavailable) as info:
            bad.first_use("k2", 60)
        assert "wrong-password" not in str(info.value)
        assert "wrong-password" not in repr(bad)
        assert "right-password" not in repr(good)


def test_missing_redis_binary_is_a_clear_failure() -> None:
    with pytest.raises(RedisServerError, match="apt-get install -y redis-server"):
        RedisTestServer(binary="redis-server-does-not-exist").start()
