"""Page forms. They only parse and label input; the services validate and write."""

from django import forms

from iom.models import Flag, Person

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    flags = forms.ModelMultipleChoiceField(
        queryset=Flag.objects.filter(active=True), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "aliases",
            "date_of_birth",
            "crn",
            "gender",
            "ethnicity",
            "district",
            "risk_of_serious_harm",
            "flags",
        ]
        widgets = {"date_of_birth": DATE_INPUT, "aliases": forms.Textarea(attrs={"rows": 3})}
        labels = {"crn": "Probation CRN"}

    def _post_clean(self):
        # Model validation belongs to the service, which reports the same errors to pages and API.
        pass

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "flags"}
        return data
