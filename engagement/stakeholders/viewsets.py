"""The admin registers of the stakeholder register: stakeholders (listing, inspect with
the score trail, scoring on add and edit), the engagement log and concern themes."""

from django import forms
from django.contrib import messages
from django.template.defaultfilters import date as date_filter
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from signpost.choosers import PermissionCheckedSnippetViewSet
from signpost.exports import SafeExportIndexView
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views import snippets as snippet_views

from . import services, views
from .exports import StreamedExportMixin
from .filters import EngagementFilterSet, StakeholderFilterSet
from .forms import EngagementForm, StakeholderForm
from .grid import trail_chart
from .models import ConcernTheme, Engagement, Stakeholder, StakeholderAlert
from .selectors import (
    engagement_stakeholder_names,
    engagement_theme_names,
    engagements_for_export,
    stakeholder_area_names,
    stakeholder_trail,
)
from .strategy import STRATEGIES
from .widgets import StakeholderPicker


def can_see_contacts(user) -> bool:
    """Neighbourhood teams use the register without seeing anyone's contact details."""
    return user.has_perm("engagement.view_stakeholder_contact")


CONTACT_COLUMNS = {
    "email",
    "phone",
    "address",
    "preferred_channel",
    "get_preferred_channel_display",
}


class StakeholderIndexView(StreamedExportMixin, SafeExportIndexView):
    prefetch = ("areas",)
    export_always_prepared = True  # a force's register is 20,000 stakeholders
    export_names = {"areas_joined": stakeholder_area_names}

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.user_has_permission("add"):
            buttons.append(
                HeaderButton(
                    "Import from CSV",
                    url=reverse("wagtailsnippets_engagement_stakeholder:import"),
                    icon_name="upload",
                )
            )
        return buttons

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if self.request.user.has_perm(views.GRID_PERMISSION):
            # The grid follows the listing's filters, drawn by the database's selection.
            filtered = self.filter_queryset(Stakeholder.objects.all())
            filters = {
                name: value
                for name, value in self.request.GET.items()
                if name in self.filterset_class.base_filters and name != "quadrant"
            }
            context["grid"] = views.grid_context(
                self.request, filtered, svg_id="listing-grid", listing_filters=filters
            )
        return context

    @cached_property
    def columns(self):
        columns = super().columns
        if can_see_contacts(self.request.user):
            return columns
        return [c for c in columns if getattr(c, "name", None) not in CONTACT_COLUMNS]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not can_see_contacts(request.user):
            self.list_export = [f for f in self.list_export if f not in CONTACT_COLUMNS]


class InWordsInspectView(snippet_views.InspectView):
    """An inspect page in words: Wagtail shows a model's values as Python prints them
    ("True", "False", "None", "-"); here a yes/no field says Yes or No and an empty one
    says it was not recorded."""

    NOT_RECORDED = "Not recorded"

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if value is None or value == "" or value == "-":
            return self.NOT_RECORDED
        return value


class StakeholderInspectView(InWordsInspectView):
    template_name = "engagement/admin/stakeholder_inspect.html"

    def get_fields(self):
        fields = super().get_fields()
        if can_see_contacts(self.request.user):
            return fields
        return [f for f in fields if f not in CONTACT_COLUMNS]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stakeholder = self.object
        action, due = services.stakeholder_next_action(stakeholder)
        assessments = list(stakeholder_trail(stakeholder))
        context.update(
            stakeholder=stakeholder,
            strategy=STRATEGIES.get(stakeholder.quadrant),
            next_action=action,
            next_action_due=due,
            today=timezone.localdate(),
            assessments=assessments,
            alerts=list(stakeholder.alerts.select_related("assessment")),
            engagements=list(stakeholder.engagements.select_related("area")[:20]),
        )
        if assessments:
            context.update(
                chart=trail_chart(assessments),
                svg_id="trail",
                title=f"{stakeholder.name}'s positions on the grid over time",
                description=(
                    f"{len(assessments)} assessment(s), numbered oldest first and joined by "
                    "a line ending at the current position. The history table below lists them."
                ),
            )
        return context


class _ScoringMixin:
    """Saving the form records an assessment when the scores were set or changed."""

    assessed = False

    def save_instance(self):
        form = self.form
        scores_changed = form.scores_changed
        instance = super().save_instance()
        data = form.cleaned_data
        if data.get("score_interest") is not None and scores_changed:
            self.assessed = True
            assessment = services.stakeholder_assess(
                stakeholder=instance,
                interest=data["score_interest"],
                influence=data["score_influence"],
                reason=data["score_reason"],
                assessed_on=data.get("score_assessed_on"),
                assessed_by=self.request.user,
            )
            instance.refresh_from_db()
            if StakeholderAlert.objects.filter(assessment=assessment).exists():
                messages.warning(
                    self.request,
                    f"{instance.name}'s interest has risen: now {instance.quadrant_label().lower()}. "
                    "The communications officers have been told; review the strategy.",
                )
        else:
            services.stakeholder_refresh_plan(stakeholder=instance)
        return instance

    def get_success_message(self, *args, **kwargs):
        """Says what saving did: the assessment it recorded, where that puts the
        stakeholder on the grid and what is next, not only that the form was saved."""
        stakeholder = self.object
        parts = [f"{stakeholder.name} saved."]
        if self.assessed:
            parts.append(
                f"Assessment recorded (interest {stakeholder.interest}, influence "
                f"{stakeholder.influence}): {stakeholder.quadrant_label()}."
            )
        action, due = services.stakeholder_next_action(stakeholder)
        if action:
            parts.append(
                f"Next: {action}" + (f", due {date_filter(due, 'j M Y')}." if due else ".")
            )
        return " ".join(parts)


class StakeholderCreateView(_ScoringMixin, snippet_views.CreateView):
    pass


class StakeholderEditView(_ScoringMixin, snippet_views.EditView):
    pass


class StakeholderViewSet(PermissionCheckedSnippetViewSet):
    model = Stakeholder
    icon = "group"
    menu_label = "Stakeholders"
    url_prefix = "engagement/stakeholders"
    index_view_class = StakeholderIndexView
    index_results_template_name = "engagement/admin/stakeholder_index_results.html"
    inspect_view_class = StakeholderInspectView
    add_view_class = StakeholderCreateView
    edit_view_class = StakeholderEditView
    inspect_view_enabled = True
    filterset_class = StakeholderFilterSet
    list_per_page = 50
    list_display = [
        "name",
        "organisation",
        Column("stakeholder_type", label="Type", accessor="get_stakeholder_type_display"),
        Column("quadrant", label="Quadrant", accessor="quadrant_label"),
        Column("interest", label="Interest", sort_key="interest"),
        Column("influence", label="Influence", sort_key="influence"),
        DateColumn("next_action_due", label="Next action due", sort_key="next_action_due"),
        Column("email", label="Email"),
        Column("phone", label="Phone"),
    ]
    list_export = [
        "name",
        "organisation",
        "position",
        "get_stakeholder_type_display",
        "areas_label",
        "email",
        "phone",
        "address",
        "get_preferred_channel_display",
        "get_lawful_basis_display",
        "consent_to_contact",
        "consent_recorded_on",
        "newsletter_list",
        "interest",
        "influence",
        "quadrant_label",
        "assessed_on",
        "last_engaged_on",
        "next_action_due",
        "notes",
    ]
    export_headings = {
        "get_stakeholder_type_display": "Type",
        "areas_label": "Areas",
        "get_preferred_channel_display": "Preferred channel",
        "get_lawful_basis_display": "Lawful basis",
        "quadrant_label": "Quadrant",
    }
    export_filename = "stakeholders"
    inspect_view_fields = [
        "name",
        "organisation",
        "position",
        "stakeholder_type",
        "areas",
        "email",
        "phone",
        "address",
        "preferred_channel",
        "lawful_basis",
        "consent_to_contact",
        "consent_recorded_on",
        "newsletter_list",
        "notes",
        "tags",
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("organisation"),
                    FieldPanel("position"),
                    FieldPanel("stakeholder_type"),
                    FieldPanel("areas", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("notes"),
                    FieldPanel("tags"),
                ],
                heading="Stakeholder",
            ),
            ObjectList(
                [
                    FieldPanel("score_interest"),
                    FieldPanel("score_influence"),
                    FieldPanel("score_assessed_on"),
                    FieldPanel("score_reason"),
                ],
                heading="Interest and influence",
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldPanel("email"),
                            FieldPanel("phone"),
                            FieldPanel("address"),
                            FieldPanel("preferred_channel"),
                        ],
                        "Contact details",
                    ),
                    MultiFieldPanel(
                        [
                            FieldPanel("lawful_basis"),
                            FieldPanel("consent_to_contact"),
                            FieldPanel("consent_recorded_on"),
                            FieldPanel("newsletter_list"),
                        ],
                        "Lawful basis and consent",
                    ),
                ],
                heading="Contact and consent",
            ),
        ],
        base_form_class=StakeholderForm,
    )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                "import/",
                views.StakeholderImportView.as_view(
                    index_url_name=self.get_url_name("list"),
                    template_url_name=self.get_url_name("import_template"),
                ),
                name="import",
            ),
            path("import/template/", views.stakeholder_import_template, name="import_template"),
        ]


# --- The engagement log and concern themes ---------------------------------------------


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

    def get_success_message(self, *args, **kwargs):
        """Says what logging it changed: whose last-engaged date moved."""
        engagement = self.object
        count = engagement.stakeholders.count()
        if not count:
            return f"Engagement '{engagement}' logged, with no stakeholders named."
        people = "stakeholder" if count == 1 else "stakeholders"
        return (
            f"Engagement '{engagement}' logged: the last-engaged and next-contact dates of "
            f"its {count} {people} are brought up to date."
        )


class EngagementCreateView(_EngagementLoggedMixin, snippet_views.CreateView):
    pass


class EngagementEditView(_EngagementLoggedMixin, snippet_views.EditView):
    pass


class EngagementIndexView(StreamedExportMixin, SafeExportIndexView):
    select = ("area", "operation")
    export_always_prepared = True  # every meeting and call, for years
    prefetch = ("stakeholders", "themes")
    export_names = {
        "stakeholders_joined": engagement_stakeholder_names,
        "themes_joined": engagement_theme_names,
    }

    def export_queryset(self, queryset):
        return engagements_for_export(queryset)


class EngagementViewSet(PermissionCheckedSnippetViewSet):
    model = Engagement
    icon = "comment"
    menu_label = "Engagement log"
    url_prefix = "engagement/log"
    index_view_class = EngagementIndexView
    add_view_class = EngagementCreateView
    edit_view_class = EngagementEditView
    inspect_view_class = InWordsInspectView
    inspect_view_enabled = True
    filterset_class = EngagementFilterSet
    search_fields = ["title", "place", "issues_raised"]
    search_backend_name = None
    list_display = [
        "title",
        Column("mode", label="Mode", accessor="get_mode_display"),
        DateColumn("occurred_on", label="Date", sort_key="occurred_on"),
        # Filtered by, not sorted by: sorting a force's log by its area's name sorts
        # every entry through a join, where the filter is an index read.
        Column("area", label="Area"),
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
            FieldPanel("stakeholders", widget=StakeholderPicker),
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
