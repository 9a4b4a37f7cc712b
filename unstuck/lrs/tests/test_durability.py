"""An acknowledged statement survives kill -9 of the server at any moment.

Starts the real server (`unstuck serve`, granian) on its own SQLite file, streams
statements at it from a few threads, kills the whole process group with SIGKILL
mid-stream, restarts it and checks that every statement id that was answered with
200 is there. Not a Django test database: the server has its own data directory.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "unstuck"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(env: dict, *args: str) -> str:
    return subprocess.run(
        [str(BIN), *args], env=env, check=True, capture_output=True, text=True, timeout=120
    ).stdout


def _start(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port), "--no-migrate"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/xapi/about")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def _post(port: int, auth: str, statements: list[dict]) -> tuple[int, list[str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST",
        "/xapi/statements",
        json.dumps(statements),
        {
            "Authorization": auth,
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        },
    )
    response = conn.getresponse()
    body = response.read()
    return response.status, (json.loads(body) if response.status == 200 else [])


@pytest.mark.slow
def test_every_acknowledged_statement_survives_kill_9(tmp_path):
    env = {**os.environ, "UNSTUCK_DATA_DIR": str(tmp_path), "UNSTUCK_SQLITE_SYNCHRONOUS": "FULL"}
    env.pop("DATABASE_URL", None)  # this test is about the embedded SQLite default
    # One process for setup: every `unstuck` start costs seconds of imports.
    out = _run(
        env,
        "manage",
        "shell",
        "-c",
        (
            "from django.core.management import call_command\n"
            "call_command('migrate', verbosity=0)\n"
            "from unstuck.accounts.services import create_workspace, create_api_key\n"
            "ws = create_workspace(name='Durable', slug='durable')\n"
            "k, s = create_api_key(workspace=ws, name='durability', scopes=['all'])\n"
            "print('key:', k.key_id, 'secret:', s)\n"
        ),
    )
    key = out.split("key: ")[1].split()[0]
    secret = out.split("secret: ")[1].split()[0]
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    port = _free_port()
    proc = _start(env, port)

    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def stream() -> None:
        while not stop.is_set():
            batch = [
                {
                    "id": str(uuid.uuid4()),
                    "actor": {"mbox": "mailto:durable@example.com"},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                    "object": {"id": f"http://example.com/unit/{i}"},
                }
                for i in range(3)
            ]
            try:
                status, ids = _post(port, auth, batch)
            except OSError:
                return  # the server died mid-request: that batch was never acknowledged
            if status == 200:
                with lock:
                    acknowledged.extend(ids)

    threads = [threading.Thread(target=stream) for _ in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with lock:
            if len(acknowledged) >= 150:
                break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # mid-stream: the threads are still sending
    proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=15)
    assert len(acknowledged) >= 150

    proc = _start(env, port)
    try:
        missing = []
        for sid in acknowledged:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request(
                "GET",
                f"/xapi/statements?statementId={sid}",
                headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"},
            )
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                missing.append(sid)
        assert missing == []
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
