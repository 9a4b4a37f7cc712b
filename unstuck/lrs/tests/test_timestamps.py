"""Timestamps by version: xAPI 2.0 takes RFC 3339 (space separator allowed, seconds and
an offset required) and stores them in UTC; 1.0.3 keeps ISO 8601 as sent."""

import pytest

pytestmark = pytest.mark.django_db

VERB = "http://adlnet.gov/expapi/verbs/experienced"


def stmt(**extra):
    s = {
        "actor": {"mbox": "mailto:learner@example.com"},
        "verb": {"id": VERB},
        "object": {"id": "http://example.com/course/1"},
    }
    s.update(extra)
    return s


@pytest.fixture
def lrs2(ws_a, xapi_client):
    return xapi_client(ws_a, version="2.0.0")


def read(client, sid):
    r = client.get("statements", {"statementId": sid})
    assert r.status_code == 200, r.content
    return r.json()


@pytest.mark.parametrize(
    "sent, kept",
    [
        ("2024-05-01T14:30:00+02:00", "2024-05-01T12:30:00.000Z"),
        ("2024-05-01 14:30:00.5+02:00", "2024-05-01T12:30:00.500Z"),
        ("2024-05-01t12:30:00.123456z", "2024-05-01T12:30:00.123456Z"),
        ("2024-05-01T07:30:00.123456789-05:00", "2024-05-01T12:30:00.123456Z"),
    ],
)
def test_2_0_stores_and_returns_timestamps_in_utc(lrs2, sent, kept):
    r = lrs2.post("statements", stmt(timestamp=sent))
    assert r.status_code == 200, r.content
    assert read(lrs2, r.json()[0])["timestamp"] == kept


def test_2_0_normalises_a_sub_statement_timestamp_too(lrs2):
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:coach@example.com"},
        "verb": {"id": VERB},
        "object": {"id": "http://example.com/course/2"},
        "timestamp": "2024-05-01 10:00:00+01:00",
    }
    [sid] = lrs2.post("statements", stmt(object=sub)).json()
    assert read(lrs2, sid)["object"]["timestamp"] == "2024-05-01T09:00:00.000Z"


@pytest.mark.parametrize(
    "bad",
    [
        "2024-05-01T12:30Z",  # RFC 3339 requires seconds
        "2024-05-01T12:30:00",  # and an offset
        "2024-05-01T12:30:00+0200",  # with a colon
        "2024-05-01T12:30:00-00:00",  # never the unknown offset
        "2024-05-01_12:30:00Z",
    ],
)
def test_2_0_rejects_timestamps_that_are_not_rfc_3339(lrs2, bad):
    r = lrs2.post("statements", stmt(timestamp=bad))
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "timestamp"


def test_2_0_stored_is_utc_rfc_3339_and_since_accepts_a_space(lrs2):
    [sid] = lrs2.post("statements", stmt()).json()
    body = read(lrs2, sid)
    assert body["stored"].endswith("Z") and "T" in body["stored"]
    assert body["timestamp"] == body["stored"]
    found = lrs2.get("statements", {"since": "2000-01-01 00:00:00Z"}).json()["statements"]
    assert [s["id"] for s in found] == [sid]
    assert lrs2.get("statements", {"since": "2000-01-01T00:00Z"}).status_code == 400


def test_1_0_3_keeps_the_timestamp_as_sent_and_takes_iso_8601_without_seconds(lrs_a):
    [sid] = lrs_a.post("statements", stmt(timestamp="2024-05-01T14:30:00+02:00")).json()
    assert read(lrs_a, sid)["timestamp"] == "2024-05-01T14:30:00+02:00"
    assert lrs_a.post("statements", stmt(timestamp="2024-05-01T14:30+02:00")).status_code == 200
    assert lrs_a.post("statements", stmt(timestamp="2024-05-01 14:30:00Z")).status_code == 400


def test_the_same_statement_resent_under_2_0_with_another_form_is_not_a_conflict(lrs_a, lrs2):
    sid = "0b7c4a36-5b51-4d36-8f3d-4a3c2f1e9d01"
    first = lrs_a.put(
        "statements", stmt(timestamp="2024-05-01T14:30:00+02:00"), params={"statementId": sid}
    )
    assert first.status_code == 204
    again = lrs2.put(
        "statements", stmt(timestamp="2024-05-01 12:30:00Z"), params={"statementId": sid}
    )
    assert again.status_code == 204
    moved = lrs2.put(
        "statements", stmt(timestamp="2024-05-01 12:31:00Z"), params={"statementId": sid}
    )
    assert moved.status_code == 409
