"""An xAPI client for the tests: HTTP Basic with a workspace key and the version header."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client


class XapiClient:
    def __init__(self, key_id: str, secret: str, version: str = "1.0.3"):
        self.client = Client()
        self.key_id = key_id
        token = base64.b64encode(f"{key_id}:{secret}".encode()).decode()
        self.auth = f"Basic {token}"
        self.version = version

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"HTTP_AUTHORIZATION": self.auth}
        if self.version:
            h["HTTP_X_EXPERIENCE_API_VERSION"] = self.version
        for name, value in (extra or {}).items():
            h["HTTP_" + name.upper().replace("-", "_")] = value
        return h

    @staticmethod
    def url(path: str, params: dict[str, Any] | None = None) -> str:
        from urllib.parse import urlencode

        url = path if path.startswith("/") else f"/xapi/{path}"
        if params:
            url += "?" + urlencode(
                {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
            )
        return url

    def get(
        self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ):
        return self.client.get(self.url(path, params), **self.headers(headers))

    def head(
        self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ):
        return self.client.head(self.url(path, params), **self.headers(headers))

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ):
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        fn = getattr(self.client, method.lower())
        return fn(
            self.url(path, params), data=data, content_type=content_type, **self.headers(headers)
        )

    def post(self, path, body=None, **kw):
        return self.send("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.send("PUT", path, body, **kw)

    def delete(self, path, params=None, headers=None):
        return self.client.delete(self.url(path, params), **self.headers(headers))


@pytest.fixture
def xapi_client():
    """xapi_client(workspace, scopes=("all",), version="1.0.3") -> XapiClient."""
    from unstuck.accounts.services import create_api_key

    def make(workspace, scopes=("all",), version="1.0.3") -> XapiClient:
        api_key, secret = create_api_key(workspace=workspace, name="xapi test", scopes=list(scopes))
        return XapiClient(api_key.key_id, secret, version)

    return make


@pytest.fixture
def lrs_a(ws_a, xapi_client):
    return xapi_client(ws_a)


@pytest.fixture
def lrs_b(ws_b, xapi_client):
    return xapi_client(ws_b)
