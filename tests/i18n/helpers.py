"""Pages in another language, made as the translation workflow makes them."""

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
