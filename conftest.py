"""Fixtures shared by every app's tests: the three people of every suite.

alice owns workspace A, bob learns in A, carol owns workspace B. Every endpoint has a
test that carol cannot see or change A's data and that bob cannot author.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest
from django.test import Client

PASSWORD = "correct-horse-battery"


class ApiClient:
    """A JSON client for /api/v1/ acting as a login (session) or an API key."""

    def __init__(self, client: Client, *, workspace: str | None = None, auth: str | None = None):
        self.client = client
        self.headers: dict[str, str] = {}
        if workspace:
            self.headers["HTTP_X_UNSTUCK_WORKSPACE"] = workspace
        if auth:
            self.headers["HTTP_AUTHORIZATION"] = auth

    def _url(self, path: str) -> str:
        if path.startswith(("/api/", "/xapi/")):
            return path
        return "/api/v1" + (path if path.startswith("/") else "/" + path)

    def get(self, path: str, params: dict[str, Any] | None = None, **extra):
        return self.client.get(self._url(path), params or {}, **self.headers, **extra)

    def post(self, path: str, data: Any = None, **extra):
        return self.client.post(
            self._url(path),
            json.dumps(data if data is not None else {}),
            content_type="application/json",
            **self.headers,
            **extra,
        )

    def put(self, path: str, data: Any = None, **extra):
        return self.client.put(
            self._url(path),
            json.dumps(data if data is not None else {}),
            content_type="application/json",
            **self.headers,
            **extra,
        )

    def patch(self, path: str, data: Any = None, **extra):
        return self.client.patch(
            self._url(path),
            json.dumps(data if data is not None else {}),
            content_type="application/json",
            **self.headers,
            **extra,
        )

    def delete(self, path: str, **extra):
        return self.client.delete(self._url(path), **self.headers, **extra)


@pytest.fixture
def ws_a(db):
    from unstuck.accounts.services import create_workspace

    return create_workspace(name="Workspace A", slug="ws-a")


@pytest.fixture
def ws_b(db):
    from unstuck.accounts.services import create_workspace

    return create_workspace(name="Workspace B", slug="ws-b")


def _member(workspace, email: str, role: str, team: str = ""):
    from unstuck.accounts.services import add_member, create_user

    user = create_user(email=email, password=PASSWORD, name=email.split("@")[0].title())
    add_member(workspace=workspace, user=user, role=role, team=team)
    return user


@pytest.fixture
def alice(ws_a):
    return _member(ws_a, "alice@example.com", "owner", team="L&D")


@pytest.fixture
def bob(ws_a):
    return _member(ws_a, "bob@example.com", "learner", team="Sales")


@pytest.fixture
def carol(ws_b):
    return _member(ws_b, "carol@example.com", "owner", team="Support")


@pytest.fixture
def login_client():
    """login_client(user, workspace_slug=None) -> ApiClient signed in as that login."""

    def make(user, workspace: str | None = None) -> ApiClient:
        client = Client()
        client.force_login(user)
        return ApiClient(client, workspace=workspace)

    return make


@pytest.fixture
def api_alice(alice, login_client):
    return login_client(alice, "ws-a")


@pytest.fixture
def api_bob(bob, login_client):
    return login_client(bob, "ws-a")


@pytest.fixture
def api_carol(carol, login_client):
    return login_client(carol, "ws-b")


@pytest.fixture
def key_client():
    """key_client(workspace, scopes) -> ApiClient authenticating with a new API key."""
    from unstuck.accounts.services import create_api_key

    def make(workspace, scopes=("admin",)) -> ApiClient:
        api_key, secret = create_api_key(workspace=workspace, name="test", scopes=list(scopes))
        token = base64.b64encode(f"{api_key.key_id}:{secret}".encode()).decode()
        client = ApiClient(Client(), auth=f"Basic {token}")
        client.key_id, client.secret = api_key.key_id, secret  # type: ignore[attr-defined]
        return client

    return make


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"unstuck: database engine {engine}", f"unstuck: CI={os.environ.get('CI', '')}"]
