"""The press sub-package's models, one module per concern."""

from .enquiries import MediaEnquiry, MediaEnquiryQuerySet
from .plan import (
    ChannelBlock,
    CommunicationPlanPage,
    CommunicationPlanPermissionTester,
    ProtocolRuleBlock,
    communication_plan_restrict,
)
from .releases import (
    NewsroomPage,
    PressReleaseApprovalTask,
    PressReleaseMailing,
    PressReleaseNotice,
    PressReleaseNotSignedOff,
    PressReleasePage,
    PressReleaseSignOff,
)

__all__ = [
    "ChannelBlock",
    "CommunicationPlanPage",
    "CommunicationPlanPermissionTester",
    "MediaEnquiry",
    "MediaEnquiryQuerySet",
    "NewsroomPage",
    "PressReleaseApprovalTask",
    "PressReleaseMailing",
    "PressReleaseNotice",
    "PressReleaseNotSignedOff",
    "PressReleasePage",
    "PressReleaseSignOff",
    "ProtocolRuleBlock",
    "communication_plan_restrict",
]
