"""Who works with recorded crime: analysts import police.uk files, draw areas and run
evaluations. Others see an evaluation only as a report's or the dashboard's section, with
small counts hidden."""

from signpost.roles import ANALYST

_MODELS = ["crimearea", "evaluation"]

ROLE_PERMISSIONS = {
    ANALYST: [
        f"evaluation.{action}_{model}"
        for model in _MODELS
        for action in ("add", "change", "delete", "view")
    ]
    + ["evaluation.add_crimeimport", "evaluation.view_crimeimport"],
}
