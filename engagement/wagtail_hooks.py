from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from signpost.admin_menu import PermissionMenuItem
from signpost.choosers import PermissionCheckedSnippetViewSet
from signpost.exports import NeutralisedExportMixin
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from . import admin_api, selectors, services, views
from .filters import EngagementFilterSet, StakeholderFilterSet
from .forms import EngagementForm, StakeholderForm
from .grid import trail_chart
from .models import (
    Activity,
    Area,
    ConcernTheme,
    Engagement,
    MediaEnquiry,
    NewsroomPage,
    Operation,
    PressReleasePage,
    Stakeholder,
    StakeholderAlert,
)
from .permissions import user_is_release_author, user_signed_earlier_step
from .selectors import activities_overdue, media_enquiries_overdue
from .services import (
    PRESS_RELEASE_EMAILED,
    PRESS_RELEASE_PUBLISH_REFUSED,
    PRESS_RELEASE_SIGNED_OFF,
    PRESS_RELEASE_STEP_SIGNED,
    STAKEHOLDER_IMPORTED,
)
from .strategy import STRATEGIES
from .views import ActivityCalendarView

# The admin API's publish action refuses and records like every other door.
admin_api.install()


class AreaViewSet(PermissionCheckedSnippetViewSet):
    model = Area
    icon = "site"
    menu_label = "Areas"
    list_display = ["name", "household_count", "postcode_prefixes"]
    search_fields = ["name", "streets"]
    inspect_view_enabled = True


class OperationViewSet(PermissionCheckedSnippetViewSet):
    model = Operation
    icon = "date"
    menu_label = "Operations"
    list_display = ["name", "start_date", "arrest_day", "end_date"]
    list_filter = ["areas"]
    search_fields = ["name"]
    inspect_view_enabled = True


# --- Stakeholder register ----------------------------------------------------------------


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


class SafeExportIndexView(NeutralisedExportMixin, snippet_views.IndexView):
    """A listing whose export neutralises every cell, so '=HYPERLINK(…)' in a name or an
    outlet stays text in a spreadsheet, and which loads the relations its columns and
    export show in a fixed number of queries (``select`` and ``prefetch``)."""

    select: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.select:
            queryset = queryset.select_related(*self.select)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return queryset


class StakeholderIndexView(SafeExportIndexView):
    prefetch = ("areas",)

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
            context["grid"] = views.grid_context(self.request, filtered, svg_id="listing-grid")
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


class StakeholderInspectView(snippet_views.InspectView):
    template_name = "engagement/admin/stakeholder_inspect.html"

    def get_fields(self):
        fields = super().get_fields()
        if can_see_contacts(self.request.user):
            return fields
        return [f for f in fields if f not in CONTACT_COLUMNS]

    def get_context_data(self, **kwargs):
        from .selectors import stakeholder_trail

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

    def save_instance(self):
        form = self.form
        scores_changed = form.scores_changed
        instance = super().save_instance()
        data = form.cleaned_data
        if data.get("score_interest") is not None and scores_changed:
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


class InitiativeViewSetGroup(SnippetViewSetGroup):
    """The 'Initiative' menu; later capabilities add their registers to it."""

    menu_label = "Initiative"
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        AreaViewSet,
        OperationViewSet,
        StakeholderViewSet,
        EngagementViewSet,
        ConcernThemeViewSet,
    )


register_snippet(InitiativeViewSetGroup)


# --- Communications: activity calendar, media enquiries, press release sign-off ---------


class ActivityIndexView(SafeExportIndexView):
    select = ("area", "owner", "operation")


class MediaEnquiryIndexView(SafeExportIndexView):
    select = ("handler", "operation")


class ActivityViewSet(PermissionCheckedSnippetViewSet):
    model = Activity
    index_view_class = ActivityIndexView
    icon = "date"
    menu_label = "Activities"
    list_display = ["title", "mode", "area", "planned_on", "delivered_on", "owner"]
    list_filter = ["mode", "area", "operation", "planned_on", "delivered_on"]
    list_export = [
        "title",
        "get_mode_display",
        "area",
        "operation",
        "audience",
        "planned_on",
        "delivered_on",
    ]
    export_headings = {"get_mode_display": "Mode"}
    export_filename = "activity-calendar"
    search_fields = ["title", "audience", "notes"]
    ordering = ["-planned_on"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                "calendar/",
                ActivityCalendarView.as_view(
                    index_url_name=self.get_url_name("list"),
                    add_url_name=self.get_url_name("add"),
                ),
                name="calendar",
            )
        ]


class MediaEnquiryViewSet(PermissionCheckedSnippetViewSet):
    model = MediaEnquiry
    index_view_class = MediaEnquiryIndexView
    icon = "mail"
    menu_label = "Media enquiries"
    list_display = ["outlet", "journalist", "received_at", "deadline", "handler", "status"]
    list_filter = ["status", "handler", "operation"]
    list_export = [
        "received_at",
        "outlet",
        "journalist",
        "question",
        "protocol_subject",
        "handler",
        "deadline",
        "get_status_display",
        "response",
        "responded_at",
    ]
    export_headings = {"get_status_display": "Status", "protocol_subject": "Protocol"}
    export_filename = "media-enquiries"
    search_fields = ["outlet", "journalist", "question"]
    inspect_view_enabled = True


class CommunicationsViewSetGroup(SnippetViewSetGroup):
    """The 'Plan & media' menu: the plan's activity calendar and the media log. (A longer
    label is cut off in the sidebar beside the submenu arrow.)"""

    menu_label = "Plan & media"
    menu_icon = "mail"
    menu_order = 210
    items = (ActivityViewSet, MediaEnquiryViewSet)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        calendar = PermissionMenuItem(
            "Activity calendar",
            reverse("wagtailsnippets_engagement_activity:calendar"),
            icon_name="calendar",
            order=len(items) + 1,
            permission="engagement.view_activity",
        )
        return [items[0], calendar, *items[1:]]


register_snippet(CommunicationsViewSetGroup)


@hooks.register("register_log_actions")
def register_press_release_log_actions(actions):
    actions.register_action(
        PRESS_RELEASE_EMAILED, "Email to media contacts", "Emailed to media contacts"
    )

    @actions.register_action(PRESS_RELEASE_STEP_SIGNED)
    class StepSigned(LogFormatter):
        label = "Sign off a step"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return f"Signed off “{data.get('step')}”, embargo {data.get('embargo')}"

    @actions.register_action(PRESS_RELEASE_SIGNED_OFF)
    class SignedOff(LogFormatter):
        label = "Sign-off completed"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return (
                f"Sign-off completed: reviewed by {data.get('reviewed_by')}, approved by "
                f"{data.get('approved_by')}, embargo {data.get('embargo')}"
            )

    @actions.register_action(PRESS_RELEASE_PUBLISH_REFUSED)
    class PublishRefused(LogFormatter):
        label = "Publishing refused (no sign-off)"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return f"Refused to publish without sign-off ({data.get('door_label', 'publish')})"


@hooks.register("register_log_actions")
def register_stakeholder_log_actions(actions):
    @actions.register_action(STAKEHOLDER_IMPORTED)
    class StakeholderImported(LogFormatter):
        label = "Import from CSV"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return f"Imported from CSV ({data.get('filename', 'a file')}, row {data.get('row')})"


SIGN_OFF_ONLY = (
    "A press release goes public only through its sign-off: co-ordinator review, then "
    "spokesperson approval, by two different people."
)


def _is_release(page) -> bool:
    return isinstance(page.specific_deferred, PressReleasePage)


@hooks.register("before_edit_page")
def refuse_press_release_actions(request, page):
    """Say plainly why a press release was not published or signed off, and put each
    refused attempt to publish in the audit log. The model refuses regardless."""
    if request.method != "POST" or not _is_release(page):
        return None
    if request.POST.get("action-workflow-action"):
        if user_is_release_author(page, request.user):
            # Refused outright: saving the form would make a new revision and restart review.
            messages.error(
                request,
                "You wrote or submitted this release, so someone else must sign it off.",
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
        if user_signed_earlier_step(page, request.user):
            messages.error(
                request,
                "You signed off the other step of this release, so someone else must "
                "sign off this one. Nothing was changed.",
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    if request.POST.get("action-publish"):
        reverting = getattr(request.resolver_match, "url_name", "") == "revisions_revert"
        services.press_release_publish_refusal_log(
            release=page, user=request.user, door="revert" if reverting else "edit"
        )
        messages.error(
            request,
            f"{SIGN_OFF_ONLY} It was not published; your changes are kept as a draft. "
            "Submit the release for sign-off.",
        )
    return None


@hooks.register("before_create_page")
def refuse_publishing_new_release(request, parent_page, page_class):
    if (
        request.method == "POST"
        and request.POST.get("action-publish")
        and issubclass(page_class, PressReleasePage)
    ):
        messages.error(
            request,
            f"{SIGN_OFF_ONLY} The new release was saved as a draft, not published. "
            "Submit it for sign-off.",
        )
    return None


@hooks.register("after_create_page")
def log_refused_publishing_of_new_release(request, page):
    if request.POST.get("action-publish") and _is_release(page) and not page.live:
        services.press_release_publish_refusal_log(release=page, user=request.user, door="add")
    return None


@hooks.register("before_publish_page")
def refuse_unsigned_release_publication(request, page):
    """Belt and braces: if an editor ever reaches Wagtail's publish step for a release,
    answer in words (the model would refuse an unsigned revision with an error)."""
    if not _is_release(page):
        return None
    from .selectors import press_release_sign_off

    if press_release_sign_off(revision=page.get_latest_revision()) is not None:
        return None
    services.press_release_publish_refusal_log(release=page, user=request.user, door="edit")
    messages.error(request, f"{SIGN_OFF_ONLY} It was not published.")
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_copy_page")
def refuse_publishing_copied_release(request, page):
    """A copy of a release is a new release: it starts as a draft and is signed off."""
    if request.method != "POST" or not _is_release(page):
        return None
    if request.POST.get("publish_copies") or request.POST.get("alias"):
        services.press_release_publish_refusal_log(release=page, user=request.user, door="copy")
        messages.error(
            request,
            f"{SIGN_OFF_ONLY} A copy starts as a draft: untick “Publish copied page” "
            "and “Alias”, then submit the copy for sign-off.",
        )
        return redirect("wagtailadmin_pages:copy", page.pk)
    return None


@hooks.register("before_move_page")
def refuse_moving_release_out_of_newsroom(request, page, destination):
    if _is_release(page) and not isinstance(destination.specific_deferred, NewsroomPage):
        messages.error(request, "Press releases stay in the newsroom, under its sign-off.")
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


class SignOffAwarePublishBulkAction(PublishBulkAction):
    """Wagtail's bulk publish, saying why press releases were left out and recording the
    attempt: releases are published by their sign-off, never in bulk."""

    def prepare_action(self, objects, objects_without_access):
        refused = [
            page
            for page in objects_without_access.get("items_with_no_access", [])
            if _is_release(page)
        ]
        for page in refused:
            services.press_release_publish_refusal_log(
                release=page, user=self.request.user, door="bulk"
            )
        if refused:
            titles = ", ".join(f"“{page.get_admin_display_title()}”" for page in refused)
            messages.error(self.request, f"{SIGN_OFF_ONLY} Not published: {titles}.")
        return super().prepare_action(objects, objects_without_access)


# Registered after Wagtail's own bulk publish, so it takes that action's place.
hooks.register("register_bulk_action", SignOffAwarePublishBulkAction, order=1)


class OverdueMediaEnquiriesPanel(Component):
    name = "overdue_media_enquiries"
    order = 150
    template_name = "engagement/admin/overdue_panel.html"

    def __init__(self, enquiries, activities):
        self.enquiries = enquiries
        self.activities = activities

    def get_context_data(self, parent_context=None):
        return {
            "enquiries": self.enquiries,
            "activities": self.activities,
            "enquiries_url": reverse("wagtailsnippets_engagement_mediaenquiry:list"),
            "calendar_url": reverse("wagtailsnippets_engagement_activity:calendar"),
        }


@hooks.register("construct_homepage_panels")
def add_overdue_panel(request, panels):
    user = request.user
    enquiries = (
        list(media_enquiries_overdue()[:10])
        if user.has_perm("engagement.view_mediaenquiry")
        else []
    )
    activities = (
        list(activities_overdue().select_related("area").order_by("planned_on")[:10])
        if user.has_perm("engagement.change_activity")
        else []
    )
    if enquiries or activities:
        panels.append(OverdueMediaEnquiriesPanel(enquiries, activities))


# --- Grid, dashboard and alerts ------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_stakeholder_urls():
    return [
        path("engagement/grid/", views.stakeholder_grid, name="engagement_stakeholder_grid"),
        path(
            "engagement/grid/print/",
            views.stakeholder_grid_print,
            name="engagement_stakeholder_grid_print",
        ),
        path(
            "engagement/alerts/<int:alert_id>/reviewed/",
            views.stakeholder_alert_acknowledge,
            name="engagement_stakeholder_alert_acknowledge",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_grid_menu_item():
    return PermissionMenuItem(
        "Stakeholder grid",
        reverse("engagement_stakeholder_grid"),
        icon_name="view",
        order=210,
        permission=views.GRID_PERMISSION,
    )


class StakeholderAlertsPanel(Component):
    """The admin notification of rising interest, until someone marks it reviewed."""

    name = "stakeholder_alerts"
    template_name = "engagement/admin/panel_alerts.html"
    order = 90

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        request = parent_context["request"]
        context.update(
            alerts=list(selectors.stakeholder_alerts_open()[:20]),
            csrf_token=parent_context["csrf_token"],
            next=request.get_full_path(),
        )
        return context


class StakeholderOverduePanel(Component):
    name = "stakeholder_overdue"
    template_name = "engagement/admin/panel_overdue.html"
    order = 95
    limit = 10

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        request = parent_context["request"]
        overdue = selectors.stakeholders_action_overdue()
        total = overdue.count()
        context.update(
            stakeholders=[
                {"stakeholder": s, "action": services.stakeholder_next_action(s)[0]}
                for s in overdue[: self.limit]
            ],
            overdue_total=total,
            more_stakeholders=total > self.limit,
            follow_ups=list(selectors.engagements_follow_up_overdue()[: self.limit]),
            can_edit_engagements=request.user.has_perm("engagement.change_engagement"),
        )
        return context


class StakeholderGridPanel(Component):
    name = "stakeholder_grid"
    template_name = "engagement/admin/panel_grid.html"
    order = 100

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        request = parent_context["request"]
        context.update(
            views.grid_context(request, Stakeholder.objects.all(), svg_id="dashboard-grid")
        )
        return context


@hooks.register("construct_homepage_panels")
def add_stakeholder_panels(request, panels):
    user = request.user
    if user.has_perm("engagement.change_stakeholder"):
        panels.append(StakeholderAlertsPanel())
    if user.has_perm("engagement.view_stakeholder"):
        panels.append(StakeholderOverduePanel())
    if user.has_perm(views.GRID_PERMISSION):
        panels.append(StakeholderGridPanel())
