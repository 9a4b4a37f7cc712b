import json

ACTIVITY = "http://example.com/course/1"
AGENT = {"mbox": "mailto:learner@example.com"}


def state(**extra):
    params = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "resume"}
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def test_state_is_stored_read_merged_and_deleted(lrs_a):
    r = lrs_a.put("activities/state", {"slide": 3}, params=state())
    assert r.status_code == 204
    r = lrs_a.get("activities/state", state())
    assert r.status_code == 200
    assert r.json() == {"slide": 3}
    assert r["ETag"] and r["Last-Modified"]
    assert lrs_a.post("activities/state", {"score": 10}, params=state()).status_code == 204
    assert lrs_a.get("activities/state", state()).json() == {"slide": 3, "score": 10}
    assert lrs_a.get("activities/state", state(stateId=None)).json() == ["resume"]
    assert lrs_a.delete("activities/state", state()).status_code == 204
    assert lrs_a.get("activities/state", state()).status_code == 404


def test_state_with_a_registration_is_a_separate_document(lrs_a):
    reg = "8f87ccde-bb56-4c2e-ab83-44982ef22df0"
    lrs_a.put("activities/state", {"a": 1}, params=state())
    lrs_a.put("activities/state", {"b": 2}, params=state(registration=reg))
    assert lrs_a.get("activities/state", state(registration=reg)).json() == {"b": 2}
    lrs_a.put("activities/state", {"c": 3}, params=state(stateId="other"))
    # DELETE without stateId removes every state of that activity and agent (no registration).
    assert lrs_a.delete("activities/state", state(stateId=None)).status_code == 204
    assert lrs_a.get("activities/state", state(stateId=None)).json() == []
    assert lrs_a.get("activities/state", state(registration=reg)).status_code == 200


def test_post_merge_needs_json_objects_on_both_sides(lrs_a):
    lrs_a.put("activities/state", b"slide=7", params=state(), content_type="text/plain")
    r = lrs_a.post("activities/state", {"x": 1}, params=state())
    assert r.status_code == 400
    assert lrs_a.get("activities/state", state()).content == b"slide=7"


def test_an_authoring_tool_json_with_a_bom_and_charset_merges(lrs_a):
    body = b"\xef\xbb\xbf" + json.dumps({"bookmark": "s1"}).encode() + b"\x00\r\n"
    lrs_a.put(
        "activities/state", body, params=state(), content_type="application/json; charset=UTF-8"
    )
    assert lrs_a.post("activities/state", {"done": True}, params=state()).status_code == 204
    assert lrs_a.get("activities/state", state()).json() == {"bookmark": "s1", "done": True}


def test_state_put_without_precondition_is_allowed_in_1_0_3_but_409_in_2_0(ws_a, xapi_client):
    v1 = xapi_client(ws_a, scopes=("state",))
    v2 = xapi_client(ws_a, scopes=("state",), version="2.0.0")
    v1.put("activities/state", {"a": 1}, params=state())
    assert v1.put("activities/state", {"a": 2}, params=state()).status_code == 204
    assert v2.put("activities/state", {"a": 3}, params=state()).status_code == 409
    etag = v2.get("activities/state", state())["ETag"]
    assert (
        v2.put("activities/state", {"a": 3}, params=state(), headers={"If-Match": etag}).status_code
        == 204
    )


def test_profile_put_needs_if_match_once_it_exists_and_412_on_a_stale_etag(lrs_a):
    params = {"activityId": ACTIVITY, "profileId": "settings"}
    assert (
        lrs_a.put(
            "activities/profile", {"v": 1}, params=params, headers={"If-None-Match": "*"}
        ).status_code
        == 204
    )
    assert lrs_a.put("activities/profile", {"v": 2}, params=params).status_code == 409
    assert (
        lrs_a.put(
            "activities/profile", {"v": 2}, params=params, headers={"If-None-Match": "*"}
        ).status_code
        == 412
    )
    etag = lrs_a.get("activities/profile", params)["ETag"]
    assert (
        lrs_a.put(
            "activities/profile", {"v": 2}, params=params, headers={"If-Match": etag}
        ).status_code
        == 204
    )
    assert (
        lrs_a.put(
            "activities/profile", {"v": 3}, params=params, headers={"If-Match": etag}
        ).status_code
        == 412
    )
    assert lrs_a.get("activities/profile", params).json() == {"v": 2}
    assert lrs_a.get("activities/profile", {"activityId": ACTIVITY}).json() == ["settings"]


def test_agent_profile_round_trip_and_bad_agent_is_400(lrs_a):
    params = {"agent": AGENT, "profileId": "prefs"}
    assert lrs_a.post("agents/profile", {"lang": "de"}, params=params).status_code == 204
    assert lrs_a.get("agents/profile", params).json() == {"lang": "de"}
    r = lrs_a.get("agents/profile", {"agent": {"mbox": "nope"}, "profileId": "prefs"})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "agent.mbox"


def test_missing_or_bad_parameters_are_400(lrs_a):
    assert lrs_a.get("activities/state", {"agent": AGENT, "stateId": "x"}).status_code == 400
    assert lrs_a.get("activities/state", state(activityId="not an iri")).status_code == 400
    assert lrs_a.get("activities/state", state(registration="nope")).status_code == 400


def test_documents_need_the_right_scope(ws_a, xapi_client):
    statements_only = xapi_client(ws_a, scopes=("statements/write",))
    assert statements_only.put("activities/state", {"a": 1}, params=state()).status_code == 403
    reader = xapi_client(ws_a, scopes=("all/read",))
    assert reader.put("activities/state", {"a": 1}, params=state()).status_code == 403
    assert reader.get("activities/state", state()).status_code == 404


def test_workspace_b_cannot_see_or_change_workspace_a_documents(lrs_a, lrs_b):
    lrs_a.put("activities/state", {"mine": True}, params=state())
    assert lrs_b.get("activities/state", state()).status_code == 404
    assert lrs_b.get("activities/state", state(stateId=None)).json() == []
    assert lrs_b.delete("activities/state", state(stateId=None)).status_code == 204
    assert lrs_a.get("activities/state", state()).json() == {"mine": True}


def test_activities_and_agents_resources(lrs_a, ws_a):
    from unstuck.accounts.services import create_person
    from unstuck.lrs import profile

    lrs_a.post(
        "statements",
        {
            "actor": AGENT,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": ACTIVITY, "definition": {"name": {"en-US": "Course"}}},
        },
    )
    r = lrs_a.get("activities", {"activityId": ACTIVITY})
    assert r.json() == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {"name": {"en-US": "Course"}},
    }
    person = create_person(workspace=ws_a, external_id="p-1", name="Pat", email="pat@example.com")
    r = lrs_a.get("agents", {"agent": profile.actor_for_person(person)})
    body = r.json()
    assert body["objectType"] == "Person"
    assert body["mbox"] == ["mailto:pat@example.com"]
    assert body["name"] == ["Pat"]
    assert lrs_a.get("agents", {"agent": {"mbox": "x"}}).status_code == 400
