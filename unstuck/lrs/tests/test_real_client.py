"""The LRS driven by a real xAPI client library nobody here wrote: npm's @xapi/xapi.

tests/xapi_client/ holds package.json and its lockfile; `npm ci` installs it on first use.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CLIENT_DIR = Path(__file__).resolve().parents[3] / "tests" / "xapi_client"


def _ensure_client() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the real-client test")
    if not (CLIENT_DIR / "node_modules" / "@xapi" / "xapi").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=CLIENT_DIR,
            check=True,
            timeout=300,
        )


@pytest.mark.django_db(transaction=True)
def test_the_xapi_npm_client_sends_pages_voids_and_keeps_state(live_server):
    _ensure_client()
    from unstuck.accounts.services import create_api_key, create_workspace

    ws = create_workspace(name="Client", slug="client")
    key, secret = create_api_key(workspace=ws, name="node client", scopes=["all"])
    env = {
        **os.environ,
        "XAPI_ENDPOINT": f"{live_server.url}/xapi/",
        "XAPI_KEY": key.key_id,
        "XAPI_SECRET": secret,
    }
    done = subprocess.run(
        ["node", "client.cjs"], cwd=CLIENT_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert "1.0.3" in out["about"]
    assert len(out["sent"]) == 5 and len(out["single"]) == 1
    # 5 "experienced" statements, 2 per page, newest first, every one exactly once.
    assert out["pages"] == 3
    assert out["paged"] == list(reversed(out["sent"]))
    assert out["byRegistration"] == 2
    assert out["byAgent"] == 6
    assert out["byActivity"] == [out["sent"][3]]
    assert out["singleScore"] == 0.9
    assert out["versionHeader"] == "1.0.3" and out["consistentThrough"]
    assert out["voidedFound"] == out["sent"][4] and out["voidedHidden"] is True
    assert out["state"] == {"slide": 4, "score": 7}
    assert out["stateIds"] == ["bookmark"]  # "suspend" has a registration: another set
    assert out["stateIdsAfterDelete"] == []
    assert out["profile"] == {"v": 2}
    assert out["activity"] == "http://example.com/node/1"
    assert out["person"]["objectType"] == "Person"
    assert out["person"]["mbox"] == ["mailto:node@example.com"]
