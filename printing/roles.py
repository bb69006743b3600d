from signpost.roles import (
    ANALYST,
    APPROVER,
    COMMUNICATIONS_OFFICER,
    NEIGHBOURHOOD_TEAM,
    PARTNER_VIEWER,
)

_TEMPLATES = [f"printing.{action}_printtemplate" for action in ("add", "change", "delete", "view")]
_RUNS = ["printing.add_printrun", "printing.view_printrun"]
_SIGNS = ["printing.view_sign", "printing.change_sign"]

ROLE_PERMISSIONS = {
    # Comms officers and approvers keep the words; neighbourhood teams print and log signs.
    COMMUNICATIONS_OFFICER: _TEMPLATES + _RUNS + _SIGNS,
    APPROVER: _TEMPLATES + _RUNS + _SIGNS,
    NEIGHBOURHOOD_TEAM: ["printing.view_printtemplate"] + _RUNS + _SIGNS,
    ANALYST: ["printing.view_printrun"],
    PARTNER_VIEWER: ["printing.view_printrun"],
}
