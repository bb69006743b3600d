"""The engagement app's models, defined in its sub-packages and gathered here, where
Django and Wagtail look for them (the app label stays ``engagement``):

- ``places``: areas and operations;
- ``activities``: the communication plan's activity calendar;
- ``stakeholders``: the stakeholder register and the engagement log;
- ``press``: the plan, the newsroom, press releases and their sign-off, media enquiries.
"""

from .activities.models import Activity
from .places.models import Area, Operation, normalise_postcode, normalise_prefix
from .press.models import (
    ChannelBlock,
    CommunicationPlanPage,
    MediaEnquiry,
    NewsroomPage,
    PressReleaseApprovalTask,
    PressReleaseMailing,
    PressReleaseNotice,
    PressReleaseNotSignedOff,
    PressReleasePage,
    PressReleaseSignOff,
    ProtocolRuleBlock,
)
from .stakeholders.models import (
    INFLUENCE_CHOICES,
    INFLUENCE_MEANINGS,
    INTEREST_CHOICES,
    INTEREST_MEANINGS,
    ConcernTheme,
    Engagement,
    Quadrant,
    Stakeholder,
    StakeholderAlert,
    StakeholderAssessment,
    StakeholderTag,
    grid_threshold,
    quadrant_expression,
)

__all__ = [
    "INFLUENCE_CHOICES",
    "INFLUENCE_MEANINGS",
    "INTEREST_CHOICES",
    "INTEREST_MEANINGS",
    "Activity",
    "Area",
    "ChannelBlock",
    "CommunicationPlanPage",
    "ConcernTheme",
    "Engagement",
    "MediaEnquiry",
    "NewsroomPage",
    "Operation",
    "PressReleaseApprovalTask",
    "PressReleaseMailing",
    "PressReleaseNotice",
    "PressReleaseNotSignedOff",
    "PressReleasePage",
    "PressReleaseSignOff",
    "ProtocolRuleBlock",
    "Quadrant",
    "Stakeholder",
    "StakeholderAlert",
    "StakeholderAssessment",
    "StakeholderTag",
    "grid_threshold",
    "normalise_postcode",
    "normalise_prefix",
    "quadrant_expression",
]
