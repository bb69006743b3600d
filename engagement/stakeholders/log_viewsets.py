"""Admin registers of the engagement log and of concern themes."""

from django import forms
from signpost.choosers import PermissionCheckedSnippetViewSet
from signpost.exports import SafeExportIndexView
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.views import snippets as snippet_views

from . import services
from .filters import EngagementFilterSet
from .forms import EngagementForm
from .models import ConcernTheme, Engagement


class _EngagementLoggedMixin:
    def save_instance(self):
        previous = []
        if self.form.instance.pk:
            previous = list(
                Engagement.objects.get(pk=self.form.instance.pk).stakeholders.values_list(
                    "pk", flat=True
                )
            )
        instance = super().save_instance()
        services.engagement_record_logged(
            engagement=instance, user=self.request.user, previous_stakeholder_ids=previous
        )
        return instance


class EngagementCreateView(_EngagementLoggedMixin, snippet_views.CreateView):
    pass


class EngagementEditView(_EngagementLoggedMixin, snippet_views.EditView):
    pass


class EngagementIndexView(SafeExportIndexView):
    select = ("area", "operation")
    prefetch = ("stakeholders", "themes")


class EngagementViewSet(PermissionCheckedSnippetViewSet):
    model = Engagement
    icon = "comment"
    menu_label = "Engagement log"
    url_prefix = "engagement/log"
    index_view_class = EngagementIndexView
    add_view_class = EngagementCreateView
    edit_view_class = EngagementEditView
    inspect_view_enabled = True
    filterset_class = EngagementFilterSet
    search_fields = ["title", "place", "issues_raised"]
    search_backend_name = None
    list_display = [
        "title",
        Column("mode", label="Mode", accessor="get_mode_display"),
        DateColumn("occurred_on", label="Date", sort_key="occurred_on"),
        "area",
        Column("follow_up_action", label="Follow-up"),
        DateColumn("follow_up_due", label="Follow-up due", sort_key="follow_up_due"),
    ]
    list_export = [
        "occurred_on",
        "get_mode_display",
        "title",
        "area",
        "operation",
        "place",
        "stakeholders_label",
        "attendance_count",
        "streets",
        "doors_knocked",
        "conversations",
        "themes_label",
        "issues_raised",
        "actions_agreed",
        "outcome",
        "follow_up_action",
        "follow_up_due",
        "follow_up_done_on",
    ]
    export_headings = {
        "get_mode_display": "Mode",
        "stakeholders_label": "Stakeholders present",
        "themes_label": "Themes of concern",
    }
    export_filename = "engagements"
    edit_handler = ObjectList(
        [
            FieldPanel("mode"),
            FieldPanel("title"),
            FieldPanel("occurred_on"),
            MultiFieldPanel(
                [FieldPanel("area"), FieldPanel("operation"), FieldPanel("place")], "Where"
            ),
            FieldPanel("stakeholders", widget=forms.CheckboxSelectMultiple),
            MultiFieldPanel(
                [
                    FieldPanel("attendance_count"),
                    FieldPanel("streets"),
                    FieldPanel("doors_knocked"),
                    FieldPanel("conversations"),
                    FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                ],
                "Counts and themes (no resident's personal details)",
            ),
            MultiFieldPanel(
                [
                    FieldPanel("issues_raised"),
                    FieldPanel("actions_agreed"),
                    FieldPanel("outcome"),
                ],
                "What happened",
            ),
            MultiFieldPanel(
                [
                    FieldPanel("follow_up_action"),
                    FieldPanel("follow_up_due"),
                    FieldPanel("follow_up_done_on"),
                ],
                "Follow-up",
            ),
        ],
        base_form_class=EngagementForm,
    )


class ConcernThemeViewSet(PermissionCheckedSnippetViewSet):
    model = ConcernTheme
    icon = "tag"
    menu_label = "Themes of concern"
    url_prefix = "engagement/themes"
    list_display = ["name"]
    search_fields = ["name"]
    search_backend_name = None
