"""The words a resident agrees to when signing up, by version and language. A consent
record names the version shown and the language it was shown in, so what someone agreed
to can always be shown again, word for word. Add a new version rather than editing one
that has been shown; a version's translations are kept here, not in the message
catalogues, because a catalogue is rewritten as the site's text changes."""

from django.conf import settings
from django.utils import translation
from signpost.languages import language_for

CONSENT_WORDING = {
    "2026-11": {
        "en-gb": (
            "Send me email updates from the initiative about my area and the topics I have "
            "chosen. I can change my choices or unsubscribe at any time with the link in "
            "every email. My details are used only for these updates and are never shared."
        ),
        "cy": (
            "Anfonwch ddiweddariadau e-bost ataf gan y fenter am fy ardal a'r pynciau rydw "
            "i wedi'u dewis. Gallaf newid fy newisiadau neu ddad-danysgrifio unrhyw bryd "
            "gyda'r ddolen ym mhob e-bost. Dim ond ar gyfer y diweddariadau hyn y defnyddir "
            "fy manylion, ac ni chânt fyth eu rhannu."
        ),
        "ur": (
            "مجھے میرے علاقے اور میرے چنے ہوئے موضوعات کے بارے میں اس منصوبے کی ای میل "
            "اپ ڈیٹس بھیجیں۔ میں ہر ای میل میں موجود لنک سے کسی بھی وقت اپنی پسند بدل سکتا "
            "یا سکتی ہوں یا سبسکرپشن ختم کر سکتا یا سکتی ہوں۔ میری تفصیلات صرف ان اپ ڈیٹس "
            "کے لیے استعمال ہوتی ہیں اور کبھی کسی کو نہیں دی جاتیں۔"
        ),
    },
}
CURRENT_WORDING_VERSION = "2026-11"


def wording(version: str, language: str | None = None) -> str:
    """The words of ``version`` in ``language`` (the current one by default), in the
    site's default language where that version has no translation."""
    texts = CONSENT_WORDING[version]
    code = language_for(language or translation.get_language()).code
    return texts.get(code) or texts[settings.LANGUAGE_CODE]


def current_wording(language: str | None = None) -> str:
    return wording(CURRENT_WORDING_VERSION, language)
