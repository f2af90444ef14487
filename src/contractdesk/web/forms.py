"""Forms that parse and check what users send from the web pages."""

from django import forms

from contractdesk.intake.models import ContractRequest, RequestStatus
from contractdesk.web import queries

QUEUE_STATUS_CHOICES = [*RequestStatus.choices, (queries.ALL_STATUSES, "All")]

# The notes are written to Contract_Request__c.Decision_Notes__c, a long text
# area of 32,768 characters in the package under salesforce/. This limit keeps
# a margin below it.
MAX_DECISION_NOTES = 32000


class QueueFilterForm(forms.Form):
    """The request queue's status filter. An empty or unknown value selects Pending."""

    status = forms.ChoiceField(choices=QUEUE_STATUS_CHOICES, required=False)

    def selected_status(self) -> str:
        """Return the status to show: the valid choice sent, or Pending."""
        if self.is_valid() and self.cleaned_data["status"]:
            return self.cleaned_data["status"]
        return RequestStatus.PENDING


class ApproveForm(forms.Form):
    """Optional choices an approver makes when approving a request."""

    # NOTE: the select lists every Company Profile, which stops being usable
    # at a few thousand. A search field that fetches matches with htmx would fix it.
    company = forms.ModelChoiceField(
        queryset=queries.companies_for_choice(),
        required=False,
        label="Company Profile",
        error_messages={
            "invalid_choice": "That Company Profile does not exist. Pick one from the list, "
            "or leave the default to use the Salesforce Account's company.",
        },
    )
    title = forms.CharField(
        max_length=255,
        required=False,
        label="Contract title",
        help_text="Leave empty to use the opportunity name.",
    )

    def __init__(self, *args, contract_request: ContractRequest, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        account = contract_request.account_name or contract_request.salesforce_account_id
        self.fields["company"].empty_label = (
            f"Use or create the company for Salesforce Account {account}"
            if account
            else "Use or create the company for the request's Salesforce Account"
        )
        self.fields["title"].initial = contract_request.opportunity_name


class DeclineForm(forms.Form):
    """The approver's reason for declining, shown to the salesperson in Salesforce."""

    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_DECISION_NOTES,
        label="Notes for the salesperson",
        help_text="Shown on the request in Salesforce. Say why it is declined and what would change the decision.",
        error_messages={"required": "Write a note for the salesperson saying why the request is declined."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
