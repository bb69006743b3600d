from signpost.roles import (
    ANALYST,
    APPROVER,
    COMMUNICATIONS_OFFICER,
    NEIGHBOURHOOD_TEAM,
    PARTNER_VIEWER,
)

_EDIT = [
    f"engagement.{action}_{model}"
    for model in (
        "area",
        "operation",
        "activity",
        "stakeholder",
        "engagement",
        "concerntheme",
        "mediaenquiry",
    )
    for action in ("add", "change", "delete", "view")
] + [
    "engagement.view_stakeholderassessment",
    "engagement.view_stakeholder_contact",
    "engagement.view_stakeholder_grid",
    "engagement.view_pressreleasemailing",
]
_VIEW = ["engagement.view_area", "engagement.view_operation", "engagement.view_activity"]

ROLE_PERMISSIONS = {
    COMMUNICATIONS_OFFICER: _EDIT,
    APPROVER: _EDIT,
    # Neighbourhood teams log engagements and see the register (names, quadrants) but
    # no contact details.
    NEIGHBOURHOOD_TEAM: _VIEW
    + [
        "engagement.view_stakeholder",
        "engagement.view_stakeholder_grid",
        "engagement.add_engagement",
        "engagement.change_engagement",
        "engagement.view_engagement",
        "engagement.view_concerntheme",
    ],
    ANALYST: _VIEW + ["engagement.view_stakeholder_grid"],
    # Partners read the grid and the counts only: no names, no contacts.
    PARTNER_VIEWER: _VIEW + ["engagement.view_stakeholder_grid"],
}
