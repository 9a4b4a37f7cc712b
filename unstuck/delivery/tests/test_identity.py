"""Who may call the widget API: the token verification table."""

import time

import jwt
import pytest

from unstuck.accounts.models import Person
from unstuck.delivery.identity import sign_token

from . import factories as f


@pytest.fixture
def app(ws_a):
    return f.host_app(ws_a)


def context(client, headers, url="/opportunities/1/edit"):
    return client.get("/widget/v1/context", {"url": url}, **headers)


def test_a_valid_token_identifies_the_person_and_upserts_them(client, app, ws_a):
    tok = f.token(
        app, sub="rep-7", name="Rita", team="Sales", role="rep", locale="hu", attrs={"region": "EU"}
    )
    res = context(client, f.widget_headers(app, tok))
    assert res.status_code == 200, res.content
    person = Person.objects.get(workspace=ws_a, external_id="rep-7")
    assert (person.name, person.team, person.job_role, person.locale, person.attributes) == (
        "Rita",
        "Sales",
        "rep",
        "hu",
        {"region": "EU"},
    )
    assert res.json()["strings"]["button"] == "Segítség, elakadtam!"


def now():
    return int(time.time())


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize(
    "make, status, code",
    [
        (lambda app: f.tampered(f.token(app)), 401, "bad_signature"),
        (
            lambda app: sign_token(app, sub="u", now=now() - 7200, expires_in_s=3600),
            401,
            "token_expired",
        ),
        (lambda app: sign_token(app, sub="u", aud="pk_someone_else"), 401, "wrong_audience"),
        (
            lambda app: sign_token(app, sub="u", expires_in_s=3 * 86400),
            401,
            "token_lifetime_too_long",
        ),
        (
            lambda app: jwt.encode(
                {"sub": "u", "aud": app.embed_key, "exp": now() + 60}, app.signing_secret
            ),
            401,
            "missing_claim",
        ),
        (
            lambda app: jwt.encode(
                {"sub": "u", "aud": app.embed_key, "iat": now(), "exp": now() + 60},
                "another-secret-that-is-long-enough-for-hs256",
            ),
            401,
            "bad_signature",
        ),
        (
            lambda app: jwt.encode(
                {"sub": "u", "aud": app.embed_key, "iat": now(), "exp": now() + 60},
                app.signing_secret,
                algorithm="HS512",
            ),
            401,
            "bad_algorithm",
        ),
        (lambda app: sign_token(app, sub="anon:abc"), 401, "token_invalid"),
        (lambda app: "not-a-jwt", 401, "token_invalid"),
    ],
)
def test_it_refuses_bad_tokens_and_says_why(client, app, make, status, code):
    res = context(client, f.widget_headers(app, make(app)))
    assert res.status_code == status
    assert res.json()["error"]["code"] == code
    assert res.json()["error"]["message"]


def test_a_token_within_the_leeway_is_still_accepted(client, app):
    tok = sign_token(app, sub="u", now=now() - 3620, expires_in_s=3600)
    assert context(client, f.widget_headers(app, tok)).status_code == 200


def test_it_refuses_an_unknown_embed_key(client, app):
    headers = f.widget_headers(app, f.token(app))
    headers["HTTP_X_UNSTUCK_APP"] = "pk_nobody"
    res = context(client, headers)
    assert res.status_code == 401 and res.json()["error"]["code"] == "unknown_embed_key"


def test_it_refuses_an_origin_not_on_the_list(client, app):
    res = context(client, f.widget_headers(app, f.token(app), origin="https://evil.example"))
    assert res.status_code == 403 and res.json()["error"]["code"] == "origin_not_allowed"
    assert "https://evil.example" in res.json()["error"]["message"]


def test_the_referer_stands_in_for_a_missing_origin(client, app):
    headers = f.widget_headers(app, f.token(app))
    del headers["HTTP_ORIGIN"]
    headers["HTTP_REFERER"] = "https://crm.example.com/opportunities/1/edit?x=1"
    assert context(client, headers).status_code == 200
    headers["HTTP_REFERER"] = "https://other.example.com/page"
    assert context(client, headers).json()["error"]["code"] == "origin_not_allowed"


def test_a_request_naming_no_origin_is_refused(client, app):
    headers = f.widget_headers(app, f.token(app))
    del headers["HTTP_ORIGIN"]
    assert context(client, headers).json()["error"]["code"] == "origin_missing"


def test_a_missing_token_is_refused_when_anonymous_use_is_off(client, app):
    res = context(client, f.widget_headers(app))
    assert res.status_code == 401 and res.json()["error"]["code"] == "token_missing"
    headers = {**f.widget_headers(app), "HTTP_X_UNSTUCK_ANON": "abcdef123456"}
    res = context(client, headers)
    assert res.status_code == 403 and res.json()["error"]["code"] == "anonymous_not_allowed"


def test_anonymous_use_makes_a_pseudonymous_person_when_allowed(client, ws_a):
    app = f.host_app(ws_a, slug="kb", allow_anonymous=True)
    headers = {**f.widget_headers(app), "HTTP_X_UNSTUCK_ANON": "abcdef123456"}
    assert context(client, headers).status_code == 200
    person = Person.objects.get(workspace=ws_a, external_id="anon:abcdef123456")
    assert person.is_anonymous
    headers["HTTP_X_UNSTUCK_ANON"] = "bad id!"
    assert context(client, headers).json()["error"]["code"] == "anon_id_invalid"


def test_carols_token_cannot_fetch_workspace_a_placements(client, ws_a, ws_b):
    app_a, app_b = f.host_app(ws_a), f.host_app(ws_b)
    f.placement(ws_a, app_a, f.unit(ws_a), url_pattern="*")
    carol_token = f.token(app_b, sub="carol")
    # B's token with A's embed key: signed with the wrong secret and for the wrong audience.
    res = context(client, f.widget_headers(app_a, carol_token))
    assert res.status_code == 401
    # B's token with B's embed key: sees only B's (no) placements.
    res = context(client, f.widget_headers(app_b, carol_token))
    assert res.status_code == 200 and res.json()["placements"] == []
    assert not Person.objects.filter(workspace=ws_a, external_id="carol").exists()


def test_cors_preflight_and_responses_name_the_allowed_origin(client, app):
    res = client.options(
        "/widget/v1/context", HTTP_ORIGIN=f.ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert res.status_code == 204
    assert "X-Unstuck-App" in res["Access-Control-Allow-Headers"]
    res = context(client, f.widget_headers(app, f.token(app)))
    assert res["Access-Control-Allow-Origin"] == f.ORIGIN


def test_a_remembered_token_is_refused_once_it_expires(client, app, monkeypatch):
    from unstuck.delivery import identity

    tok = f.token(app, expires_in_s=600)
    headers = f.widget_headers(app, tok)
    assert client.get("/widget/v1/context", **headers).status_code == 200
    later = time.time() + 600 + identity.LEEWAY_S + 5
    monkeypatch.setattr(identity.time, "time", lambda: later)
    monkeypatch.setattr(jwt.api_jwt, "datetime", _frozen_datetime(later))
    res = client.get("/widget/v1/context", **headers)
    assert res.status_code == 401 and res.json()["error"]["code"] == "token_expired"


def test_a_remembered_token_is_refused_after_the_secret_is_rotated(client, app):
    from unstuck.accounts.models import HostApp

    headers = f.widget_headers(app, f.token(app))
    assert client.get("/widget/v1/context", **headers).status_code == 200
    HostApp.objects.filter(pk=app.pk).update(signing_secret="rotated-" + "x" * 40)
    res = client.get("/widget/v1/context", **headers)
    assert res.status_code == 401 and res.json()["error"]["code"] == "bad_signature"


def _frozen_datetime(at: float):
    import datetime as dt

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.fromtimestamp(at, tz)

    return Frozen
