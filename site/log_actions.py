"""Renaming audit-log actions without losing the history recorded under the old names."""


def rename_log_actions(apps, renamed: dict[str, str], *, backwards: bool = False) -> None:
    """For a data migration: rewrite recorded log entries (model and page history) from
    each old action name to its new one (or back), so the history keeps its labels."""
    if backwards:
        renamed = {new: old for old, new in renamed.items()}
    for label in ("wagtailcore.ModelLogEntry", "wagtailcore.PageLogEntry"):
        log_entry = apps.get_model(label)
        for old, new in renamed.items():
            log_entry.objects.filter(action=old).update(action=new)
