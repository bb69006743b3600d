"""The one place user-supplied text and HTML are cleaned.

bleach receives security fixes only; nh3 is its maintained successor. Everything goes
through these functions so that swap stays a one-file change.
"""

import bleach

ALLOWED_TAGS = ["a", "b", "br", "em", "i", "li", "ol", "p", "strong", "ul"]
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto", "tel"]


def clean_text(value: str, *, max_length: int | None = None) -> str:
    """Plain text from a public form: every tag stripped, whitespace tidied."""
    text = bleach.clean(value or "", tags=[], attributes={}, strip=True, strip_comments=True)
    # bleach escapes &, < and > in text; plain text is escaped again when rendered.
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    text = "\n".join(
        " ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")
    ).strip()
    if max_length is not None:
        text = text[:max_length]
    return text


def clean_html(value: str) -> str:
    """A small safe subset of HTML, with links that cannot run script."""
    return bleach.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
