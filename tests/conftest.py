"""Shared fixtures: real servers on loopback (FHIR, PostgreSQL) and fresh apps per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.fhir_server import FhirTestServer
from tests.support.postgres_server import PostgresTestServer


@pytest.fixture(scope="session")
def fhir_server() -> Iterator[FhirTestServer]:
    server = FhirTestServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresTestServer]:
    server = PostgresTestServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """A fresh app on a temporary SQLite file; keyword arguments override Settings fields.
    Database connections of every app built are closed at the end of the test."""
    from cds_service.app import create_app
    from cds_service.settings import Settings

    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        overrides.setdefault("database_url", f"sqlite:///{tmp_path / 'feedback.sqlite3'}")
        settings = replace(Settings(), **overrides)
        settings.check()
        app = create_app(settings)
        app.config["TESTING"] = True
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["her2cds"].feedback.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium (see tests/support/browser.py); one per test session."""
    from tests.support.browser import chromium

    with chromium() as launched:
        yield launched
