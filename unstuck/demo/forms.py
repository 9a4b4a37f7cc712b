"""Acme CRM's forms and the business rules its server enforces.

Each rule raises a ValidationError with a stable `code` (close_date_past, amount_required,
...): the page shows the message next to the field and reports the code to Unstuck
with `Unstuck.track('error', {code, field})`, which is what placements and the need
detectors key on.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from .models import AMOUNT_REQUIRED_STAGES, CLOSED_STAGES, CallOutcome, Contact, Opportunity, Stage


class CrmForm(forms.Form):
    """Ids equal field names (stable targets for placements); each widget is labelled."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label))
            field.widget.attrs.setdefault("data-field", name)

    def error_code(self, name: str) -> str:
        errors = self.errors.as_data().get(name) or []
        return (errors[0].code or "invalid") if errors else ""

    def mark_errors(self) -> None:
        """Point each invalid widget at its message for screen readers."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{name}-error"


def _message(code: str) -> str:
    return MESSAGES[code]


MESSAGES = {
    "name_required": 'Give the opportunity a name, e.g. "Globex 60-seat rollout".',
    "name_taken": "Another opportunity already has this name; add the product or the year.",
    "account_required": "Enter the customer's company (the account).",
    "amount_required": "Enter an amount: it is required from the Proposal stage on.",
    "amount_not_positive": "The amount must be more than zero.",
    "close_date_required": "Enter the date you expect the deal to close.",
    "close_date_past": "Close date is in the past. An open deal must close today or later — move the date or "
    "close the deal.",
    "next_step_required": 'Write the next step: a concrete action with a date, e.g. "Send quote by Thursday".',
    "contact_required": "Choose who you spoke to.",
    "outcome_required": "Choose how the call went.",
    "notes_required": "Write what the customer said: notes are required for a connected call.",
    "follow_up_past": "The follow-up date cannot be in the past.",
    "call_date_future": "A call you log has already happened: the date cannot be in the future.",
    "duration_invalid": "Enter the call's length in minutes (0 to 600).",
}


class OpportunityForm(CrmForm):
    name = forms.CharField(label="Opportunity name", max_length=200, required=False)
    account = forms.CharField(label="Account", max_length=200, required=False)
    stage = forms.ChoiceField(label="Stage", choices=Stage.choices)
    amount = forms.DecimalField(
        label="Amount (EUR)",
        max_digits=12,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    close_date = forms.DateField(
        label="Close date",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    next_step = forms.CharField(label="Next step", max_length=300, required=False)

    def __init__(self, *args, workspace, instance: Opportunity | None = None, **kwargs):
        self.workspace = workspace
        self.instance = instance
        if instance is not None and not kwargs.get("initial") and not args and "data" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "account": instance.account,
                "stage": instance.stage,
                "amount": instance.amount,
                "close_date": instance.close_date,
                "next_step": instance.next_step,
            }
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_message("name_required"), code="name_required")
        others = Opportunity.objects.for_workspace(self.workspace).filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_message("name_taken"), code="name_taken")
        return name

    def clean_account(self) -> str:
        account = self.cleaned_data["account"].strip()
        if not account:
            raise forms.ValidationError(_message("account_required"), code="account_required")
        return account

    def clean(self):
        data = super().clean()
        stage = data.get("stage")
        amount: Decimal | None = data.get("amount")
        if "amount" not in self.errors:
            if amount is not None and amount <= 0:
                self.add_error(
                    "amount",
                    forms.ValidationError(
                        _message("amount_not_positive"), code="amount_not_positive"
                    ),
                )
            elif stage in AMOUNT_REQUIRED_STAGES and amount is None:
                self.add_error(
                    "amount",
                    forms.ValidationError(_message("amount_required"), code="amount_required"),
                )
        if "close_date" not in self.errors:
            close_date = data.get("close_date")
            if close_date is None:
                self.add_error(
                    "close_date",
                    forms.ValidationError(
                        _message("close_date_required"), code="close_date_required"
                    ),
                )
            elif stage and stage not in CLOSED_STAGES and close_date < timezone.localdate():
                self.add_error(
                    "close_date",
                    forms.ValidationError(_message("close_date_past"), code="close_date_past"),
                )
        if stage and stage not in CLOSED_STAGES and not (data.get("next_step") or "").strip():
            self.add_error(
                "next_step",
                forms.ValidationError(_message("next_step_required"), code="next_step_required"),
            )
        return data


class CallForm(CrmForm):
    contact = forms.ModelChoiceField(
        label="Contact",
        queryset=Contact.objects.none(),
        required=False,
        empty_label="Choose a contact…",
    )
    opportunity = forms.ModelChoiceField(
        label="Opportunity",
        queryset=Opportunity.objects.none(),
        required=False,
        empty_label="No opportunity",
    )
    call_date = forms.DateField(
        label="Call date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    duration_min = forms.IntegerField(
        label="Duration (minutes)",
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"min": "0", "max": "600"}),
    )
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("", "Choose an outcome…"), *CallOutcome.choices], required=False
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    next_step = forms.CharField(label="Next step", max_length=300, required=False)
    follow_up_on = forms.DateField(
        label="Follow-up date",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.for_workspace(workspace)  # type: ignore[attr-defined]
        self.fields["opportunity"].queryset = (  # type: ignore[attr-defined]
            Opportunity.objects.for_workspace(workspace).exclude(stage__in=CLOSED_STAGES)
        )

    def clean_contact(self):
        contact = self.cleaned_data["contact"]
        if contact is None:
            raise forms.ValidationError(_message("contact_required"), code="contact_required")
        return contact

    def clean_outcome(self) -> str:
        outcome = self.cleaned_data["outcome"]
        if not outcome:
            raise forms.ValidationError(_message("outcome_required"), code="outcome_required")
        return outcome

    def clean_call_date(self):
        value = self.cleaned_data["call_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_message("call_date_future"), code="call_date_future")
        return value

    def clean_duration_min(self) -> int:
        value = self.cleaned_data["duration_min"]
        if value is None:
            return 0
        if not 0 <= value <= 600:
            raise forms.ValidationError(_message("duration_invalid"), code="duration_invalid")
        return value

    def clean_follow_up_on(self):
        value = self.cleaned_data["follow_up_on"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_message("follow_up_past"), code="follow_up_past")
        return value

    def clean(self):
        data = super().clean()
        if data.get("outcome") == CallOutcome.CONNECTED and not (data.get("notes") or "").strip():
            self.add_error(
                "notes", forms.ValidationError(_message("notes_required"), code="notes_required")
            )
        return data
