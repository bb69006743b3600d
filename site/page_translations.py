"""Pages translated through wagtail-localize, from text already written.

The communications officer translates in wagtail-localize's editor; the demo and imports
bring translations written elsewhere. Both go through the same records (a translation
source, its segments, a string translation for each), so a page translated here shows
in the editor as translated, is synced like any other and falls behind its source the
same way when the source changes.
"""

from collections.abc import Callable, Mapping

from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)


@transaction.atomic
def translate_page(
    page: Page,
    language_code: str,
    strings: Mapping[str, str] | Callable[[str], str | None],
    *,
    user=None,
    sync: bool = True,
    publish: bool = True,
) -> Page:
    """``page`` translated into ``language_code``: each text segment from ``strings``
    (source text → its translation, or a function giving it or None). A segment with no
    translation keeps the source's text, and the editor lists it as untranslated.

    ``sync=False`` translates the segments as last synced, as a translator saving before
    "Sync translated pages" does, so the translation stays behind a source edited since;
    ``publish=False`` leaves it a draft."""
    locale, _ = Locale.objects.get_or_create(language_code=language_code)
    source, created = TranslationSource.get_or_create_from_instance(page)
    # Synced again only when the page changed since: a sync dates every translation made
    # before it as behind the source.
    if (
        sync
        and not created
        and page.last_published_at
        and page.last_published_at > source.last_updated_at
    ):
        source.update_from_db()
    translation, _ = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    translated = strings if callable(strings) else strings.get
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = translated(segment.string.data)
        if text:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": text,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                },
            )
    # Saved as a draft, then published here and now: wagtail-localize would publish as the
    # transaction commits, from a copy of the page taken before its children were added.
    translation.save_target(user=user, publish=False)
    target = page.get_translation(locale).specific
    if publish:
        target.get_latest_revision().publish(user=user)
        target.refresh_from_db()
    return target


def untranslated(page: Page, language_code: str) -> list[str]:
    """The source texts of ``page`` with no translation into ``language_code`` yet."""
    source = TranslationSource.objects.get_for_instance_or_none(page)
    if source is None:
        return []
    return [
        segment.string.data
        for segment in StringSegment.objects.filter(source=source)
        .select_related("string")
        .exclude(
            string__translations__locale__language_code=language_code,
        )
    ]
