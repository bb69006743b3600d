"""The stakeholders sub-package's models: the register and the engagement log."""

from .log import ConcernTheme, Engagement, EngagementQuerySet
from .register import (
    INFLUENCE_CHOICES,
    INFLUENCE_MEANINGS,
    INTEREST_CHOICES,
    INTEREST_MEANINGS,
    SCORE_CHOICES,
    Quadrant,
    Stakeholder,
    StakeholderAlert,
    StakeholderAssessment,
    StakeholderQuerySet,
    StakeholderTag,
    grid_threshold,
    quadrant_expression,
)

__all__ = [
    "INFLUENCE_CHOICES",
    "INFLUENCE_MEANINGS",
    "INTEREST_CHOICES",
    "INTEREST_MEANINGS",
    "SCORE_CHOICES",
    "ConcernTheme",
    "Engagement",
    "EngagementQuerySet",
    "Quadrant",
    "Stakeholder",
    "StakeholderAlert",
    "StakeholderAssessment",
    "StakeholderQuerySet",
    "StakeholderTag",
    "grid_threshold",
    "quadrant_expression",
]
