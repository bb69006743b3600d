"""The stakeholder register (guide section 8, "Framework for communication", Figure 2):
each stakeholder scored on interest and influence, the history of those scores, and
the alerts a rise in interest raises."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.search import index

from engagement.places.models import Area

INTEREST_MEANINGS = {
    1: "No apparent interest in the local drugs problem or the initiative.",
    2: "Aware of the problem; takes an interest now and then but rarely acts on it.",
    3: "Clear interest: follows developments and raises the problem from time to time.",
    4: "Strong interest: raises the problem regularly, attends meetings, asks for updates.",
    5: "Intense interest: campaigns on the problem or is directly affected and vocal about it.",
}
INFLUENCE_MEANINGS = {
    1: "Little or no influence over the problem or over the initiative's delivery.",
    2: "Some influence within a small circle: a street, a club, a congregation.",
    3: "Moderate influence: speaks for a group or an organisation in the area.",
    4: "Strong influence: shapes opinion or decisions across the area.",
    5: "Decisive influence: can enable or block the initiative's delivery.",
}
SCORE_CHOICES = [(n, f"{n}") for n in range(1, 6)]
INTEREST_CHOICES = [(n, f"{n} – {text}") for n, text in INTEREST_MEANINGS.items()]
INFLUENCE_CHOICES = [(n, f"{n} – {text}") for n, text in INFLUENCE_MEANINGS.items()]


def grid_threshold() -> int:
    """A score at or above the threshold counts as 'high' on the grid."""
    return int(getattr(settings, "SIGNPOST_GRID_THRESHOLD", 3))


class Quadrant(models.TextChoices):
    """The four strategies of the guide's Figure 2."""

    INVOLVE = "involve", "Involve"
    CONSULT = "consult", "Consult"
    INFORM = "inform", "Inform"
    WATCH = "watch", "Watch"

    @classmethod
    def for_scores(cls, interest: int | None, influence: int | None) -> "Quadrant | None":
        if interest is None or influence is None:
            return None
        threshold = grid_threshold()
        high_interest, high_influence = interest >= threshold, influence >= threshold
        if high_interest:
            return cls.INVOLVE if high_influence else cls.CONSULT
        return cls.INFORM if high_influence else cls.WATCH


def quadrant_expression(prefix: str = "") -> models.Case:
    """The quadrant as a database expression, so listing, filtering and counting by
    quadrant stay in SQL."""
    threshold = grid_threshold()
    interest, influence = f"{prefix}interest", f"{prefix}influence"
    return models.Case(
        models.When(
            **{f"{interest}__gte": threshold, f"{influence}__gte": threshold},
            then=models.Value(Quadrant.INVOLVE.value),
        ),
        models.When(**{f"{interest}__gte": threshold}, then=models.Value(Quadrant.CONSULT.value)),
        models.When(**{f"{influence}__gte": threshold}, then=models.Value(Quadrant.INFORM.value)),
        models.When(**{f"{interest}__isnull": False}, then=models.Value(Quadrant.WATCH.value)),
        default=models.Value(""),
        output_field=models.CharField(max_length=16),
    )


class StakeholderQuerySet(models.QuerySet):
    def with_quadrant(self):
        return self.annotate(current_quadrant=quadrant_expression())

    def in_quadrant(self, quadrant: str):
        return self.with_quadrant().filter(current_quadrant=quadrant)

    def assessed(self):
        return self.filter(interest__isnull=False, influence__isnull=False)

    def action_overdue(self, on=None):
        return self.filter(next_action_due__lt=on or timezone.localdate())

    def quadrant_counts(self) -> dict[str, int]:
        """How many assessed stakeholders sit in each quadrant, keyed by ``Quadrant`` value
        (every quadrant present, zero if empty)."""
        rows = (
            self.assessed()
            .with_quadrant()
            .order_by()
            .values("current_quadrant")
            .annotate(n=models.Count("pk"))
        )
        counts = {quadrant.value: 0 for quadrant in Quadrant}
        counts.update({row["current_quadrant"]: row["n"] for row in rows})
        return counts


class StakeholderTag(TaggedItemBase):
    content_object = ParentalKey(
        "engagement.Stakeholder", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Stakeholder(index.Indexed, ClusterableModel):
    """A person or organisation who matters to the initiative, placed on the
    interest/influence grid (guide section 8, Figure 2) to decide how to engage them.

    ``interest`` and ``influence`` are copies of the latest assessment, written only by
    ``stakeholders.services.stakeholder_assess``; the quadrant is derived from them.
    """

    class Type(models.TextChoices):
        COMMUNITY_LEADER = "community_leader", "Community leader"
        ELECTED_MEMBER = "elected_member", "Elected member"
        RESIDENT_GROUP = "resident_group", "Residents' group"
        PARTNER_PROFESSIONAL = "partner_professional", "Partner professional"
        NEIGHBOURING_AREA = "neighbouring_area", "Neighbouring-area representative"
        FAITH_GROUP = "faith_group", "Faith group"
        YOUTH_GROUP = "youth_group", "Youth group"
        LOCAL_BUSINESS = "local_business", "Local business"
        MEDIA = "media", "Media"
        OTHER = "other", "Other"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        POST = "post", "Post"
        IN_PERSON = "in_person", "In person"

    class LawfulBasis(models.TextChoices):
        """UK GDPR article 6 bases that fit holding a stakeholder's contact details."""

        CONSENT = "consent", "Consent"
        LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests"
        PUBLIC_TASK = "public_task", "Public task"
        CONTRACT = "contract", "Contract"

    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    position = models.CharField(max_length=200, blank=True, help_text="Role or job title.")
    stakeholder_type = models.CharField("type", max_length=32, choices=Type.choices)
    areas = ParentalManyToManyField(Area, blank=True, related_name="stakeholders")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    preferred_channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    lawful_basis = models.CharField(
        max_length=32,
        choices=LawfulBasis.choices,
        help_text="Why Signpost may hold this stakeholder's details.",
    )
    consent_to_contact = models.BooleanField(
        default=False, help_text="The stakeholder agreed to be contacted by the initiative."
    )
    consent_recorded_on = models.DateField(null=True, blank=True)
    newsletter_list = models.BooleanField(
        "on the newsletter list", default=False, help_text="Receives the initiative's newsletter."
    )
    notes = models.TextField(blank=True)
    tags = ClusterTaggableManager(through=StakeholderTag, blank=True)

    # Written only by the services, never typed in.
    interest = models.PositiveSmallIntegerField(null=True, editable=False)
    influence = models.PositiveSmallIntegerField(null=True, editable=False)
    assessed_on = models.DateField(null=True, editable=False)
    last_engaged_on = models.DateField(null=True, editable=False)
    next_action_due = models.DateField(null=True, editable=False, db_index=True)
    overdue_reminded_for = models.DateField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StakeholderQuerySet.as_manager()

    # Indexed by stakeholders.search's receivers, which an import can defer to one bulk write.
    search_auto_update = False
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("organisation"),
        index.AutocompleteField("organisation"),
        index.SearchField("notes"),
        index.FilterField("stakeholder_type"),
    ]

    CONTACT_FIELDS = ("email", "phone", "address", "preferred_channel")

    class Meta:
        ordering = ["name", "organisation"]
        permissions = [
            ("view_stakeholder_contact", "Can see stakeholders' contact details"),
            ("view_stakeholder_grid", "Can see the stakeholder grid and counts"),
        ]
        # The register's default order, its organisation and score sorts read a page from
        # an index; the grid's per-cell lists read each cell in name order.
        indexes = [
            models.Index(fields=["name", "organisation"], name="stakeholder_name_idx"),
            models.Index(fields=["interest", "influence", "name"], name="stakeholder_cell_idx"),
            models.Index(fields=["influence", "interest"], name="stakeholder_influence_idx"),
            models.Index(fields=["organisation", "name"], name="stakeholder_organisation_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interest__isnull=True) | models.Q(interest__range=(1, 5)),
                name="stakeholder_interest_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(influence__isnull=True) | models.Q(influence__range=(1, 5)),
                name="stakeholder_influence_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    @property
    def quadrant(self) -> Quadrant | None:
        return Quadrant.for_scores(self.interest, self.influence)

    def quadrant_label(self) -> str:
        quadrant = self.quadrant
        return quadrant.label if quadrant else "Not yet scored"

    def areas_label(self) -> str:
        if hasattr(self, "areas_joined"):  # an export's row carries the names
            return self.areas_joined or ""
        return ", ".join(area.name for area in self.areas.all())

    def clean(self):
        errors = {}
        if self.consent_to_contact and not self.consent_recorded_on:
            errors["consent_recorded_on"] = "Record the date the stakeholder gave consent."
        if self.lawful_basis == self.LawfulBasis.CONSENT and not self.consent_to_contact:
            errors["consent_to_contact"] = (
                "The lawful basis is consent, so the stakeholder's consent must be recorded."
            )
        if errors:
            raise ValidationError(errors)


class StakeholderAssessment(models.Model):
    """One dated scoring of a stakeholder's interest and influence, with who scored it
    and why. The register's history and each stakeholder's trail on the grid come from
    these rows."""

    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="assessments"
    )
    interest = models.PositiveSmallIntegerField(
        choices=INTEREST_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    influence = models.PositiveSmallIntegerField(
        choices=INFLUENCE_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(help_text="Why the scores are what they are, or why they changed.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        get_latest_by = ["assessed_on", "created_at"]
        # A stakeholder's trail and "the scoring before this one" (the dashboard's quadrant
        # moves) read one stakeholder's rows in date order; a period's moves read a date range.
        indexes = [
            models.Index(
                fields=["stakeholder", "assessed_on", "created_at"], name="assessment_trail_idx"
            ),
            models.Index(fields=["assessed_on"], name="assessment_assessed_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interest__range=(1, 5)), name="assessment_interest_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(influence__range=(1, 5)), name="assessment_influence_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.stakeholder.name}: interest {self.interest}, influence {self.influence} ({self.assessed_on:%d %b %Y})"

    @property
    def quadrant(self) -> Quadrant:
        return Quadrant.for_scores(self.interest, self.influence)


class StakeholderAlert(models.Model):
    """A watched or informed stakeholder whose interest rose across the threshold, or by
    two points or more: time for a new strategy. One row per rising assessment, so the
    communications officers are told once per rise, not at every save."""

    class Reason(models.TextChoices):
        CROSSED_THRESHOLD = "crossed_threshold", "Interest rose across the threshold"
        ROSE_TWO_POINTS = "rose_two_points", "Interest rose by two points or more"

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="alerts")
    assessment = models.OneToOneField(
        StakeholderAssessment, on_delete=models.CASCADE, related_name="alert"
    )
    reason = models.CharField(max_length=32, choices=Reason.choices)
    from_interest = models.PositiveSmallIntegerField()
    to_interest = models.PositiveSmallIntegerField()
    from_quadrant = models.CharField(max_length=16, choices=Quadrant.choices)
    to_quadrant = models.CharField(max_length=16, choices=Quadrant.choices)
    raised_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self):
        return f"{self.stakeholder.name}: interest {self.from_interest} → {self.to_interest}"
