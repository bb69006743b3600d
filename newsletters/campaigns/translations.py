"""Which translations of a newsletter may go out with a campaign.

A campaign sends what its Approver signed off (``Campaign.approved_revision``). A
subscriber who reads Welsh or Urdu gets the newsletter in their language only when a
translation says exactly what was signed off, and says all of it; otherwise they get the
signed-off version itself. wagtail-localize keeps what a translation was made from (a
``TranslationSource``, the page's text as it was when last sent for translation, or
synced): a translation is *in step* with the approved version when

- that source holds the same text as the approved version (the source page has not
  been changed and re-synced since, nor synced from a different version);
- every segment of it is translated (no untranslated segments, which wagtail-localize
  would fill with the source's words);
- the translated page is live, and its live version was published after that sync (a
  version published before it translates older text).

The Approver signs the translations off with the source: approval records the live
revision of each translation in step then (``Campaign.approved_translations``), the
manage page previews each, and only those revisions are sent. A translation published
after approval is not sent until the campaign is approved again.

https://wagtail-localize.readthedocs.io/en/latest/concept/
"""

from django.conf import settings
from wagtail.models import Revision
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.segments.extract import extract_segments


def _text(instance) -> list:
    return extract_segments(instance)


def newsletter_translations_in_step(newsletter, revision: Revision) -> dict[str, Revision]:
    """The live revision of each translation of ``newsletter`` in step with ``revision``
    (one of its own), by language code."""
    source = TranslationSource.objects.get_for_instance_or_none(newsletter)
    if source is None:
        return {}
    if _text(source.as_instance()) != _text(revision.as_object()):
        # The translations were made from other words than the ones signed off.
        return {}
    in_step = {}
    languages = {code for code, _name in settings.LANGUAGES}
    for translation in Translation.objects.filter(source=source, enabled=True).select_related(
        "target_locale"
    ):
        code = translation.target_locale.language_code
        if code not in languages:
            continue
        total, translated = translation.get_progress()
        if translated < total:
            continue
        page = newsletter.get_translation_or_none(translation.target_locale)
        if page is None or not page.live or page.live_revision_id is None:
            continue
        live = Revision.objects.get(pk=page.live_revision_id)
        if live.created_at < source.last_updated_at:
            continue
        in_step[code] = live
    return in_step
