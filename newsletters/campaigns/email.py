"""A newsletter as an email: table-based responsive HTML with inlined CSS, and a plain-text
alternative, rendered once per campaign with neutral merge fields (``[[name]]``) that the
sender backend turns into its ESP's per-recipient substitutions."""

import html
import re
from dataclasses import dataclass

import css_inline
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext
from signpost.links import absolute_url, absolutise
from signpost.models import InitiativeSettings
from wagtail.models import Site
from wagtail.rich_text import expand_db_html

from ..email_language import email_language_context
from .blocks import survey_length, survey_target

MERGE_FIELDS = ("name", "unsubscribe_url", "preferences_url")
_QR_SALT = "newsletters.qr"
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def merge_field(name: str) -> str:
    return f"[[{name}]]"


_APPROVED_VERSION_SALT = "newsletters.approved-version"


def approved_version_url(campaign_id: int, revision_id: int) -> str:
    """Where a campaign email's "read this on the website" leads: the newsletter as its
    approver signed it off, which is what the email says, not the page as edited since.
    Signed, so nobody can walk the page's other versions (drafts) by changing a number."""
    token = signing.dumps([campaign_id, revision_id], salt=_APPROVED_VERSION_SALT)
    return absolute_url(reverse("newsletters:approved_version", args=[token]))


def approved_version_ids(token: str) -> tuple[int, int]:
    """The campaign and revision ids an ``approved_version_url`` names; ``BadSignature``
    if it was altered or not ours."""
    campaign_id, revision_id = signing.loads(token, salt=_APPROVED_VERSION_SALT)
    return int(campaign_id), int(revision_id)


def qr_code_url(target: str) -> str:
    """A signed address of a PNG QR code: mail programs do not show inline SVG."""
    token = signing.dumps(target, salt=_QR_SALT, compress=True)
    return absolute_url(reverse("newsletters:qr_code", args=[token]))


def qr_code_target(token: str) -> str:
    return signing.loads(token, salt=_QR_SALT)


@dataclass
class RenderedEmail:
    subject: str
    html: str
    text: str

    @staticmethod
    def _fill(template: str, values: dict, *, escape: bool) -> str:
        for field in MERGE_FIELDS:
            value = values.get(field, "")
            template = template.replace(merge_field(field), html.escape(value) if escape else value)
        return template

    def html_for(self, values: dict) -> str:
        return self._fill(self.html, values, escape=True)

    def text_for(self, values: dict) -> str:
        return self._fill(self.text, values, escape=False)


def sample_merge_values() -> dict:
    return {
        "name": "Alex",
        "unsubscribe_url": absolute_url(reverse("newsletters:sample_link", args=["unsubscribe"])),
        "preferences_url": absolute_url(reverse("newsletters:sample_link", args=["preferences"])),
    }


def _email_blocks(page) -> list[dict]:
    """The page's stream as simple dictionaries the email templates can lay out in tables."""
    items = []
    for block in page.body:
        kind, value = block.block_type, block.value
        if kind == "heading":
            items.append({"kind": kind, "text": value})
        elif kind == "paragraph":
            items.append({"kind": kind, "html": absolutise(expand_db_html(value.source))})
        elif kind == "image":
            rendition = value.get_rendition("width-1200")
            items.append(
                {
                    "kind": kind,
                    "src": absolute_url(rendition.url),
                    "alt": value.contextual_alt_text or "",
                    "decorative": value.decorative,
                }
            )
        elif kind == "call_to_action":
            href = value["page"].specific.url if value.get("page") else value.get("url") or ""
            items.append({"kind": kind, "text": value["text"], "href": absolute_url(href)})
        elif kind == "you_said_we_did":
            items.append({"kind": kind, "you_said": value["you_said"], "we_did": value["we_did"]})
        elif kind == "survey_invitation":
            target = survey_target(value)
            items.append(
                {
                    "kind": kind,
                    "heading": value["heading"],
                    "text": value.get("text") or "",
                    "length": survey_length(value),
                    "href": target,
                    "button_text": value["button_text"],
                    "qr_src": qr_code_url(target) if target else "",
                }
            )
    return items


def _html_to_text(markup: str) -> str:
    markup = re.sub(
        r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>',
        lambda m: f"{m.group(2)} ({m.group(1)})",
        markup,
        flags=re.S,
    )
    markup = re.sub(r"<li[^>]*>", "* ", markup)
    markup = re.sub(r"</(p|li|h2|h3|ul|ol)>", "\n", markup)
    markup = re.sub(r"<br\s*/?>", "\n", markup)
    text = html.unescape(strip_tags(markup))
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def _text_body(page, items: list[dict], *, web_url: str) -> str:
    # The same greeting as the HTML part's first line.
    lines = [
        gettext("Hello %(name)s, read this on the website: %(url)s")
        % {"name": merge_field("name"), "url": web_url},
        "",
    ]
    lines += [page.title, "=" * len(page.title), ""]
    if page.introduction:
        lines += [page.introduction, ""]
    for item in items:
        kind = item["kind"]
        if kind == "heading":
            lines += [item["text"], "-" * len(item["text"]), ""]
        elif kind == "paragraph":
            lines += [_html_to_text(item["html"]), ""]
        elif kind == "image" and item["alt"] and not item["decorative"]:
            lines += [gettext("[Picture: %(alt)s]") % {"alt": item["alt"]}, ""]
        elif kind == "call_to_action":
            lines += [f"{item['text']}: {item['href']}", ""]
        elif kind == "you_said_we_did":
            lines += [
                gettext("You said: %(text)s") % {"text": item["you_said"]},
                gettext("We did: %(text)s") % {"text": item["we_did"]},
                "",
            ]
        elif kind == "survey_invitation":
            lines += [item["heading"]]
            if item["text"]:
                lines += [item["text"]]
            if item["length"]:
                lines += [item["length"]]
            if item["href"]:
                lines += [f"{item['button_text']}: {item['href']}"]
            lines += [""]
    return "\n".join(lines)


def render_newsletter_email(
    page, *, subject: str | None = None, request=None, web_url: str = ""
) -> RenderedEmail:
    """Render the page once; merge fields stay as ``[[field]]`` for each recipient.
    ``web_url`` is where "read this on the website" leads (by default the page's own
    address; a campaign's email gives the version its approver signed off). The email is
    in the page's language: its own words, its links, and its ``lang`` and ``dir``."""
    with translation.override(page.locale.language_code):
        return _render_newsletter_email(page, subject=subject, request=request, web_url=web_url)


def _render_newsletter_email(page, *, subject, request, web_url) -> RenderedEmail:
    site = (
        Site.find_for_request(request)
        if request
        else Site.objects.filter(is_default_site=True).first()
    )
    initiative = InitiativeSettings.for_site(site) if site else InitiativeSettings()
    items = _email_blocks(page)
    context = {
        "page": page,
        "subject": subject or page.title,
        "items": items,
        "initiative": initiative,
        "merge": {field: merge_field(field) for field in MERGE_FIELDS},
        "web_url": web_url or absolute_url(page.url or ""),
        **email_language_context(page.locale.language_code),
    }
    markup = render_to_string("email/newsletter.html", context)
    text = _text_body(page, items, web_url=context["web_url"])
    text += "\n" + render_to_string("email/newsletter_footer.txt", context)
    return RenderedEmail(subject=subject or page.title, html=_INLINER.inline(markup), text=text)
