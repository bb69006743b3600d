"""A plain Wagtail form page, installed only by the burst benchmark's settings, as the
baseline the survey form is measured against."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField


class PlainFormField(AbstractFormField):
    page = ParentalKey("PlainFormPage", on_delete=models.CASCADE, related_name="form_fields")


class PlainFormPage(AbstractForm):
    template = "plainform/plain_form_page.html"
    landing_page_template = "plainform/plain_form_page_landing.html"
