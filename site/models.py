"""Pages and settings of the public site that every app hangs from."""

from django.conf import settings
from django.db import models
from wagtail import blocks, hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page
from wagtail.search import index

from .blocks import RICH_TEXT_FEATURES, BodyBlock, HomeSectionsBlock, home_sections_default
from .privacy import privacy_facts
from .storage import private_storage

HOME_PAGE_CONTEXT_HOOK = "signpost_home_page_context"


class HomePage(Page):
    """The initiative's front door (guide, section 8): what is happening near me, the
    latest news, the open surveys, email updates, how to pass on information safely and
    where to get help with drug use, each a section the communications officer can
    reword, reorder or remove."""

    introduction = models.TextField(
        blank=True, help_text="One or two plain sentences under the title."
    )
    sections = StreamField(
        HomeSectionsBlock(),
        blank=True,
        default=home_sections_default,
        use_json_field=True,
        help_text="What residents find on the home page, in this order.",
    )
    body = StreamField(
        BodyBlock(),
        blank=True,
        use_json_field=True,
        verbose_name="more about the initiative",
        help_text="Shown after the sections.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("sections"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    def content(self) -> dict:
        """What the home page's sections list. Apps add their part through the
        ``signpost_home_page_context`` hook (a function of the page returning a dict), so
        the project package never imports the apps that sit above it."""
        content: dict = {}
        for provider in hooks.get_hooks(HOME_PAGE_CONTEXT_HOOK):
            content.update(provider(self))
        return content

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.content())
        types = {block.block_type for block in self.sections}
        context["guidance_in_sections"] = {"report_information", "drugs_help"} <= types
        return context


class ContentPage(Page):
    """A plain page: about the initiative, privacy notice, accessibility statement."""

    introduction = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]


class PrivacyNoticePage(Page):
    """What Signpost holds about residents and why. The editable wording sits around a
    summary drawn from the running settings (retention, suppression, who to contact), so
    the notice stays true when those change."""

    introduction = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    parent_page_types = ["signpost.HomePage"]
    max_count = 1
    template = "signpost/privacy_notice_page.html"

    class Meta:
        verbose_name = "privacy notice"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["facts"] = privacy_facts(InitiativeSettings.for_request(request))
        return context


class PartnerBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=120)
    logo = ImageBlock(required=False)
    url = blocks.URLBlock(required=False)


@register_setting(icon="site")
class InitiativeSettings(BaseSiteSetting):
    """Who the initiative is: shown on every page, email and printed leaflet."""

    name = models.CharField(max_length=120, default="Safer Streets Initiative")
    strapline = models.CharField(max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    report_information_text = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="How to pass on information safely, e.g. Crimestoppers anonymously on 0800 555 111.",
    )
    help_with_drugs_text = RichTextField(
        features=RICH_TEXT_FEATURES, blank=True, help_text="Where to get help with drug use."
    )
    partners = StreamField([("partner", PartnerBlock())], blank=True, use_json_field=True)
    data_controller = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who is responsible for residents' data, e.g. Harbridge Borough Council.",
    )
    data_protection_contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where residents ask for a copy of their data or its erasure (email or address).",
    )
    privacy_notice_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Linked from every page's footer.",
    )
    accessibility_statement_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Linked from every page's footer.",
    )

    select_related = ["logo", "privacy_notice_page", "accessibility_statement_page"]

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("strapline"), FieldPanel("logo")], "Identity"
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_phone"),
                FieldPanel("postal_address"),
            ],
            "Contact details",
        ),
        FieldPanel("report_information_text"),
        FieldPanel("help_with_drugs_text"),
        FieldPanel("partners"),
        MultiFieldPanel(
            [
                FieldPanel("data_controller"),
                FieldPanel("data_protection_contact"),
                FieldPanel("privacy_notice_page"),
                FieldPanel("accessibility_statement_page"),
            ],
            "Privacy and accessibility",
        ),
    ]

    class Meta:
        verbose_name = "initiative settings"


class Job(models.Model):
    """One piece of background work, written down before its message goes to the broker
    (``signpost.jobs``): the ledger beat reads to resume work whose worker died or whose
    message was lost, the outbox a public form leaves its work in while the broker is
    down, and the list staff retry a stuck job from."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    task = models.CharField(max_length=100)
    key = models.CharField(max_length=200, help_text="One unfinished job per key.")
    label = models.CharField(max_length=200, blank=True)
    queue = models.CharField(max_length=100, blank=True, help_text="Empty: the task's own route.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    stall_seconds = models.PositiveIntegerField(
        default=300, help_text="Resumed when this long passes without a sign of life."
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_unfinished_job_per_key",
            )
        ]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat")]

    def __str__(self):
        return self.label or self.key


class PreparedExport(models.Model):
    """A listing's export too large to build within a request (gunicorn kills a request
    after a minute), prepared by a worker instead (``signpost.prepared_exports``): which
    listing, with which filters, search and ordering, for whom, and the file once ready,
    kept in private storage until it expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prepared_exports"
    )
    title = models.CharField(max_length=200, help_text="The listing, as its page names it.")
    url_name = models.CharField(
        max_length=200, blank=True, help_text="The listing's URL name, if it has one."
    )
    path = models.CharField(max_length=300, help_text="The listing's address when asked for.")
    url_kwargs = models.JSONField(default=dict, blank=True)
    query_string = models.TextField(blank=True, help_text="Filters, search and ordering.")
    export_format = models.CharField(max_length=8, choices=Format.choices)
    permissions = models.JSONField(
        default=list, help_text="Any one of these lets the user have the file."
    )
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    # Private: a register's export is every resident's address (signpost.storage).
    file = models.FileField(upload_to="exports/", storage=private_storage, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["user", "-requested_at"], name="prepared_export_user"),
            models.Index(fields=["expires_at"], name="prepared_export_expiry"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_export_format_display()})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
