"""How a stakeholder's history shows its entries."""

from wagtail.log_actions import LogFormatter


class StakeholderImported(LogFormatter):
    label = "Import from CSV"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return f"Imported from CSV ({data.get('filename', 'a file')}, row {data.get('row')})"
