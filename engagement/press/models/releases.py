"""The newsroom and its press releases, which go live only through their two-step
sign-off (guide, section 8), and the ledger of emails to media contacts."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from signpost.blocks import RICH_TEXT_FEATURES, BodyBlock
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, TitleFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import AbstractGroupApprovalTask, Page, TaskState
from wagtail.search import index

from engagement.places.models import Area, Operation

from ..feeds import PressReleaseAtomFeed, PressReleaseRssFeed
from ..forms import PressReleaseForm
from ..permissions import (
    NewsroomPermissionTester,
    PressReleasePermissionTester,
    user_is_release_author,
    user_signed_earlier_step,
)
from ..sign_off import (
    press_release_fingerprint,
    press_release_publish_refused,
    press_release_step_prepare,
    press_release_step_signed,
)


class NewsroomPage(RoutablePageMixin, Page):
    """Where the initiative's press releases are published, with RSS and Atom feeds."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["signpost.HomePage"]
    subpage_types = ["engagement.PressReleasePage"]
    max_count = 1

    class Meta:
        verbose_name = "newsroom"

    def permissions_for_user(self, user):
        return NewsroomPermissionTester(user, self)

    def releases(self):
        return (
            PressReleasePage.objects.live()
            .public()
            .child_of(self)
            .order_by("-first_published_at", "-pk")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.releases().select_related("area", "operation"), 10)
        context["releases"] = paginator.get_page(request.GET.get("page"))
        return context

    @path("feed/rss/", name="rss")
    def rss_feed(self, request):
        return PressReleaseRssFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom_feed(self, request):
        return PressReleaseAtomFeed(self)(request)


class PressReleaseNotSignedOff(PermissionDenied):
    """A press release was to go live, or be scheduled, without a completed sign-off."""


class PressReleasePage(RoutablePageMixin, Page):
    """A press release. The press is a double-edged sword (guide, section 8), so a
    release goes out only after the co-ordinator's review and the spokesperson's
    approval, at its embargo time (Wagtail's go-live time) and not a second before."""

    summary = models.TextField(help_text="One or two sentences: the story in brief.")
    body = StreamField(BodyBlock(), use_json_field=True)
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="press_releases"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="press_releases"
    )
    spokesperson_quote = models.TextField(blank=True)
    quote_attribution = models.CharField(
        max_length=200, blank=True, help_text="Name and role of the spokesperson quoted."
    )
    notes_to_editors = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    media_contact_name = models.CharField(max_length=120, blank=True)
    media_contact_phone = models.CharField(max_length=40, blank=True)
    media_contact_email = models.EmailField(blank=True)

    content_panels = [
        # As on every other page: typing the headline fills the slug (Promote tab) until
        # the release is live.
        TitleFieldPanel("title", heading="Headline", placeholder="Headline*"),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("operation"), FieldPanel("area")], "Related to"),
        MultiFieldPanel(
            [FieldPanel("spokesperson_quote"), FieldPanel("quote_attribution")],
            "Spokesperson quote",
        ),
        FieldPanel("notes_to_editors"),
        MultiFieldPanel(
            [
                FieldPanel("media_contact_name"),
                FieldPanel("media_contact_phone"),
                FieldPanel("media_contact_email"),
            ],
            "Media contact",
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["engagement.NewsroomPage"]
    subpage_types: list = []
    base_form_class = PressReleaseForm

    class Meta:
        verbose_name = "press release"

    def permissions_for_user(self, user):
        return PressReleasePermissionTester(user, self)

    def get_workflow(self):
        """A release in another language is signed off like its source: the sign-off
        workflow hangs from the newsroom, and a translated newsroom has none of its own."""
        workflow = super().get_workflow()
        if workflow is None and self.pk:
            source = (
                PressReleasePage.objects.filter(translation_key=self.translation_key)
                .exclude(pk=self.pk)
                .order_by("pk")
                .first()
            )
            if source is not None:
                workflow = Page.get_workflow(source)
        return workflow

    def publish(self, revision, user=None, log_action=True, **kwargs):
        """Nothing goes public unsigned: only the revision that completed both sign-off
        steps goes live or is scheduled, whoever asks (superusers and the scheduler too).
        The completed sign-off is the permission, so Wagtail's own check is skipped."""
        if PressReleaseSignOff.objects.letting_go_live(revision) is None:
            door = "scheduled" if log_action == "wagtail.publish.scheduled" else "publish"
            press_release_publish_refused(release=self, revision=revision, user=user, door=door)
            if door == "scheduled":
                return None  # the scheduler is told quietly
            raise PressReleaseNotSignedOff(
                "This version of the press release has not completed sign-off, so it cannot "
                "be published. Submit it to the sign-off workflow."
            )
        kwargs["skip_permission_checks"] = True
        return super().publish(revision, user=user, log_action=log_action, **kwargs)

    def save(self, *args, **kwargs):
        """The last line of defence: a release row never turns live (publishing, a copy
        kept live, a shell) unless its live revision completed sign-off."""
        update_fields = kwargs.get("update_fields")
        going_live = self.live and (
            update_fields is None or {"live", "live_revision"} & set(update_fields)
        )
        if going_live and not self._going_live_is_signed_off():
            raise PressReleaseNotSignedOff(
                "A press release goes public only through a completed sign-off."
            )
        return super().save(*args, **kwargs)

    def _going_live_is_signed_off(self) -> bool:
        """True unless saving would take live a revision that was not signed off."""
        if self.pk:
            before = (
                PressReleasePage.objects.filter(pk=self.pk)
                .values("live", "live_revision_id")
                .first()
            )
            if before and before["live"] and before["live_revision_id"] == self.live_revision_id:
                return True
        revision = self.live_revision if self.live_revision_id else None
        if revision is None or not self.pk or str(revision.object_id) != str(self.pk):
            # A copy kept live points at the original's revision: not its own sign-off.
            return False
        return PressReleaseSignOff.objects.letting_go_live(revision) is not None

    @path("print/", name="print")
    def printable(self, request):
        return TemplateResponse(
            request, "engagement/press_release_print.html", self.get_context(request)
        )


class PressReleaseApprovalTask(AbstractGroupApprovalTask):
    """A sign-off step for press releases in which nobody passes their own release, and
    nobody passes two steps of one: the person who submitted it, its owner, whoever wrote
    the revision under review and whoever signed the other step are offered no approval
    and are refused if they try. At the last step the approver may set the embargo as
    part of approving (see ``sign_off.press_release_step_prepare``)."""

    def get_actions(self, obj, user):
        if user_is_release_author(obj, user) or user_signed_earlier_step(obj, user):
            return []
        return super().get_actions(obj, user)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        # Wagtail runs a step's approval here, with no signal before it, and the approval
        # must set the embargo and record the signer in the same transaction.
        release = task_state.workflow_state.content_object
        if user_is_release_author(release, user, task_state):
            raise PermissionDenied("Nobody may approve their own press release.")
        if user_signed_earlier_step(release, user, task_state):
            raise PermissionDenied("One person may not sign off both steps of a press release.")
        if action_name == "approve":
            task_state = press_release_step_prepare(task_state=task_state, user=user)
            press_release_step_signed(task_state=task_state, user=user)
        # Decided from the dashboard or a listing (Wagtail's workflow-action view goes where
        # this returns; the editor ignores it and says the same in its own hook): a page
        # that says what happened and who is next, then the admin home.
        return super().on_action(task_state, user, action_name, **kwargs) or reverse(
            "engagement_press_release_decided", args=[task_state.pk]
        )

    def get_task_states_user_can_moderate(self, user, **kwargs):
        signed_other_step = TaskState.objects.filter(
            workflow_state=models.OuterRef("workflow_state"),
            revision=models.OuterRef("revision"),
            status=TaskState.STATUS_APPROVED,
            finished_by=user,
        )
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return (
            states.exclude(workflow_state__requested_by=user)
            .exclude(revision__user=user)
            .exclude(models.Exists(signed_other_step))
        )

    @classmethod
    def get_description(cls):
        return (
            "Members of the chosen groups sign the release off; never its own author, and "
            "never the person who signed the other step."
        )

    class Meta:
        verbose_name = "press release sign-off task"
        verbose_name_plural = "press release sign-off tasks"


class PressReleaseSignOffQuerySet(models.QuerySet):
    def letting_go_live(self, revision):
        """The completed sign-off that lets ``revision`` go public, or None: the release's
        latest sign-off must be of this very revision, and its content unchanged since."""
        if revision is None:
            return None
        latest = (
            self.filter(release_id=revision.object_id)
            .select_related("reviewed_by", "approved_by")
            .order_by("-signed_at", "-pk")
            .first()
        )
        if latest is None or latest.revision_id != revision.pk:
            return None
        if latest.fingerprint != press_release_fingerprint(revision):
            return None
        return latest


class PressReleaseSignOff(models.Model):
    """The record that a revision of a release completed both steps of sign-off, by whom
    and with which embargo. Publishing checks the revision against it (and its content
    against the fingerprint taken at sign-off), so only what was signed goes public."""

    release = models.ForeignKey(
        PressReleasePage, on_delete=models.CASCADE, related_name="sign_offs"
    )
    revision = models.OneToOneField(
        "wagtailcore.Revision", on_delete=models.CASCADE, related_name="press_release_sign_off"
    )
    workflow_state = models.ForeignKey(
        "wagtailcore.WorkflowState", null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who passed the first step (co-ordinator review).",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who passed the last step (spokesperson approval).",
    )
    go_live_at = models.DateTimeField(null=True, blank=True, help_text="The embargo signed off.")
    fingerprint = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)

    objects = PressReleaseSignOffQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-pk"]
        get_latest_by = ["signed_at", "pk"]

    def __str__(self):
        return f"{self.release} signed off at {self.signed_at:%Y-%m-%d %H:%M}"


class PressReleaseMailing(models.Model):
    """One media contact's copy of one published release: the ledger that makes the
    on-publication email go out once per contact, however often the task runs."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    release = models.ForeignKey(PressReleasePage, on_delete=models.CASCADE, related_name="mailings")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release", "email"]
        constraints = [
            models.UniqueConstraint(fields=["release", "email"], name="one_mailing_per_contact")
        ]

    def __str__(self):
        return f"{self.release} → {self.email}"


class PressReleaseNotice(models.Model):
    """One email about one step of a release's sign-off, to whoever is next: the
    approvers who may sign a step that has opened, or the author told of a step approved
    or of changes requested. One row per (step, kind) and stamped as it is sent, so a
    retried task sends it once. These take the place of Wagtail's own workflow emails for
    press releases (see ``engagement.press.signals``)."""

    class Kind(models.TextChoices):
        STEP_OPEN = "step_open", "Sign-off needed"
        STEP_APPROVED = "step_approved", "Step approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    task_state = models.ForeignKey(
        "wagtailcore.TaskState", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task_state", "kind"], name="one_notice_per_step_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.task_state_id})"
