import pytest


@pytest.fixture
def crm(ws_a):
    from unstuck.accounts.services import create_host_app

    return create_host_app(workspace=ws_a, name="Acme CRM", slug="crm")


@pytest.fixture
def people(ws_a):
    """Eight people in A: four in Sales, two in Support, two in PM."""
    from unstuck.accounts.services import create_person

    teams = ["Sales"] * 4 + ["Support"] * 2 + ["PM"] * 2
    return [
        create_person(workspace=ws_a, external_id=f"p{i}", name=f"Person {i}", team=t)
        for i, t in enumerate(teams)
    ]


@pytest.fixture
def unit(ws_a):
    from unstuck.content.models import Unit

    return Unit.objects.create(
        workspace=ws_a,
        slug="log-a-call",
        kind="guide",
        title="Log a call in 60 seconds",
        status="published",
        duration_s=120,
    )


@pytest.fixture
def log_call(ws_a, crm):
    from unstuck.insights.services import create_task

    return create_task(workspace=ws_a, host_app="crm", key="log-call", name="Log a call")
