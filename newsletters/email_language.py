"""What an email needs to be written in its reader's language: the ``lang`` and ``dir``
of its HTML and the fonts to set it in. Mail programs fetch no web fonts reliably, so
the stack names the language's font (installed with many systems) before the fallbacks
that carry its script."""

from signpost.languages import Language, language_for, language_tag

# Fallbacks that have each script: Arabic script (Urdu) is in Tahoma and Segoe UI.
_FALLBACKS = {
    "ltr": "Arial, Helvetica, sans-serif",
    "rtl": "Tahoma, 'Segoe UI', Arial, sans-serif",
}


def email_font_stack(language: Language) -> str:
    fallbacks = _FALLBACKS[language.direction]
    return f"'{language.font_family}', {fallbacks}" if language.font_family else fallbacks


def email_language_context(code: str | None) -> dict:
    """The template context an email's HTML part reads its language from."""
    language = language_for(code)
    return {
        "email_language": {
            "code": language.code,
            "tag": language_tag(language.code),
            "direction": language.direction,
            "align": "right" if language.rtl else "left",
            "font_stack": email_font_stack(language),
        }
    }
