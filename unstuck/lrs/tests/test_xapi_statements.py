import hashlib
import json
import uuid

import pytest

from unstuck.lrs.models import Statement

VERB = "http://adlnet.gov/expapi/verbs/experienced"


def stmt(**extra):
    s = {
        "actor": {"mbox": "mailto:learner@example.com", "name": "Learner"},
        "verb": {"id": VERB, "display": {"en-US": "experienced", "de-DE": "erlebte"}},
        "object": {
            "id": "http://example.com/course/1",
            "definition": {"name": {"en-US": "Course", "de-DE": "Kurs"}},
        },
    }
    s.update(extra)
    return s


def test_about_needs_no_credentials_and_lists_both_versions(client):
    r = client.get("/xapi/about")
    assert r.status_code == 200
    assert r.json()["version"] == ["1.0.3", "2.0.0"]
    assert r["X-Experience-API-Version"]
    assert r["X-Experience-API-Consistent-Through"]
    assert (
        client.get("/xapi/about", HTTP_X_EXPERIENCE_API_VERSION="2.0.0")["X-Experience-API-Version"]
        == "2.0.0"
    )


def test_it_posts_and_reads_back_a_statement(lrs_a):
    r = lrs_a.post("statements", stmt())
    assert r.status_code == 200, r.content
    [sid] = r.json()
    r = lrs_a.get("statements", {"statementId": sid})
    assert r.status_code == 200
    body = r.json()
    assert (
        body["id"] == sid
        and body["stored"]
        and body["authority"]["account"]["name"] == lrs_a.key_id
    )
    assert body["version"] == "1.0.0"
    assert r["X-Experience-API-Version"] == "1.0.3"
    assert r["Last-Modified"]


def test_it_answers_a_2_0_request_as_2_0(ws_a, xapi_client):
    lrs = xapi_client(ws_a, version="2.0.0")
    r = lrs.post(
        "statements",
        stmt(
            context={
                "contextAgents": [
                    {"objectType": "contextAgent", "agent": {"mbox": "mailto:coach@example.com"}}
                ]
            }
        ),
    )
    assert r.status_code == 200, r.content
    assert r["X-Experience-API-Version"] == "2.0.0"
    assert lrs.get("statements", {"statementId": r.json()[0]}).json()["version"] == "2.0.0"


def test_1_0_3_rejects_2_0_only_properties(lrs_a):
    r = lrs_a.post("statements", stmt(context={"contextAgents": []}))
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "context.contextAgents"
    r = lrs_a.post("statements", stmt(version="2.0.0"))
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "version"


def test_it_requires_the_version_header_and_credentials(ws_a, xapi_client, client):
    lrs = xapi_client(ws_a, version="")
    assert lrs.post("statements", stmt()).status_code == 400
    r = client.post(
        "/xapi/statements",
        json.dumps(stmt()),
        content_type="application/json",
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
    )
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Basic")
    lrs.auth = lrs.auth[:-4] + "AAAA"
    lrs.version = "1.0.3"
    assert lrs.post("statements", stmt()).status_code == 401


def test_invalid_statements_are_400_and_a_batch_is_all_or_nothing(lrs_a):
    r = lrs_a.post("statements", [stmt(), stmt(actor={"mbox": "learner@example.com"})])
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "1.actor.mbox"
    assert Statement.objects.count() == 0
    assert (
        lrs_a.post(
            "statements",
            b"{not json",
        ).status_code
        == 400
    )


def test_put_stores_with_the_given_id_and_is_idempotent_but_conflicting_content_is_409(lrs_a):
    sid = str(uuid.uuid4())
    assert lrs_a.put("statements", stmt(), params={"statementId": sid}).status_code == 204
    assert lrs_a.put("statements", stmt(), params={"statementId": sid}).status_code == 204
    r = lrs_a.put(
        "statements", stmt(object={"id": "http://example.com/other"}), params={"statementId": sid}
    )
    assert r.status_code == 409
    assert lrs_a.put("statements", stmt()).status_code == 400  # no statementId
    assert (
        lrs_a.put("statements", stmt(id=str(uuid.uuid4())), params={"statementId": sid}).status_code
        == 400
    )


def test_voided_statements_are_only_found_by_voided_statement_id(lrs_a):
    [sid] = lrs_a.post("statements", stmt()).json()
    voiding = stmt(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": sid},
    )
    [vid] = lrs_a.post("statements", voiding).json()
    assert lrs_a.get("statements", {"statementId": sid}).status_code == 404
    assert lrs_a.get("statements", {"voidedStatementId": sid}).json()["id"] == sid
    ids = [s["id"] for s in lrs_a.get("statements").json()["statements"]]
    assert ids == [vid]
    again = stmt(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": vid},
    )
    assert lrs_a.post("statements", again).status_code == 400


def test_filters_and_more_paging(lrs_a):
    reg = str(uuid.uuid4())
    batch = []
    for i in range(7):
        s = stmt(object={"id": f"http://example.com/a/{i % 2}"})
        if i < 3:
            s["context"] = {
                "registration": reg,
                "contextActivities": {"parent": [{"id": "http://example.com/parent"}]},
            }
        if i == 6:
            s["actor"] = {"account": {"homePage": "http://lms.example.com", "name": "u6"}}
        batch.append(s)
    ids = lrs_a.post("statements", batch).json()
    assert lrs_a.get("statements", {"registration": reg}).json()["statements"].__len__() == 3
    assert (
        len(lrs_a.get("statements", {"activity": "http://example.com/parent"}).json()["statements"])
        == 0
    )
    related = lrs_a.get(
        "statements", {"activity": "http://example.com/parent", "related_activities": "true"}
    )
    assert len(related.json()["statements"]) == 3
    by_agent = lrs_a.get(
        "statements", {"agent": {"account": {"homePage": "http://lms.example.com", "name": "u6"}}}
    )
    assert [s["id"] for s in by_agent.json()["statements"]] == [ids[6]]
    assert (
        len(
            lrs_a.get("statements", {"verb": VERB, "activity": "http://example.com/a/0"}).json()[
                "statements"
            ]
        )
        == 4
    )
    # Paging: 3 + 3 + 1, every id once, in ascending order when asked.
    seen = []
    r = lrs_a.get("statements", {"limit": 3, "ascending": "true"})
    while True:
        body = r.json()
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        r = lrs_a.get(body["more"])
        assert r.status_code == 200
    assert seen == ids
    # related_agents walks the agent's relation rows in stored order, across pages too.
    seen = []
    r = lrs_a.get(
        "statements",
        {"agent": {"mbox": "mailto:learner@example.com"}, "related_agents": "true", "limit": 4},
    )
    while True:
        body = r.json()
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        r = lrs_a.get(body["more"])
    assert seen == list(reversed(ids[:6]))


def test_formats_ids_and_canonical(lrs_a):
    [sid] = lrs_a.post("statements", stmt()).json()
    ids = lrs_a.get("statements", {"statementId": sid, "format": "ids"}).json()
    assert ids["verb"] == {"id": VERB}
    assert "definition" not in ids["object"]
    assert "name" not in ids["actor"]
    canonical = lrs_a.get(
        "statements",
        {"statementId": sid, "format": "canonical"},
        headers={"Accept-Language": "de-DE"},
    ).json()
    assert canonical["verb"]["display"] == {"de-DE": "erlebte"}
    assert canonical["object"]["definition"]["name"] == {"de-DE": "Kurs"}
    assert lrs_a.get("statements", {"format": "pretty"}).status_code == 400


def test_unknown_parameters_are_rejected(lrs_a):
    r = lrs_a.get("statements", {"colour": "red"})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "colour"


def _multipart(parts, boundary="abc123XYZ"):
    body = b""
    for headers, content in parts:
        body += f"--{boundary}\r\n".encode()
        body += (
            "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()
            + b"\r\n"
            + content
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f'multipart/mixed; boundary="{boundary}"'


def test_attachments_are_stored_checked_and_returned(lrs_a):
    content = b"certificate of completion"
    sha2 = hashlib.sha256(content).hexdigest()
    s = stmt(
        attachments=[
            {
                "usageType": "http://id.tincanapi.com/attachment/certificate",
                "display": {"en-US": "Certificate"},
                "contentType": "text/plain",
                "length": len(content),
                "sha2": sha2,
            }
        ]
    )
    body, ctype = _multipart(
        [
            ({"Content-Type": "application/json"}, json.dumps(s).encode()),
            (
                {
                    "Content-Type": "text/plain",
                    "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": sha2,
                },
                content,
            ),
        ]
    )
    r = lrs_a.post("statements", body, content_type=ctype)
    assert r.status_code == 200, r.content
    [sid] = r.json()
    got = lrs_a.get("statements", {"statementId": sid, "attachments": "true"})
    assert got["Content-Type"].startswith("multipart/mixed")
    assert content in got.content and sha2.encode() in got.content
    # The part's content does not match its hash: 400, nothing stored.
    bad, ctype = _multipart(
        [
            (
                {"Content-Type": "application/json"},
                json.dumps(stmt(attachments=s["attachments"])).encode(),
            ),
            (
                {
                    "Content-Type": "text/plain",
                    "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": sha2,
                },
                b"tampered",
            ),
        ]
    )
    assert lrs_a.post("statements", bad, content_type=ctype).status_code == 400
    # Declared but not sent (and no fileUrl): 400.
    assert lrs_a.post("statements", stmt(attachments=s["attachments"])).status_code == 400
    assert Statement.objects.count() == 1


def test_signed_statements_are_verified(lrs_a):
    jwt = pytest.importorskip("jwt")
    import base64
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
    original = stmt(id=str(uuid.uuid4()))

    def send(payload):
        token = jwt.encode(payload, key, algorithm="RS256", headers={"x5c": x5c}).encode()
        sha2 = hashlib.sha256(token).hexdigest()
        signed = dict(
            original,
            attachments=[
                {
                    "usageType": "http://adlnet.gov/expapi/attachments/signature",
                    "display": {"en-US": "Signature"},
                    "contentType": "application/octet-stream",
                    "length": len(token),
                    "sha2": sha2,
                }
            ],
        )
        body, ctype = _multipart(
            [
                ({"Content-Type": "application/json"}, json.dumps(signed).encode()),
                (
                    {
                        "Content-Type": "application/octet-stream",
                        "Content-Transfer-Encoding": "binary",
                        "X-Experience-API-Hash": sha2,
                    },
                    token,
                ),
            ]
        )
        return lrs_a.post("statements", body, content_type=ctype)

    tampered = dict(original, verb={"id": "http://adlnet.gov/expapi/verbs/passed"})
    r = send(tampered)
    assert r.status_code == 400
    assert "differs" in r.json()["error"]["message"]
    assert send(original).status_code == 200


def test_alternate_request_syntax_posts_a_statement_and_reads_state(lrs_a):
    from urllib.parse import urlencode

    sid = str(uuid.uuid4())
    form = urlencode(
        {
            "Authorization": lrs_a.auth,
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
            "statementId": sid,
            "content": json.dumps(stmt()),
        }
    )
    r = lrs_a.client.post(
        "/xapi/statements?method=PUT", form, content_type="application/x-www-form-urlencoded"
    )
    assert r.status_code == 204, r.content
    assert Statement.objects.filter(statement_id=sid).exists()
    # Storyline-style: text/plain body, form-encoded.
    agent = json.dumps({"mbox": "mailto:learner@example.com"})
    form = urlencode(
        {
            "Authorization": lrs_a.auth,
            "X-Experience-API-Version": "1.0.2",
            "activityId": "http://example.com/course/1",
            "agent": agent,
            "stateId": "resume",
            "Content-Type": "application/octet-stream",
            "content": "slide=7",
        }
    )
    assert (
        lrs_a.client.post(
            "/xapi/activities/state?method=PUT", form, content_type="text/plain"
        ).status_code
        == 204
    )
    form = urlencode(
        {
            "Authorization": lrs_a.auth,
            "X-Experience-API-Version": "1.0.3",
            "activityId": "http://example.com/course/1",
            "agent": agent,
            "stateId": "resume",
        }
    )
    r = lrs_a.client.post(
        "/xapi/activities/state?method=GET", form, content_type="application/x-www-form-urlencoded"
    )
    assert r.status_code == 200 and r.content == b"slide=7"
    # Other query parameters next to method are not allowed.
    r = lrs_a.client.post(
        "/xapi/statements?method=GET&limit=1",
        form,
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 400


def test_cors_preflight_is_answered(client):
    r = client.options(
        "/xapi/statements",
        HTTP_ORIGIN="https://content.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert r.status_code == 204
    assert r["Access-Control-Allow-Origin"] == "*"
    assert "X-Experience-API-Version" in r["Access-Control-Allow-Headers"]


def test_scopes_limit_what_a_key_may_do(ws_a, xapi_client):
    writer = xapi_client(ws_a, scopes=("statements/write",))
    reader = xapi_client(ws_a, scopes=("statements/read",))
    mine = xapi_client(ws_a, scopes=("statements/write", "statements/read/mine"))
    rest_only = xapi_client(ws_a, scopes=("read",))
    [sid] = writer.post("statements", stmt()).json()
    assert writer.get("statements", {"statementId": sid}).status_code == 403
    assert reader.post("statements", stmt()).status_code == 403
    assert reader.get("statements", {"statementId": sid}).status_code == 200
    [own] = mine.post("statements", stmt()).json()
    assert [s["id"] for s in mine.get("statements").json()["statements"]] == [own]
    assert mine.get("statements", {"statementId": sid}).status_code == 404
    assert rest_only.get("statements").status_code == 403


def test_workspace_b_cannot_read_or_void_workspace_a_statements(lrs_a, lrs_b):
    [sid] = lrs_a.post("statements", stmt()).json()
    assert lrs_b.get("statements", {"statementId": sid}).status_code == 404
    assert lrs_b.get("statements").json()["statements"] == []
    voiding = stmt(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": sid},
    )
    assert lrs_b.post("statements", voiding).status_code == 200
    assert lrs_a.get("statements", {"statementId": sid}).status_code == 200
    more = lrs_a.get("statements", {"limit": 1})
    lrs_a.post("statements", stmt())
    more = lrs_a.get("statements", {"limit": 1}).json()["more"]
    assert lrs_b.get(more).status_code == 400


def test_a_body_over_the_limit_is_413(lrs_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = lrs_a.post("statements", [stmt() for _ in range(20)])
    assert r.status_code == 413
    assert r["X-Experience-API-Version"] == "1.0.3"
    assert Statement.objects.count() == 0


def test_since_and_until_select_by_stored_and_head_has_no_body(lrs_a):
    first = lrs_a.post("statements", stmt()).json()[0]
    stored = lrs_a.get("statements", {"statementId": first}).json()["stored"]
    second = lrs_a.post("statements", stmt()).json()[0]
    after = lrs_a.get("statements", {"since": stored}).json()["statements"]
    assert [s["id"] for s in after] == [second]
    upto = lrs_a.get("statements", {"until": stored}).json()["statements"]
    assert [s["id"] for s in upto] == [first]
    assert lrs_a.get("statements", {"since": "yesterday"}).status_code == 400
    head = lrs_a.head("statements", {"statementId": first})
    assert head.status_code == 200 and head.content == b""
    assert head["X-Experience-API-Version"] == "1.0.3"


def test_the_agent_filter_matches_actor_or_object_and_related_agents_matches_anywhere(lrs_a):
    coach = {"mbox": "mailto:coach@example.com"}
    as_actor = lrs_a.post("statements", stmt(actor=coach)).json()[0]
    as_object = lrs_a.post("statements", stmt(object=dict(coach, objectType="Agent"))).json()[0]
    as_instructor = lrs_a.post("statements", stmt(context={"instructor": coach})).json()[0]
    lrs_a.post("statements", stmt())
    direct = lrs_a.get("statements", {"agent": coach}).json()["statements"]
    assert [s["id"] for s in direct] == [as_object, as_actor]
    related = lrs_a.get("statements", {"agent": coach, "related_agents": "true"}).json()[
        "statements"
    ]
    assert [s["id"] for s in related] == [as_instructor, as_object, as_actor]


@pytest.mark.parametrize("path", ["/xapi/", "/xapi"])
def test_the_endpoint_itself_names_its_resources_with_the_xapi_headers(client, path):
    r = client.get(path, HTTP_X_EXPERIENCE_API_VERSION="2.0.0")
    assert r.status_code == 200
    body = r.json()
    assert body["endpoint"] == "http://testserver/xapi/"
    assert body["version"] == ["1.0.3", "2.0.0"]
    assert body["resources"]["statements"] == "http://testserver/xapi/statements"
    assert body["resources"]["state"] == "http://testserver/xapi/activities/state"
    assert r["X-Experience-API-Version"] == "2.0.0"
    assert r["X-Experience-API-Consistent-Through"]
    assert r["Access-Control-Allow-Origin"]
    assert client.post(path).status_code == 405
    assert client.get("/xapi/nothing-here").status_code == 404
