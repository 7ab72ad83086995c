"""Forms of the consent and referral pages; they parse input, the services validate and write."""

from django import forms

from iom import selectors
from iom.models import Pathway
from partners import selectors as partner_selectors
from partners.models import ServiceType
from referrals.models import ConsentMethod, ReferralState, Urgency
from referrals.rehabilitation import SentenceType
from referrals.services.gateway import OFFENCE_CATEGORIES
from web.forms import DATE_INPUT, SpecificErrors


class ConsentForm(SpecificErrors, forms.Form):
    scope_organisation = forms.ModelChoiceField(
        label="Organisation the consent covers",
        queryset=selectors.organisation_list(),
        required=False,
        help_text="Choose an organisation, or a type of service below, not both.",
    )
    scope_service_type = forms.ChoiceField(
        label="Or: the type of service it covers",
        choices=[("", "Not a type of service"), *ServiceType.choices],
        required=False,
        help_text="“Employment” is consent for Gateway to Employment: it covers any employer matched.",
    )
    shared_information = forms.CharField(
        label="What the person agreed may be shared", widget=forms.Textarea(attrs={"rows": 3})
    )
    method = forms.ChoiceField(
        label="How consent was obtained", choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    given_on = forms.DateField(label="Date consent was given", widget=DATE_INPUT)


class WithdrawConsentForm(SpecificErrors, forms.Form):
    reason = forms.CharField(label="How and why the person withdrew consent", widget=forms.Textarea(attrs={"rows": 3}))
    withdrawn_on = forms.DateField(label="Date of withdrawal", widget=DATE_INPUT)


class ReferralForm(SpecificErrors, forms.Form):
    service = forms.ModelChoiceField(label="Service", queryset=partner_selectors.service_directory())
    reason = forms.CharField(label="Why you are referring this person", widget=forms.Textarea(attrs={"rows": 3}))
    pathways = forms.MultipleChoiceField(
        label="Pathways the referral addresses",
        choices=Pathway.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgency = forms.ChoiceField(
        choices=Urgency.choices, widget=forms.RadioSelect(attrs={"inline": True}), initial="routine"
    )
    shared_information = forms.CharField(
        label="What you are sharing with the partner", widget=forms.Textarea(attrs={"rows": 3})
    )
    risk_summary = forms.CharField(
        label="Risk information the partner needs to work safely",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class MoveForm(forms.Form):
    to_state = forms.ChoiceField(choices=ReferralState.choices)
    reason = forms.CharField(required=False)


class UpdateForm(SpecificErrors, forms.Form):
    text = forms.CharField(label="Progress update", widget=forms.Textarea(attrs={"rows": 3}))


class ConvictionForm(SpecificErrors, forms.Form):
    offence_category = forms.ChoiceField(
        label="Offence category",
        choices=[("", "Choose"), *[(c, c.replace("_", " ")) for c in sorted(OFFENCE_CATEGORIES)]],
    )
    sentence_type = forms.ChoiceField(
        label="Sentence or disposal",
        choices=[("", "Choose"), *[(t.value, t.value.replace("_", " ")) for t in SentenceType]],
    )
    convicted_on = forms.DateField(label="Date of conviction (or caution)", widget=DATE_INPUT)
    length_months = forms.IntegerField(label="Length in months (custody or order)", required=False, min_value=0)
    ends_on = forms.DateField(label="Date the sentence or order ends, if known", widget=DATE_INPUT, required=False)
    serious_offence = forms.BooleanField(label="Serious violent, sexual or terrorist offence", required=False)


ConvictionFormSet = forms.formset_factory(ConvictionForm, extra=3, max_num=20)


class DisclosureForm(SpecificErrors, forms.Form):
    support_contacts = forms.CharField(
        label="Support contacts for the employer",
        help_text="For example the IOM officer's name and work phone, and the employment coach.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
