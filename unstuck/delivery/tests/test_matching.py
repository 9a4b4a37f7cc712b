from datetime import timedelta

import pytest

from unstuck.accounts.models import Person
from unstuck.delivery import matching
from unstuck.errors import ApiError

from . import factories as f


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        ("*", "/anything/at/all", True),
        ("/contacts", "/contacts", True),
        ("/contacts", "/contacts/", True),
        ("/contacts", "/contacts/12", False),
        ("/contacts/*", "/contacts", True),
        ("/contacts/*", "/contacts/12/calls", True),
        ("/contacts/*", "/contactsx", False),
        ("/opportunities/:id/edit", "/opportunities/42/edit", True),
        ("/opportunities/:id/edit", "/opportunities/42/edit/", True),
        ("/opportunities/:id/edit", "/opportunities//edit", False),
        ("/opportunities/:id/edit", "/opportunities/42/43/edit", False),
        ("/teams/*/members", "/teams/sales/members", True),
        ("/teams/*/members", "/teams/a/b/members", False),
        ("/reports/*-summary", "/reports/q3-summary", True),
        ("/reports/*-summary", "/reports/q3/x-summary", False),
        ("/", "/", True),
        ("/", "/contacts", False),
        ("/a.b", "/aXb", False),
    ],
)
def test_url_patterns_match_paths(pattern, path, expected):
    assert bool(matching.compile_pattern(matching.check_pattern(pattern)).match(path)) is expected


@pytest.mark.parametrize(
    "url, path",
    [
        ("https://crm.example.com/contacts/1?tab=calls#x", "/contacts/1"),
        ("/a?b=c", "/a"),
        ("", "/"),
        ("contacts", "/contacts"),
    ],
)
def test_the_path_of_a_page_url_drops_origin_query_and_fragment(url, path):
    assert matching.path_of(url) == path


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("", "give a path pattern"),
        ("contacts", "starts with /"),
        ("https://x.com/a", "path only"),
        ("/a?b=1", "query"),
        ("/a b", "spaces"),
        ("/a/:id:x", "whole segment"),
        ("/a/**", "single *"),
        ("/:id/:id", "once"),
    ],
)
def test_it_rejects_bad_patterns_naming_the_field(pattern, message):
    with pytest.raises(ApiError) as err:
        matching.check_pattern(pattern)
    assert err.value.field == "url_pattern" and message in err.value.message


@pytest.mark.parametrize(
    "element, field",
    [
        ("stage", "element"),
        ([{"id": "a", "name": "b"}], "element.0"),
        ([{"xpath": "//a"}], "element.0.xpath"),
        ([{"id": "ok"}, {"data": {"value": "x"}}], "element.1.data"),
        ([{"data": {"attr": "Bad Name"}}], "element.0.data.attr"),
        ([{"css": "a { color: red }"}], "element.0.css"),
        ([{"text": ""}], "element.0.text"),
    ],
)
def test_it_rejects_bad_selectors_naming_the_exact_path(element, field):
    with pytest.raises(ApiError) as err:
        matching.check_element(element)
    assert err.value.field == field


def test_selectors_are_normalised():
    assert matching.check_element(
        [{"id": " stage "}, {"data": {"attr": "data-testid", "value": "stage"}}]
    ) == [{"id": "stage"}, {"data": {"attr": "testid", "value": "stage"}}]


def person(**kw):
    return Person(external_id="p", **kw)


@pytest.mark.parametrize(
    "audience, who, expected",
    [
        ({}, person(), True),
        ({"roles": ["rep"]}, person(job_role="rep"), True),
        ({"roles": ["manager"]}, person(job_role="rep"), False),
        ({"teams": ["Sales", "Support"]}, person(team="Support"), True),
        ({"teams": ["Sales"]}, person(team=""), False),
        ({"locales": ["hu"]}, person(locale="hu-HU"), True),
        ({"locales": ["hu"]}, person(locale="en"), False),
        ({"attributes": {"region": ["EU"]}}, person(attributes={"region": "EU"}), True),
        ({"attributes": {"region": ["EU"]}}, person(attributes={"region": "US"}), False),
        ({"attributes": {"region": ["EU"]}}, person(attributes={}), False),
        ({"attributes": {"tags": ["beta"]}}, person(attributes={"tags": ["alpha", "beta"]}), True),
        ({"roles": ["rep"], "teams": ["Sales"]}, person(job_role="rep", team="Support"), False),
    ],
)
def test_audiences_match_people(audience, who, expected):
    assert matching.audience_matches(matching.check_audience(audience), who) is expected


def test_it_rejects_unknown_audience_keys():
    with pytest.raises(ApiError) as err:
        matching.check_audience({"departments": ["x"]})
    assert err.value.field == "audience.departments"


def test_a_remembered_page_match_follows_a_placements_start_and_end_without_a_change(ws_a):
    from django.utils import timezone

    from unstuck.delivery import services
    from unstuck.delivery.identity import person_for_claims

    app = f.host_app(ws_a)
    now = timezone.now()
    window = f.placement(
        ws_a,
        app,
        f.unit(ws_a, "launch"),
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    person = person_for_claims(app, {"sub": "rep-1", "team": "Sales"})
    ws_a.refresh_from_db()

    def ids(at):
        found = services.placements_for_page(
            workspace=ws_a, host_app=app, person=person, url="/opportunities/1/edit", now=at
        )
        return [p["id"] for p in found]

    assert ids(now) == []
    assert ids(now + timedelta(minutes=61)) == [str(window.id)]
    assert ids(now + timedelta(minutes=121)) == []
