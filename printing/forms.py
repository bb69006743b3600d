from django import forms
from django.core.exceptions import ValidationError
from wagtail.models import Locale, Page

from engagement.models import Area, Operation
from newsletters.models import NewsletterPage
from surveys.models import SurveyWave

from . import services
from .models import PrintFormat, PrintLanguage, PrintOutput, PrintTemplate, QRTarget


class PrintRunForm(forms.Form):
    """What the neighbourhood officer chooses; the service decides what is printable."""

    operation = forms.ModelChoiceField(queryset=Operation.objects.all())
    area = forms.ModelChoiceField(queryset=Area.objects.all())
    template = forms.ModelChoiceField(
        queryset=PrintTemplate.objects.none(), required=False, help_text="The words to print."
    )
    newsletter = forms.ModelChoiceField(
        queryset=NewsletterPage.objects.none(),
        required=False,
        help_text="Or print a published newsletter as a leaflet.",
    )
    language = forms.ChoiceField(
        label="Language",
        choices=PrintLanguage.choices,
        initial=PrintLanguage.ENGLISH,
        required=False,
        help_text="The template's or newsletter's translation is printed, and the QR code "
        "opens the site in that language (bilingual: in Welsh, with English a click away). "
        "Bilingual runs print Welsh first: side by side, or back to back when two-sided.",
    )
    format = forms.ChoiceField(choices=PrintFormat.choices)
    quantity = forms.IntegerField(
        help_text="How many to print. Signs and household leaflets each get their own code."
    )
    per_household = forms.BooleanField(
        required=False,
        label="One leaflet per household",
        help_text="Each leaflet carries its own single-use survey code, and the survey wave "
        "will then accept only answers that carry one of its codes.",
    )
    output = forms.ChoiceField(
        label="Printed by",
        choices=PrintOutput.choices,
        initial=PrintOutput.OFFICE,
        required=False,
        widget=forms.RadioSelect,
        help_text="A print shop trims larger sheets: its PDF has 3 mm bleed, crop marks, "
        "trim and bleed boxes, black as black ink only and the colour profile it was made for.",
    )
    qr_target = forms.ChoiceField(label="QR code leads to", choices=QRTarget.choices)
    survey_wave = forms.ModelChoiceField(
        queryset=SurveyWave.objects.select_related("survey", "area").order_by("-opens_on"),
        required=False,
        help_text="For the survey: the wave for this area. Household codes belong to it.",
    )
    target_page = forms.ModelChoiceField(
        queryset=Page.objects.live().filter(depth__gte=2).order_by("path"),
        required=False,
        help_text="For 'a page on the site': the operation's update page, for example.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Each template and newsletter once, as written: the run's language picks its
        # translation.
        default = Locale.get_default()
        self.fields["template"].queryset = PrintTemplate.objects.filter(locale=default)
        self.fields["newsletter"].queryset = (
            NewsletterPage.objects.live().filter(locale=default).order_by("-first_published_at")
        )

    def clean_language(self):
        """Left unchosen (an older form, a script), the run is in English."""
        return self.cleaned_data["language"] or PrintLanguage.ENGLISH

    def clean_output(self):
        """Left unchosen (an older form, a script), the run is for an office printer."""
        return self.cleaned_data["output"] or PrintOutput.OFFICE

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.print_run_validate(
                operation=data["operation"],
                area=data["area"],
                template=data.get("template"),
                newsletter=data.get("newsletter"),
                format=data["format"],
                quantity=data["quantity"],
                per_household=data["per_household"],
                qr_target=data["qr_target"],
                target_page=data.get("target_page"),
                survey_wave=data.get("survey_wave"),
                output=data["output"],
                language=data["language"],
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data

    def save(self):
        """Create the run; text that does not fit becomes a form error."""
        data = self.cleaned_data
        try:
            return services.print_run_create(
                user=self.user,
                operation=data["operation"],
                area=data["area"],
                template=data.get("template"),
                newsletter=data.get("newsletter"),
                format=data["format"],
                quantity=data["quantity"],
                per_household=data["per_household"],
                qr_target=data["qr_target"],
                target_page=data.get("target_page"),
                survey_wave=data.get("survey_wave"),
                output=data["output"],
                language=data["language"],
            )
        except ValidationError as error:
            self.add_error(None, error)
            return None


class SignLogForm(forms.Form):
    location = forms.CharField(max_length=200, required=False)
    put_up_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    due_down_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    taken_down_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
