"""The sample host app's own data: Acme CRM's contacts, opportunities and calls.

This is what a customer's application would hold in its own database; Unstuck's apps
never read it. Every row is scoped to the workspace the CRM demo belongs to.
"""

from __future__ import annotations

import uuid

from django.db import models

from unstuck.accounts.models import Person, Workspace, WorkspaceScopedQuerySet


class Stage(models.TextChoices):
    PROSPECTING = "prospecting", "Prospecting"
    QUALIFICATION = "qualification", "Qualification"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    CLOSED_WON = "closed_won", "Closed won"
    CLOSED_LOST = "closed_lost", "Closed lost"


CLOSED_STAGES = {Stage.CLOSED_WON, Stage.CLOSED_LOST}
# From Proposal on, a deal has a price: the amount is required.
AMOUNT_REQUIRED_STAGES = {Stage.PROPOSAL, Stage.NEGOTIATION, Stage.CLOSED_WON}
PROBABILITY = {
    Stage.PROSPECTING: 10,
    Stage.QUALIFICATION: 25,
    Stage.PROPOSAL: 50,
    Stage.NEGOTIATION: 75,
    Stage.CLOSED_WON: 100,
    Stage.CLOSED_LOST: 0,
}


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline"
    BEST_CASE = "best_case", "Best case"
    COMMIT = "commit", "Commit"
    CLOSED = "closed", "Closed"
    OMITTED = "omitted", "Omitted"


DEFAULT_CATEGORY = {
    Stage.PROSPECTING: ForecastCategory.PIPELINE,
    Stage.QUALIFICATION: ForecastCategory.PIPELINE,
    Stage.PROPOSAL: ForecastCategory.BEST_CASE,
    Stage.NEGOTIATION: ForecastCategory.COMMIT,
    Stage.CLOSED_WON: ForecastCategory.CLOSED,
    Stage.CLOSED_LOST: ForecastCategory.OMITTED,
}
# Only these stages may be moved between Best case and Commit on the forecast page.
OVERRIDABLE_STAGES = {Stage.PROPOSAL, Stage.NEGOTIATION}


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", "Connected"
    VOICEMAIL = "voicemail", "Left voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"


class Contact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="crm_contact_unique_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"


class Opportunity(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    account = models.CharField(max_length=200)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PROSPECTING)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    close_date = models.DateField()
    next_step = models.CharField(max_length=300, blank=True)
    # Empty: the category follows the stage (DEFAULT_CATEGORY).
    forecast_override = models.CharField(
        max_length=20, choices=ForecastCategory.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["close_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="crm_opportunity_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.stage not in CLOSED_STAGES

    @property
    def probability(self) -> int:
        return PROBABILITY[Stage(self.stage)]

    @property
    def forecast_category(self) -> str:
        if self.forecast_override and self.stage in OVERRIDABLE_STAGES:
            return self.forecast_override
        return DEFAULT_CATEGORY[Stage(self.stage)]

    @property
    def forecast_label(self) -> str:
        return ForecastCategory(self.forecast_category).label


class Call(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="calls")
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    caller = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField()
    duration_min = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices)
    notes = models.TextField(blank=True)
    next_step = models.CharField(max_length=300, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-called_at"]

    def __str__(self) -> str:
        return f"Call with {self.contact} ({self.get_outcome_display()})"
