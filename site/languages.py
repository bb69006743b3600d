"""The languages residents read Signpost in, and how each is written.

Settings' ``LANGUAGES`` lists the codes; this module adds what pages, emails and PDFs need
beyond a code: the language's name in itself (the switcher names each language so that its
readers find it), the direction it is written in, and the font the site serves for it (no
font is fetched from elsewhere).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation


@dataclass(frozen=True)
class Language:
    code: str
    english_name: str
    own_name: str
    direction: str = "ltr"
    # A CSS font-family the site serves (signpost/css/fonts.css), first in the stack.
    font_family: str = ""

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


_KNOWN = {
    "en-gb": Language("en-gb", "English", "English"),
    "cy": Language("cy", "Welsh", "Cymraeg"),
    "ur": Language("ur", "Urdu", "اردو", direction="rtl", font_family="Noto Naskh Arabic"),
}


def languages() -> list[Language]:
    """Every language of the site, the default first."""
    return [language_for(code) for code, _name in settings.LANGUAGES]


def language_for(code: str | None) -> Language:
    """The language for ``code`` (``cy``, ``en-GB``…), the site's default when unknown."""
    code = (code or "").lower()
    if code in _KNOWN:
        return _KNOWN[code]
    for known in _KNOWN.values():
        if known.code.split("-")[0] == code.split("-")[0]:
            return known
    if code:
        info = translation.get_language_info(code)
        return Language(
            code,
            info["name"],
            info["name_local"],
            direction="rtl" if info["bidi"] else "ltr",
        )
    return _KNOWN[settings.LANGUAGE_CODE]


def current_language() -> Language:
    return language_for(translation.get_language())


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_choices() -> list[tuple[str, str]]:
    """Choices for a form, each language named in English and in itself."""
    return [
        (
            lang.code,
            lang.own_name
            if lang.own_name == lang.english_name
            else f"{lang.english_name} ({lang.own_name})",
        )
        for lang in languages()
    ]


def language_tag(code: str | None) -> str:
    """A BCP 47 tag for HTML's ``lang`` and a PDF's ``/Lang``: ``en-gb`` is ``en-GB``."""
    language, _, region = (code or "").partition("-")
    return f"{language}-{region.upper()}" if region else language
