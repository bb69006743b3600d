"""Pages in another language, made as the translation workflow makes them."""

from django.test import TestCase
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
    """Translate ``page`` into ``code`` as wagtail-localize's editor does: its source is
    extracted into segments, each segment found in ``strings`` (source text → translated
    text, or a function giving it, None for none) is translated, and the translation is
    saved from them (untranslated segments keep the source's words). Returns the
    translated page."""
    from wagtail_localize.models import (
        StringSegment,
        StringTranslation,
        Translation,
        TranslationSource,
    )

    source, _ = TranslationSource.get_or_create_from_instance(page)
    target = locale(code)
    translation, _ = Translation.objects.get_or_create(source=source, target_locale=target)
    for segment in StringSegment.objects.filter(source=source).select_related("string"):
        text = (
            strings(segment.string.data) if callable(strings) else strings.get(segment.string.data)
        )
        if text is not None:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=target,
                context=segment.context,
                defaults={"data": text},
            )
    # wagtail-localize publishes once the transaction commits; a test's never does.
    with TestCase.captureOnCommitCallbacks(execute=True):
        translation.save_target(publish=publish)
    return page.get_translation(target).specific


def localize_sync(page, code: str, strings: dict[str, str]):
    """The source was edited: bring the translation up to date with it, as "Sync
    translated pages" and the translation editor do."""
    from wagtail_localize.models import TranslationSource

    TranslationSource.get_or_create_from_instance(page)[0].update_from_db()
    return localize_page(page, code, strings)
