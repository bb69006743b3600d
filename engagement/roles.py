from signpost.roles import (
    ANALYST,
    APPROVER,
    COMMUNICATIONS_OFFICER,
    NEIGHBOURHOOD_TEAM,
    PARTNER_VIEWER,
)

_EDIT = [
    f"engagement.{action}_{model}"
    for model in ("area", "operation", "activity")
    for action in ("add", "change", "delete", "view")
]
_VIEW = ["engagement.view_area", "engagement.view_operation", "engagement.view_activity"]

ROLE_PERMISSIONS = {
    COMMUNICATIONS_OFFICER: _EDIT,
    APPROVER: _EDIT,
    NEIGHBOURHOOD_TEAM: _VIEW,
    ANALYST: _VIEW,
    PARTNER_VIEWER: _VIEW,
}
