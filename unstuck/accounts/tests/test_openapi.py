"""The OpenAPI document is snapshotted in docs/openapi.json; integrators read it there and
a change of the API shows up in review. `make openapi` rewrites the snapshot."""

import json
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def current_schema() -> dict:
    from unstuck.api import api

    return json.loads(
        json.dumps(api.get_openapi_schema(path_prefix="/api/v1"), sort_keys=True, default=str)
    )


def test_the_openapi_snapshot_is_current():
    saved = json.loads(SNAPSHOT.read_text())
    assert saved == current_schema(), (
        "The API changed: run `make openapi` and commit docs/openapi.json."
    )


def test_the_served_document_is_the_snapshot(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json()["paths"].keys() == json.loads(SNAPSHOT.read_text())["paths"].keys()
