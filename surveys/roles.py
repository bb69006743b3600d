from signpost.roles import (
    ANALYST,
    APPROVER,
    COMMUNICATIONS_OFFICER,
    NEIGHBOURHOOD_TEAM,
    PARTNER_VIEWER,
)

_WAVES = [f"surveys.{action}_surveywave" for action in ("add", "change", "delete", "view")]
_READ = ["surveys.view_surveywave", "surveys.view_response"]
# The areas' census margins the waves are weighted to: the analyst keeps them.
_POPULATION = [
    f"surveys.{action}_populationmargins" for action in ("add", "change", "delete", "view")
]

ROLE_PERMISSIONS = {
    # Analysts run surveys and read everything, including the anonymous raw answers.
    ANALYST: _WAVES
    + [
        "surveys.view_response",
        "surveys.export_response",
        "surveys.add_responsecode",
        "surveys.view_responsecode",
    ]
    + _POPULATION,
    # Others read the comparison (aggregates, small counts suppressed).
    COMMUNICATIONS_OFFICER: _READ,
    APPROVER: _READ,
    PARTNER_VIEWER: _READ,
    # Neighbourhood teams print leaflets carrying a wave's household codes.
    NEIGHBOURHOOD_TEAM: ["surveys.view_surveywave", "surveys.add_responsecode"],
}
