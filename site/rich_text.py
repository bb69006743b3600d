"""The admin's rich text editor (Draftail), refusing a value it cannot read with a form
error instead of a 500.

Draftail posts its content as JSON; a value that is not JSON, or JSON that is not the
editor's content (a script or a hand-made request), made Wagtail's converter raise
while the form read its data. Here it becomes an error on the field, and the form is
shown again for the officer to put right.
"""

from django.core.exceptions import ValidationError
from wagtail.admin.rich_text import DraftailRichTextArea as WagtailDraftailRichTextArea

MALFORMED = "This text could not be read. Type or paste it again."


class DraftailRichTextArea(WagtailDraftailRichTextArea):
    def value_from_datadict(self, data, files, name):
        try:
            return super().value_from_datadict(data, files, name)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
            if getattr(self, "_refused", False):
                return ""  # the error is on the field already; the form shows again empty
            self._refused = True
            raise ValidationError(MALFORMED, code="malformed_rich_text") from error
