"""The communication plan, the newsroom, press releases and their sign-off, and the media
enquiry log (guide, sections 3, 4 and 8)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from signpost.blocks import RICH_TEXT_FEATURES, BodyBlock
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    AbstractGroupApprovalTask,
    Page,
    PagePermissionTester,
    PageViewRestriction,
)
from wagtail.search import index

from engagement.activities.models import Activity
from engagement.places.models import Area, Operation

from .forms import PressReleaseForm
from .permissions import (
    NewsroomPermissionTester,
    PressReleasePermissionTester,
    user_is_release_author,
    user_signed_earlier_step,
)

# --- Communication plan, newsroom and press releases ---------------------------------
# Guide, section 3 ("Develop a communication plan"), section 4 ("Beware of the local
# press!") and section 8 ("Press releases"): one plan agreed early, one spokesperson, and
# nothing said to the press without sign-off.


class ChannelBlock(blocks.StructBlock):
    """One channel of the plan and how the initiative uses it (guide, section 8)."""

    mode = blocks.ChoiceBlock(choices=Activity.Mode.choices)
    audience = blocks.CharBlock(max_length=200, required=False)
    how_used = blocks.TextBlock(help_text="What it is used for, when and how often.")

    class Meta:
        icon = "mail"
        label = "Channel"


class ProtocolRuleBlock(blocks.StructBlock):
    """A line of the media-enquiry protocol: who answers what, and how fast."""

    subject = blocks.CharBlock(
        max_length=200, help_text="e.g. 'Operational detail of arrests', 'Treatment services'."
    )
    answered_by = blocks.CharBlock(max_length=200, help_text="Role or partner who answers.")
    respond_within_hours = blocks.IntegerBlock(min_value=1, max_value=24 * 14, default=4)

    class Meta:
        icon = "help"
        label = "Protocol rule"


class CommunicationPlanPage(Page):
    """The initiative's communication plan, agreed at the planning stage (guide, section
    3): aim, key messages, audiences by the interest/influence grid, channels, the
    spokesperson and the media-enquiry protocol. Visible to staff and partners only."""

    aim = models.TextField(
        help_text="Framed as crime reduction: what the communication is for.",
    )
    key_messages = StreamField(
        [("message", blocks.CharBlock(max_length=300))],
        blank=True,
        use_json_field=True,
    )
    audience_notes = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="How each quadrant of the grid is approached; the counts come from the register.",
    )
    channels = StreamField([("channel", ChannelBlock())], blank=True, use_json_field=True)
    spokesperson_name = models.CharField(max_length=120)
    spokesperson_role = models.CharField(max_length=160, blank=True)
    spokesperson_contact = models.CharField(max_length=200, blank=True)
    media_protocol = StreamField(
        [("rule", ProtocolRuleBlock())],
        blank=True,
        use_json_field=True,
        verbose_name="media-enquiry protocol",
    )
    review_date = models.DateField(help_text="When the partners next review the plan.")

    content_panels = Page.content_panels + [
        FieldPanel("aim"),
        FieldPanel("key_messages"),
        FieldPanel("audience_notes"),
        FieldPanel("channels"),
        MultiFieldPanel(
            [
                FieldPanel("spokesperson_name"),
                FieldPanel("spokesperson_role"),
                FieldPanel("spokesperson_contact"),
            ],
            "Spokesperson",
        ),
        FieldPanel("media_protocol"),
        FieldPanel("review_date"),
    ]
    parent_page_types = ["signpost.HomePage"]
    subpage_types: list = []
    max_count = 1

    class Meta:
        verbose_name = "communication plan"

    # Only the roles' restriction is offered, and only a superuser may change it.
    private_page_options = ["groups"]

    def permissions_for_user(self, user):
        return CommunicationPlanPermissionTester(user, self)

    def save(self, *args, **kwargs):
        """The plan is never public: whoever creates or edits it, the page keeps a
        restriction to the initiative's roles."""
        super().save(*args, **kwargs)
        if self.pk:
            communication_plan_restrict(self)

    @property
    def review_is_due(self) -> bool:
        return self.review_date <= timezone.localdate()

    def get_context(self, request, *args, **kwargs):
        from engagement.activities.selectors import activity_plan_summary
        from engagement.stakeholders.selectors import plan_audiences

        context = super().get_context(request, *args, **kwargs)
        context["audiences"] = plan_audiences()
        context["calendar"] = activity_plan_summary()
        modes = dict(Activity.Mode.choices)
        context["channels"] = [
            {**block.value, "label": modes.get(block.value["mode"], block.value["mode"])}
            for block in self.channels
        ]
        return context


class CommunicationPlanPermissionTester(PagePermissionTester):
    """Editors keep the plan, but its privacy setting is not theirs to lift: the plan's
    own restriction is put back on every save, and until then it would be public."""

    def can_set_view_restrictions(self):
        return self.user.is_active and self.user.is_superuser


def communication_plan_restrict(page: Page) -> None:
    """Restrict a page to the initiative's roles (staff and partner viewers)."""
    from django.contrib.auth.models import Group
    from signpost.roles import ROLES

    restriction = PageViewRestriction.objects.filter(
        page=page, restriction_type=PageViewRestriction.GROUPS
    ).first()
    if restriction is None:
        PageViewRestriction.objects.filter(page=page).delete()
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
    restriction.groups.set(Group.objects.filter(name__in=ROLES))


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
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.releases().select_related("area", "operation"), 10)
        context["releases"] = paginator.get_page(request.GET.get("page"))
        return context

    @path("feed/rss/", name="rss")
    def rss_feed(self, request):
        from .feeds import PressReleaseRssFeed

        return PressReleaseRssFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom_feed(self, request):
        from .feeds import PressReleaseAtomFeed

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
        FieldPanel("title", heading="Headline"),
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

    def publish(self, revision, user=None, log_action=True, **kwargs):
        """Nothing goes public unsigned: only the revision that completed both sign-off
        steps goes live or is scheduled, whoever asks (superusers and the scheduler too).
        The completed sign-off is the permission, so Wagtail's own check is skipped."""
        from .selectors import press_release_sign_off
        from .services import press_release_publish_refuse

        if press_release_sign_off(revision=revision) is None:
            return press_release_publish_refuse(
                release=self,
                revision=revision,
                user=user,
                door="scheduled" if log_action == "wagtail.publish.scheduled" else "publish",
            )
        kwargs["skip_permission_checks"] = True
        return super().publish(revision, user=user, log_action=log_action, **kwargs)

    def save(self, *args, **kwargs):
        """The last line of defence: a release row never turns live (publishing, a copy
        kept live, a shell) unless its live revision completed sign-off."""
        update_fields = kwargs.get("update_fields")
        if self.live and (update_fields is None or {"live", "live_revision"} & set(update_fields)):
            from .selectors import press_release_going_live_is_signed_off

            if not press_release_going_live_is_signed_off(release=self):
                raise PressReleaseNotSignedOff(
                    "A press release goes public only through a completed sign-off."
                )
        return super().save(*args, **kwargs)

    @path("print/", name="print")
    def printable(self, request):
        from django.template.response import TemplateResponse

        return TemplateResponse(
            request, "engagement/press_release_print.html", self.get_context(request)
        )


class PressReleaseApprovalTask(AbstractGroupApprovalTask):
    """A sign-off step for press releases in which nobody passes their own release, and
    nobody passes two steps of one: the person who submitted it, its owner, whoever wrote
    the revision under review and whoever signed the other step are offered no approval
    and are refused if they try. At the last step the approver may set the embargo as
    part of approving (see ``services.press_release_step_prepare``)."""

    def get_actions(self, obj, user):
        if user_is_release_author(obj, user) or user_signed_earlier_step(obj, user):
            return []
        return super().get_actions(obj, user)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        from .services import press_release_step_prepare, press_release_step_signed

        release = task_state.workflow_state.content_object
        if user_is_release_author(release, user, task_state):
            raise PermissionDenied("Nobody may approve their own press release.")
        if user_signed_earlier_step(release, user, task_state):
            raise PermissionDenied("One person may not sign off both steps of a press release.")
        if action_name != "approve":
            return super().on_action(task_state, user, action_name, **kwargs)
        task_state = press_release_step_prepare(task_state=task_state, user=user)
        press_release_step_signed(task_state=task_state, user=user)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from wagtail.models import TaskState

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


class MediaEnquiryQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=MediaEnquiry.OPEN_STATUSES)

    def overdue(self, now=None):
        return self.open().filter(deadline__lt=now or timezone.now())


class MediaEnquiry(index.Indexed, models.Model):
    """A journalist's question, answered under the plan's media-enquiry protocol by the
    person the protocol names, before the outlet's deadline (guide, sections 3 and 4)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_HAND = "in_hand", "Being handled"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined to comment"
        REFERRED = "referred", "Referred to a partner"

    OPEN_STATUSES = (Status.NEW, Status.IN_HAND)

    received_at = models.DateTimeField(default=timezone.now, verbose_name="received")
    outlet = models.CharField(max_length=160)
    journalist = models.CharField(max_length=160)
    journalist_contact = models.CharField(
        max_length=200, blank=True, help_text="Telephone or email to reply to."
    )
    question = models.TextField()
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_enquiries",
        help_text="Who answers, under the plan's media-enquiry protocol.",
    )
    protocol_subject = models.CharField(
        max_length=200, blank=True, help_text="Which line of the protocol applies."
    )
    deadline = models.DateTimeField(help_text="When the outlet needs an answer.")
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release = models.ForeignKey(
        PressReleasePage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enquiries",
        help_text="The release the enquiry follows, if any.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    response = models.TextField(blank=True, help_text="What was said, on the record.")
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = MediaEnquiryQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("received_at"),
                FieldPanel("outlet"),
                FieldPanel("journalist"),
                FieldPanel("journalist_contact"),
            ],
            "Enquiry",
        ),
        FieldPanel("question"),
        MultiFieldPanel(
            [
                FieldPanel("protocol_subject"),
                FieldPanel("handler"),
                FieldPanel("deadline"),
                FieldPanel("operation"),
                FieldPanel("release"),
            ],
            "Handling under the protocol",
        ),
        MultiFieldPanel(
            [FieldPanel("status"), FieldPanel("response"), FieldPanel("responded_at")],
            "Response",
        ),
    ]
    search_fields = [
        index.SearchField("outlet"),
        index.SearchField("journalist"),
        index.SearchField("question"),
        index.AutocompleteField("outlet"),
    ]

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "media enquiries"

    def __str__(self):
        return f"{self.outlet}: {self.question[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.now()

    def clean(self):
        errors = {}
        if self.deadline and self.received_at and self.deadline < self.received_at:
            errors["deadline"] = "The deadline cannot be before the enquiry was received."
        if self.status in (self.Status.ANSWERED, self.Status.DECLINED) and not self.response:
            errors["response"] = "Record what was said (or that we declined to comment)."
        if self.status == self.Status.ANSWERED and not self.responded_at:
            self.responded_at = timezone.now()
        if errors:
            raise ValidationError(errors)
