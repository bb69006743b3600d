"""Pages in another language, made as the translation workflow makes them."""

from signpost.page_translations import translate_page as translate_page_from_strings
from wagtail.models import Locale


def locale(code: str) -> Locale:
    return Locale.objects.get_or_create(language_code=code)[0]


def translate_page(page, code: str, **fields):
    """A live translation of ``page`` in ``code`` (its parents translated too, as
    wagtail-localize does), with ``fields`` set on it."""
    translation = page.copy_for_translation(locale(code), copy_parents=True).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation


def localize_page(page, code: str, strings, *, publish: bool = True):
    """Translate ``page`` into ``code`` as a translator does in wagtail-localize's editor,
    from its segments as last synced (``strings``: source text → translated text, or a
    function giving it, None for none); untranslated segments keep the source's words.
    Returns the translated page."""
    return translate_page_from_strings(page, code, strings, sync=False, publish=publish)


def localize_sync(page, code: str, strings: dict[str, str]):
    """The source was edited: bring the translation up to date with it, as "Sync
    translated pages" and the translation editor do."""
    from wagtail_localize.models import TranslationSource

    TranslationSource.get_or_create_from_instance(page)[0].update_from_db()
    return localize_page(page, code, strings)
