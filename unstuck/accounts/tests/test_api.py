import pytest

pytestmark = pytest.mark.django_db


def test_alice_reads_her_workspace(api_alice):
    resp = api_alice.get("/workspace")
    assert resp.status_code == 200
    assert resp.json()["slug"] == "ws-a"
    assert resp.json()["daily_budget_s"] == 240


def test_an_anonymous_request_is_refused_with_the_error_shape(client, ws_a):
    resp = client.get("/api/v1/workspace")
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "not_authenticated"


def test_bob_cannot_change_the_workspace(api_bob):
    resp = api_bob.patch("/workspace", {"daily_budget_s": 600})
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "forbidden"


def test_a_budget_out_of_range_is_rejected_and_nothing_changes(api_alice, ws_a):
    resp = api_alice.patch("/workspace", {"daily_budget_s": -5})
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "daily_budget_s"
    ws_a.refresh_from_db()
    assert ws_a.daily_budget_s == 240


def test_an_unknown_field_is_named_in_the_error(api_alice):
    resp = api_alice.patch("/workspace", {"budget": 5})
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "budget"


def test_carol_cannot_name_workspace_a(carol, login_client):
    resp = login_client(carol, "ws-a").get("/workspace")
    assert resp.status_code == 404


def test_people_are_scoped_to_the_workspace(api_alice, api_carol):
    created = api_alice.post("/people", {"external_id": "crm-42", "name": "Dana", "team": "Sales"})
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    assert api_carol.get(f"/people/{pid}").status_code == 404
    assert api_carol.patch(f"/people/{pid}", {"name": "X"}).status_code == 404
    ids = [p["external_id"] for p in api_carol.get("/people").json()["results"]]
    assert "crm-42" not in ids


def test_a_duplicate_person_is_a_conflict(api_alice):
    assert api_alice.post("/people", {"external_id": "p1"}).status_code == 201
    resp = api_alice.post("/people", {"external_id": "p1"})
    assert resp.status_code == 409
    assert resp.json()["error"]["field"] == "external_id"


def test_people_list_pages_with_a_cursor(api_alice):
    for i in range(7):
        api_alice.post("/people", {"external_id": f"p{i}"})
    page = api_alice.get("/people", {"page_size": 3}).json()
    assert len(page["results"]) == 3 and page["next"]
    seen = {p["external_id"] for p in page["results"]}
    nxt = api_alice.client.get(page["next"], **api_alice.headers).json()
    seen |= {p["external_id"] for p in nxt["results"]}
    assert len(seen) == 6


def test_api_keys_show_the_secret_once_and_authenticate(api_alice, ws_a):
    from unstuck.accounts.models import ApiKey

    resp = api_alice.post("/api-keys", {"name": "CRM sync", "scopes": ["read"]})
    assert resp.status_code == 201
    body = resp.json()
    assert body["secret"]
    stored = ApiKey.objects.get(key_id=body["key_id"])
    assert body["secret"] not in stored.secret_hash
    listed = api_alice.get("/api-keys").json()["results"]
    assert all("secret" not in k for k in listed)
    from django.test import Client

    ok = Client().get(
        "/api/v1/workspace", HTTP_AUTHORIZATION=f"Bearer {body['key_id']}:{body['secret']}"
    )
    assert ok.status_code == 200
    api_alice.delete(f"/api-keys/{body['id']}")
    revoked = Client().get(
        "/api/v1/workspace", HTTP_AUTHORIZATION=f"Bearer {body['key_id']}:{body['secret']}"
    )
    assert revoked.status_code == 401


def test_an_unknown_scope_is_rejected(api_alice):
    resp = api_alice.post("/api-keys", {"name": "x", "scopes": ["read", "godmode"]})
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "scopes.1"


def test_a_read_key_cannot_write(ws_a, key_client):
    client = key_client(ws_a, ["read"])
    assert client.get("/people").status_code == 200
    assert client.post("/people", {"external_id": "x"}).status_code == 403


def test_a_key_of_workspace_b_sees_only_b(ws_a, ws_b, key_client, api_alice):
    api_alice.post("/people", {"external_id": "only-in-a"})
    client = key_client(ws_b, ["admin"])
    assert client.get("/workspace").json()["slug"] == "ws-b"
    assert client.get("/people").json()["results"] == []


def test_host_apps_keep_their_secret_out_of_listings(api_alice, api_bob, api_carol):
    resp = api_alice.post(
        "/host-apps",
        {"name": "Acme CRM", "slug": "crm", "allowed_origins": ["https://crm.example.com"]},
    )
    assert resp.status_code == 201
    assert resp.json()["signing_secret"]
    app_id = resp.json()["id"]
    assert "signing_secret" not in api_alice.get(f"/host-apps/{app_id}").json()
    assert api_bob.get(f"/host-apps/{app_id}").status_code == 403
    assert api_carol.get(f"/host-apps/{app_id}").status_code == 404


def test_a_bad_origin_is_named(api_alice):
    resp = api_alice.post(
        "/host-apps", {"name": "x", "slug": "x", "allowed_origins": ["crm.example.com/path"]}
    )
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == "allowed_origins.0"


def test_members_can_be_invited_and_the_last_owner_stays(api_alice, ws_a):
    resp = api_alice.post(
        "/memberships",
        {"email": "dave@example.com", "role": "author", "password": "another-long-pass"},
    )
    assert resp.status_code == 201, resp.content
    owners = [m for m in api_alice.get("/memberships").json()["results"] if m["role"] == "owner"]
    resp = api_alice.patch(f"/memberships/{owners[0]['id']}", {"role": "learner"})
    assert resp.status_code == 409


def test_bob_cannot_invite(api_bob):
    resp = api_bob.post(
        "/memberships", {"email": "eve@example.com", "role": "owner", "password": "x" * 12}
    )
    assert resp.status_code == 403
