"""`unstuck lint`, `unstuck export` and `unstuck import`, driven through call_command."""

import io
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from unstuck.accounts.models import Workspace
from unstuck.content import services
from unstuck.content.models import Unit

from .factories import make_unit

pytestmark = pytest.mark.django_db


def long_payload():
    return {"steps": [{"title": f"Step {i}", "body": " ".join(["word"] * 150)} for i in range(10)]}


# --- lint ---------------------------------------------------------------------------


def test_lint_exits_zero_when_there_are_only_warnings(ws_a):
    make_unit(ws_a, summary="")
    out = io.StringIO()
    call_command("lint", "ws-a", stdout=out)
    assert "warning: missing_summary [summary]" in out.getvalue()
    assert "1 units checked: 0 errors, 1 warnings." in out.getvalue()


def test_lint_exits_one_when_a_unit_is_too_long(ws_a):
    make_unit(ws_a, slug="long", payload=long_payload())
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("lint", "ws-a", stdout=out)
    assert exited.value.code == 1
    assert "error: too_long [duration_s]" in out.getvalue() and "Split into" in out.getvalue()


def test_lint_stale_lists_only_units_whose_review_is_due(ws_a):
    old = make_unit(ws_a, slug="old", summary="")
    make_unit(ws_a, slug="fresh")
    Unit.objects.filter(pk=old.pk).update(review_due_at=timezone.now() - timedelta(days=3))
    out = io.StringIO()
    call_command("lint", "ws-a", "--stale", stdout=out)
    assert "old (guide, draft)" in out.getvalue() and "fresh" not in out.getvalue()
    assert "missing_summary" not in out.getvalue()


def test_lint_of_an_unknown_workspace_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No workspace with slug 'nope'"):
        call_command("lint", "nope")


# --- export and import ----------------------------------------------------------------


@pytest.fixture
def populated(ws_a, ws_b, alice, bob, carol):
    from unstuck.accounts import services as accounts

    accounts.create_api_key(workspace=ws_a, name="sync", scopes=["read"], created_by=alice)
    accounts.create_host_app(
        workspace=ws_a, name="Acme CRM", slug="crm", allowed_origins=["https://crm.test"]
    )
    accounts.create_person(workspace=ws_a, external_id="crm-7", name="Dana", team="Sales")
    parent = services.create_skill(workspace=ws_a, slug="crm", name="CRM")
    services.create_skill(workspace=ws_a, slug="crm-calls", name="Calls", parent="crm")
    unit = make_unit(ws_a, skills=["crm-calls", parent.slug], owner=alice)
    services.publish_unit(unit=unit, user=alice)
    services.update_unit(unit=unit, changes={"title": "Log a call, v2"})
    services.publish_unit(unit=unit, user=alice)
    translation = make_unit(ws_a, slug="log-a-call-hu", locale="hu", translation_of=unit)
    quiz = make_unit(ws_a, "quiz", slug="calls-quiz")
    services.create_collection(
        workspace=ws_a, slug="course", title="Course", units=[quiz.pk, translation.pk]
    )
    make_unit(ws_b, slug="carols-unit")
    from unstuck.lrs import profile
    from unstuck.lrs.services import record_statements

    person = ws_a.people.get(external_id="crm-7")
    record_statements(
        workspace=ws_a,
        statements=[
            profile.statement(
                actor=profile.actor_for_person(person),
                verb=profile.VERB_EXPERIENCED,
                object_id=profile.unit_activity_id(unit.pk),
            )
        ],
    )
    return ws_a


def export_text(slug="ws-a"):
    out = io.StringIO()
    call_command("export_workspace", slug, stdout=out)
    return out.getvalue()


def rows(text):
    lines = text.splitlines()
    return [json.loads(line) for line in lines[1:]]


def test_an_export_imported_into_an_emptied_database_reproduces_every_row(populated, tmp_path):
    before = export_text()
    by_model = {}
    for row in rows(before):
        by_model.setdefault(row["model"], 0)
        by_model[row["model"]] += 1
    assert by_model["accounts.workspace"] == 1 and by_model["content.unitversion"] == 2
    assert by_model["content.collectionitem"] == 2 and by_model["auth.user"] == 2
    assert "carols-unit" not in before and "carol@example.com" not in before
    # Every other app's rows come along too, whatever they are.
    assert by_model["lrs.statement"] == 1
    exported = set(by_model)

    path = tmp_path / "ws-a.jsonl"
    path.write_text(before)
    User = get_user_model()
    Workspace.objects.filter(slug="ws-a").delete()
    User.objects.filter(username__in=["alice@example.com", "bob@example.com"]).delete()
    for label in exported - {"auth.user"}:
        assert (
            not apps.get_model(label)
            ._base_manager.filter(pk__in=[r["pk"] for r in rows(before) if r["model"] == label])
            .exists()
        ), label

    out = io.StringIO()
    call_command("import_workspace", str(path), stdout=out)
    assert "Imported workspace 'ws-a'" in out.getvalue()
    after = export_text()
    assert rows(after) == rows(before)
    alice = User.objects.get(username="alice@example.com")
    assert alice.check_password("correct-horse-battery")
    assert Workspace.objects.get(slug="ws-b").units.count() == 1


def test_an_export_keeps_times_to_the_microsecond(populated, tmp_path):
    from datetime import UTC, datetime

    from unstuck.lrs.models import Statement

    User = get_user_model()
    # 123 µs past a whole second: Django's JSON encoder wrote it as .000 and the import
    # read back a different time (and every time lost its microseconds).
    joined = datetime(2026, 1, 2, 3, 4, 5, 123, tzinfo=UTC)
    User.objects.filter(username="bob@example.com").update(date_joined=joined)
    stored = Statement.objects.get(workspace=populated).stored
    text = export_text()
    assert '"2026-01-02T03:04:05.000123Z"' in text
    path = tmp_path / "ws-a.jsonl"
    path.write_text(text)
    Workspace.objects.filter(slug="ws-a").delete()
    User.objects.filter(username__in=["alice@example.com", "bob@example.com"]).delete()
    call_command("import_workspace", str(path), stdout=io.StringIO())
    assert User.objects.get(username="bob@example.com").date_joined == joined
    assert Statement.objects.get(workspace__slug="ws-a").stored == stored
    assert rows(export_text()) == rows(text)


def test_import_refuses_a_workspace_that_exists_and_writes_nothing(populated, tmp_path):
    path = tmp_path / "ws-a.jsonl"
    path.write_text(export_text())
    count = Unit.objects.count()
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_workspace", str(path))
    assert Unit.objects.count() == count


def test_a_broken_import_writes_nothing(populated, tmp_path):
    text = export_text()
    Workspace.objects.filter(slug="ws-a").delete()
    lines = text.splitlines()
    lines.insert(len(lines) // 2, "{not json")
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(lines))
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("import_workspace", str(path))
    assert not Workspace.objects.filter(slug="ws-a").exists()
    assert not Unit.objects.filter(slug="log-a-call", workspace__slug="ws-a").exists()


def test_import_refuses_a_file_that_is_not_an_export(db, tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text('{"hello": "world"}\n')
    with pytest.raises(CommandError, match="not an Unstuck workspace export"):
        call_command("import_workspace", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_workspace", str(tmp_path / "missing.jsonl"))


def test_an_existing_login_is_reused_and_left_unchanged(populated, tmp_path):
    path = tmp_path / "ws-a.jsonl"
    path.write_text(export_text())
    User = get_user_model()
    Workspace.objects.filter(slug="ws-a").delete()
    bob = User.objects.get(username="bob@example.com")
    bob.set_password("a-new-password-1")
    bob.save()
    out = io.StringIO()
    call_command("import_workspace", str(path), stdout=out)
    assert "2 logins already existed" in out.getvalue()
    bob.refresh_from_db()
    assert bob.check_password("a-new-password-1")
    assert bob.memberships.get().workspace.slug == "ws-a"


def test_serialised_rows_are_plain_django_rows(populated):
    text = export_text()
    unit_rows = [r for r in rows(text) if r["model"] == "content.unit"]
    assert {r["fields"]["slug"] for r in unit_rows} == {"log-a-call", "log-a-call-hu", "calls-quiz"}
    objs = list(serializers.deserialize("python", unit_rows))
    assert objs[0].object.workspace_id == populated.pk
