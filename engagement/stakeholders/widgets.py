"""The stakeholder picker on the engagement log's form.

A register of a force's size (tens of thousands of stakeholders) cannot be drawn as a
checkbox each: the picker draws only the stakeholders already chosen, and a search box
asks ``views.stakeholder_picker_search`` for more as the user types. The form's field
still validates every posted id against the stakeholders the user may choose, in one query.
"""

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse


class StakeholderPicker(forms.CheckboxSelectMultiple):
    """Checkboxes for the chosen stakeholders only, plus a search that adds more."""

    template_name = "engagement/widgets/stakeholder_picker.html"
    # Searching for more than this many characters is pointless; fewer return nothing.
    min_search_length = 2

    class Media:
        js = ["engagement/stakeholder_picker.js"]

    def optgroups(self, name, value, attrs=None):
        """Only the chosen stakeholders: one query for their labels, not the whole register."""
        queryset = self.choices.queryset
        chosen = [v for v in value if v not in (None, "")]
        self.choices.queryset = queryset.filter(pk__in=chosen) if chosen else queryset.none()
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices.queryset = queryset

    def _render(self, template_name, context, renderer=None):
        # The template lives with the project's templates, which the default form
        # renderer (Django's own widget templates only) does not search. A template's
        # output is already marked safe.
        return render_to_string(template_name, context)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse("engagement_stakeholder_picker_search")
        context["widget"]["min_search_length"] = self.min_search_length
        return context
