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


def localize_page(page, code: str, translate, *, publish: bool = True):
    """A translation of ``page`` in ``code`` made as wagtail-localize makes one: the page
    sent for translation (its ``TranslationSource`` synced from it as it is now), each
    segment given ``translate(text)`` (None leaves it untranslated), then the
    translation saved and, with ``publish``, published."""
    from wagtail_localize.models import (
        StringSegment,
        StringTranslation,
        Translation,
        TranslationSource,
    )

    source, _created = TranslationSource.update_or_create_from_instance(page)
    target = locale(code)
    translation, _created = Translation.objects.get_or_create(source=source, target_locale=target)
    for segment in StringSegment.objects.filter(source=source).select_related("string"):
        text = translate(segment.string.data)
        if text is not None:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=target,
                context=segment.context,
                defaults={"data": text},
            )
    # wagtail-localize publishes once the transaction commits (a test's never does).
    with TestCase.captureOnCommitCallbacks(execute=True):
        translation.save_target(publish=publish)
    return page.get_translation(target).specific
