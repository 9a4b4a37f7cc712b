"""`unstuck demo`: what it prints, and that running it twice is safe."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.core.management import call_command

from unstuck.accounts.models import ApiKey
from unstuck.content.models import Unit
from unstuck.demo import services
from unstuck.demo.content import all_units

pytestmark = pytest.mark.django_db


def run_demo(**options) -> list[str]:
    out = io.StringIO()
    call_command("demo", no_serve=True, port=8765, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue().splitlines()


def printed(lines: list[str]) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in lines)


@pytest.fixture(scope="module")
def two_runs(django_db_setup, django_db_blocker):
    """The output of two runs in a row (once for the module; the demo is removed afterwards)."""
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from .conftest import FAST_HASHERS

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        services.load_demo_workspace(reset=True)
        yield run_demo(), run_demo()
        services.demo_workspace().delete()
        get_user_model().objects.filter(
            email__in=[e for _, e, _ in services.demo_logins()]
        ).delete()


def test_it_prints_each_entry_point_on_its_own_line_in_a_fixed_order(two_runs):
    first, _ = two_runs
    names = [line.split(": ", 1)[0] for line in first]
    assert names[:2] == ["Web app", "API docs"]
    assert "Sample CRM" in names
    assert names.index("Sample CRM") < names.index("xAPI endpoint") < names.index("xAPI key")
    assert names[-5:] == [
        "Login (owner)",
        "Login (author)",
        "Login (manager)",
        "Login (learner)",
        "Login (learner)",
    ]
    values = printed(first)
    assert values["Web app"] == "http://127.0.0.1:8765/"
    assert values["API docs"] == "http://127.0.0.1:8765/api/v1/docs"
    assert values["Sample CRM"] == "http://127.0.0.1:8765/crm/"
    assert values["xAPI endpoint"] == "http://127.0.0.1:8765/xapi/"
    assert values["Login (owner)"] == "olivia@acme.example / stuck-no-more"


def test_every_printed_url_answers(two_runs, client):
    for name, value in printed(two_runs[1]).items():
        if value.startswith("http://"):
            path = re.sub(r"^http://[^/]+", "", value)
            if name == "xAPI endpoint":  # a base URL: xAPI clients append resources to it
                path += "about"
            response = client.get(path)
            assert response.status_code in (200, 302), (name, path, response.status_code)


def test_running_twice_adds_no_content_and_rotates_the_xapi_key(two_runs):
    first, second = printed(two_runs[0]), printed(two_runs[1])
    workspace = services.demo_workspace()
    assert Unit.objects.for_workspace(workspace).count() == len(all_units())
    assert first["xAPI key"] != second["xAPI key"]
    keys = ApiKey.objects.for_workspace(workspace).filter(name=services.DEMO_KEY_NAME)
    assert keys.get(key_id=first["xAPI key"]).revoked_at is not None
    assert keys.get(key_id=second["xAPI key"]).revoked_at is None


def test_the_printed_xapi_key_reads_statements(two_runs, client):
    values = printed(two_runs[1])
    auth = base64.b64encode(f"{values['xAPI key']}:{values['xAPI secret']}".encode()).decode()
    response = client.get(
        "/xapi/statements",
        {"limit": "1"},
        HTTP_AUTHORIZATION=f"Basic {auth}",
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
    )
    assert response.status_code == 200


def test_the_served_origins_are_allowed_for_the_crm(two_runs):
    origins = services.crm_host_app(services.demo_workspace()).allowed_origins
    assert {"http://127.0.0.1:8765", "http://localhost:8765"} <= set(origins)


def test_history_is_simulated_only_once(two_runs):
    from unstuck.lrs.models import Statement

    workspace = services.demo_workspace()
    before = Statement.objects.filter(workspace=workspace).count()
    run_demo()
    assert Statement.objects.filter(workspace=workspace).count() == before


def test_a_failing_simulation_leaves_no_half_history_and_the_demo_still_starts(
    two_runs, monkeypatch
):
    from unstuck.insights import services as insights
    from unstuck.lrs.models import Statement

    workspace = services.demo_workspace()
    Statement.objects.filter(workspace=workspace).delete()

    def half_then_fail(**kwargs):
        from unstuck.lrs.services import record_statements

        record_statements(
            workspace=workspace,
            statements=[
                {
                    "actor": {"mbox": "mailto:a@acme.example"},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                    "object": {"id": "https://acme.example/a"},
                }
            ],
        )
        raise RuntimeError("simulation broke")

    monkeypatch.setattr(insights, "simulate_history", half_then_fail)
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", no_serve=True, port=8765, stdout=out, stderr=err)
    assert "Could not simulate history (RuntimeError: simulation broke)" in err.getvalue()
    assert "Sample CRM: http://127.0.0.1:8765/crm/" in out.getvalue()
    assert not Statement.objects.filter(workspace=workspace).exists()
