"""Acme CRM: the sample host app, served at /crm/ by the same server as Unstuck.

It behaves like a customer's own web application: its own data (demo.models), its own
"login" (a demo user picker kept in a signed cookie), and the Unstuck widget embedded
with one script tag and an identity token its backend signs with PyJWT and the host
app's secret — exactly what docs/integrating.md asks of an integrator. It never calls
Unstuck's Python code for help; if Unstuck is down, the CRM works as before.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from functools import wraps
from typing import Any

import jwt
from django.core.signing import BadSignature
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from unstuck.accounts.models import HostApp, Person, Workspace

from . import services
from .forms import CallForm, OpportunityForm
from .models import (
    CLOSED_STAGES,
    OVERRIDABLE_STAGES,
    Call,
    Contact,
    ForecastCategory,
    Opportunity,
)

COOKIE = "acme_crm_user"
COOKIE_SALT = "acme-crm"
TOKEN_LIFETIME_S = 3600
QUOTA_PER_REP = Decimal("150000")
# The CRM's teams whose people may use it, in the order the picker lists them.
PICKER_TEAMS = ["Sales", "Support", "New hires", "Project management", "L&D"]
MANAGER_ROLES = {"Sales manager"}


def _workspace() -> Workspace:
    workspace = services.demo_workspace()
    if workspace is None:
        raise Http404("The demo workspace is not loaded: run `unstuck demo`.")
    return workspace


def _current_person(request: HttpRequest, workspace: Workspace) -> Person | None:
    try:
        external_id = request.get_signed_cookie(COOKIE, salt=COOKIE_SALT)
    except (KeyError, BadSignature):
        return None
    return Person.objects.for_workspace(workspace).filter(external_id=external_id).first()


def crm_page(view):
    """Resolve the workspace and the CRM user; send people who have not picked one to the picker."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        workspace = _workspace()
        person = _current_person(request, workspace)
        if person is None:
            return HttpResponseRedirect(f"{reverse('demo:who')}?next={request.get_full_path()}")
        request.crm_workspace = workspace  # type: ignore[attr-defined]
        request.crm_person = person  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def identity_token(host_app: HostApp, person: Person, now: int | None = None) -> str:
    """The short-lived HS256 token the widget passes to Unstuck (docs/integrating.md)."""
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": person.external_id,
        "name": person.name,
        "email": person.email,
        "team": person.team,
        "role": person.job_role,
        "locale": person.locale or "en",
        "iat": issued,
        "exp": issued + TOKEN_LIFETIME_S,
        "aud": host_app.embed_key,
    }
    return jwt.encode(claims, host_app.signing_secret, algorithm="HS256")


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    workspace, person = request.crm_workspace, request.crm_person  # type: ignore[attr-defined]
    host_app = HostApp.objects.for_workspace(workspace).filter(slug=services.CRM_SLUG).first()
    track = list(context.pop("track", []))
    completed = request.session.pop("crm_completed_task", "")
    if completed:
        track.insert(0, ["task_completed", {"task": completed}])
    context = {
        **context,
        "track": track,
        "person": person,
        "embed_key": host_app.embed_key if host_app else "",
        "token": identity_token(host_app, person) if host_app else "",
        "flash": request.session.pop("crm_flash", ""),
    }
    return render(request, template, context, status=status)


def _form_signals(
    request: HttpRequest, form: Any, task: str
) -> tuple[list[dict[str, str]], list[Any]]:
    """A form page's errors, and what it reports: the task starting (on the first view) and
    each refused field as an error event, so placements and detectors can react."""
    errors = [
        {"field": name, "code": form.error_code(name), "message": str(form.errors[name][0])}
        for name in form.errors
        if name in form.fields
    ]
    track: list[Any] = [["task_started", {"task": task}]] if request.method == "GET" else []
    track += [["error", {"task": task, **error}] for error in errors]
    return errors, track


def _done(request: HttpRequest, *, task: str, flash: str, to: str) -> HttpResponse:
    """After a successful save: the next page reports the finished task and says what happened."""
    request.session["crm_completed_task"] = task
    request.session["crm_flash"] = flash
    return HttpResponseRedirect(to)


# --- the user picker --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def who(request: HttpRequest) -> HttpResponse:
    workspace = _workspace()
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("demo:opportunities")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ) or not next_url.startswith("/crm/"):
        next_url = reverse("demo:opportunities")
    people = Person.objects.for_workspace(workspace).filter(
        is_anonymous=False, team__in=PICKER_TEAMS
    )
    error = ""
    if request.method == "POST":
        chosen = people.filter(external_id=request.POST.get("person", "")).first()
        if chosen is not None:
            response = HttpResponseRedirect(next_url)
            response.set_signed_cookie(
                COOKIE,
                chosen.external_id,
                salt=COOKIE_SALT,
                max_age=30 * 24 * 3600,
                httponly=True,
                samesite="Lax",
            )
            return response
        error = "Choose who you are from the list."
    teams = [(team, [p for p in people if p.team == team]) for team in PICKER_TEAMS]
    current = _current_person(request, workspace)
    return render(
        request,
        "demo/crm/who.html",
        {"teams": teams, "next": next_url, "error": error, "current": current},
        status=400 if error else 200,
    )


def sign_out(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(reverse("demo:who"))
    response.delete_cookie(COOKIE)
    return response


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("demo:opportunities"))


# --- contacts ---------------------------------------------------------------------------


@crm_page
def contacts(request: HttpRequest) -> HttpResponse:
    workspace = request.crm_workspace  # type: ignore[attr-defined]
    q = request.GET.get("q", "").strip()
    rows = (
        Contact.objects.for_workspace(workspace)
        .select_related("owner")
        .annotate(last_call=Max("calls__called_at"))
    )
    if q:
        from django.db.models import Q

        rows = rows.filter(Q(name__icontains=q) | Q(company__icontains=q) | Q(email__icontains=q))
    return _render(
        request, "demo/crm/contacts.html", {"contacts": rows, "q": q, "page": "contacts"}
    )


# --- opportunities ----------------------------------------------------------------------


@crm_page
def opportunities(request: HttpRequest) -> HttpResponse:
    workspace, person = request.crm_workspace, request.crm_person  # type: ignore[attr-defined]
    scope = request.GET.get("scope", "mine")
    rows = Opportunity.objects.for_workspace(workspace).select_related("owner")
    if scope == "mine":
        rows = rows.filter(owner=person)
    return _render(
        request,
        "demo/crm/opportunities.html",
        {
            "opportunities": rows,
            "scope": scope,
            "today": timezone.localdate(),
            "page": "opportunities",
            "closed_stages": [str(s) for s in CLOSED_STAGES],
        },
    )


@crm_page
@require_http_methods(["GET", "POST"])
def opportunity_form(request: HttpRequest, opportunity_id: str | None = None) -> HttpResponse:
    workspace, person = request.crm_workspace, request.crm_person  # type: ignore[attr-defined]
    instance = None
    if opportunity_id is not None:
        instance = get_object_or_404(
            Opportunity.objects.for_workspace(workspace), pk=opportunity_id
        )
    task = "update-opportunity" if instance else "create-opportunity"
    if request.method == "POST":
        form = OpportunityForm(request.POST, workspace=workspace, instance=instance)
        if form.is_valid():
            saved = _save_opportunity(workspace, person, instance, form.cleaned_data)
            verb = "saved" if instance else "created"
            return _done(
                request,
                task=task,
                flash=f"Opportunity “{saved.name}” {verb}.",
                to=reverse("demo:opportunities"),
            )
        form.mark_errors()
        status = 400
    else:
        form = OpportunityForm(
            workspace=workspace,
            instance=instance,
            initial=None if instance else {"stage": "prospecting"},
        )
        status = 200
    errors, track = _form_signals(request, form, task)
    return _render(
        request,
        "demo/crm/opportunity_form.html",
        {
            "form": form,
            "instance": instance,
            "task": task,
            "errors": errors,
            "track": track,
            "page": "opportunities",
            "fields": [(form[name], form.error_code(name)) for name in form.fields],
            "calls": instance.calls.select_related("contact", "caller")[:10] if instance else [],
        },
        status=status,
    )


@transaction.atomic
def _save_opportunity(
    workspace: Workspace, person: Person, instance: Opportunity | None, data: dict[str, Any]
) -> Opportunity:
    opp = instance or Opportunity(workspace=workspace, owner=person)
    for key in ("name", "account", "stage", "amount", "close_date", "next_step"):
        setattr(opp, key, data[key])
    if opp.stage not in OVERRIDABLE_STAGES:
        opp.forecast_override = ""
    if opp.contact is None:
        opp.contact = (
            Contact.objects.for_workspace(workspace).filter(company__iexact=opp.account).first()
        )
    opp.save()
    return opp


# --- calls ------------------------------------------------------------------------------


@crm_page
def calls(request: HttpRequest) -> HttpResponse:
    workspace = request.crm_workspace  # type: ignore[attr-defined]
    rows = Call.objects.for_workspace(workspace).select_related("contact", "opportunity", "caller")[
        :50
    ]
    return _render(request, "demo/crm/calls.html", {"calls": rows, "page": "calls"})


@crm_page
@require_http_methods(["GET", "POST"])
def log_call(request: HttpRequest) -> HttpResponse:
    workspace, person = request.crm_workspace, request.crm_person  # type: ignore[attr-defined]
    if request.method == "POST":
        form = CallForm(request.POST, workspace=workspace)
        if form.is_valid():
            call = _save_call(workspace, person, form.cleaned_data)
            return _done(
                request,
                task="log-call",
                flash=f"Call with {call.contact.name} logged.",
                to=reverse("demo:calls"),
            )
        form.mark_errors()
        status = 400
    else:
        initial: dict[str, Any] = {"call_date": timezone.localdate(), "duration_min": 0}
        contact = Contact.objects.for_workspace(workspace).filter(
            pk=_uuid_or_none(request.GET.get("contact"))
        )
        if contact.exists():
            initial["contact"] = contact.first()
            opp = (
                Opportunity.objects.for_workspace(workspace)
                .filter(contact=initial["contact"])
                .exclude(stage__in=CLOSED_STAGES)
                .first()
            )
            if opp is not None:
                initial["opportunity"] = opp
        form = CallForm(workspace=workspace, initial=initial)
        status = 200
    errors, track = _form_signals(request, form, "log-call")
    return _render(
        request,
        "demo/crm/log_call.html",
        {
            "form": form,
            "errors": errors,
            "track": track,
            "task": "log-call",
            "page": "calls",
            "fields": [(form[name], form.error_code(name)) for name in form.fields],
        },
        status=status,
    )


def _uuid_or_none(value: str | None) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


@transaction.atomic
def _save_call(workspace: Workspace, person: Person, data: dict[str, Any]) -> Call:
    day: date = data["call_date"]
    called_at = (
        timezone.now()
        if day == timezone.localdate()
        else timezone.make_aware(datetime.combine(day, dtime(12)))
    )
    call = Call.objects.create(
        workspace=workspace,
        contact=data["contact"],
        opportunity=data["opportunity"],
        caller=person,
        called_at=called_at,
        duration_min=data["duration_min"],
        outcome=data["outcome"],
        notes=data["notes"].strip(),
        next_step=data["next_step"].strip(),
        follow_up_on=data["follow_up_on"],
    )
    if call.opportunity is not None and call.next_step:
        Opportunity.objects.filter(pk=call.opportunity.pk).update(next_step=call.next_step)
    return call


# --- forecast ---------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[date, date, str]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month == 10), (first_month + 3 - 1) % 12 + 1, 1)
    return start, end, f"Q{(first_month - 1) // 3 + 1} {day.year}"


@crm_page
@require_http_methods(["GET", "POST"])
def forecast(request: HttpRequest) -> HttpResponse:
    workspace, person = request.crm_workspace, request.crm_person  # type: ignore[attr-defined]
    is_manager = person.job_role in MANAGER_ROLES
    scope = request.GET.get("scope", "team" if is_manager else "mine")
    start, end, label = quarter_of(timezone.localdate())
    deals = (
        Opportunity.objects.for_workspace(workspace)
        .select_related("owner")
        .filter(close_date__gte=start, close_date__lt=end)
    )
    if scope != "team":
        deals = deals.filter(owner=person)
    error = ""
    if request.method == "POST":
        opp = deals.filter(pk=_uuid_or_none(request.POST.get("opportunity"))).first()
        category = request.POST.get("category", "")
        if (
            opp is None
            or opp.stage not in OVERRIDABLE_STAGES
            or category not in (ForecastCategory.BEST_CASE, ForecastCategory.COMMIT)
        ):
            error = "Only Proposal and Negotiation deals closing this quarter can move between Best case and Commit."
        else:
            opp.forecast_override = category
            opp.save(update_fields=["forecast_override", "updated_at"])
            request.session["crm_flash"] = (
                f"“{opp.name}” now counts as {ForecastCategory(category).label}."
            )
            return HttpResponseRedirect(request.get_full_path())
    totals = {c.value: Decimal(0) for c in ForecastCategory}
    for deal in deals:
        totals[deal.forecast_category] += deal.amount or Decimal(0)
    reps = (
        Person.objects.for_workspace(workspace)
        .filter(team="Sales")
        .exclude(job_role__in=MANAGER_ROLES)
    )
    quota = QUOTA_PER_REP * (reps.count() if scope == "team" else 1)
    promised = totals[ForecastCategory.CLOSED] + totals[ForecastCategory.COMMIT]
    return _render(
        request,
        "demo/crm/forecast.html",
        {
            "deals": [d for d in deals if d.forecast_category != ForecastCategory.OMITTED],
            "totals": totals,
            "quota": quota,
            "promised": promised,
            "label": label,
            "scope": scope,
            "is_manager": is_manager,
            "error": error,
            "page": "forecast",
            "track": [["forecast_viewed", {"scope": scope}]],
            "attainment_pct": int(promised * 100 / quota) if quota else 0,
            "overridable": [str(s) for s in OVERRIDABLE_STAGES],
            "categories": [
                (ForecastCategory.BEST_CASE.value, "Best case"),
                (ForecastCategory.COMMIT.value, "Commit"),
            ],
        },
        status=400 if error else 200,
    )
