from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.unit.security.jwks_server import JwksServer, TlsMaterial, make_tls_material

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SANDBOX_JWKS = FIXTURES / "cds-hooks" / "cds-hooks-sandbox" / "jwks.json"


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsMaterial:
    return make_tls_material(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_session(tls: TlsMaterial) -> Iterator[requests.Session]:
    session = tls.session()
    yield session
    session.close()


@pytest.fixture
def jwks_server(tls: TlsMaterial) -> Iterator[JwksServer]:
    server = JwksServer(tls)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def other_jwks_server(tls: TlsMaterial) -> Iterator[JwksServer]:
    """A second server: an attacker's jku or a redirect target."""
    server = JwksServer(tls)
    server.start()
    yield server
    server.stop()
