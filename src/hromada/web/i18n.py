"""Ukrainian first, English second: the message catalogues and the reader's language.

Templates name texts by key (``t("nav.data")``); ``messages/uk.po`` and
``messages/en.po`` hold them (gettext catalogues, read with Babel), so a translator
never edits a template. A key missing from a catalogue shows as itself, and a test
checks that both catalogues hold every key the templates use.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.messages.pofile import read_po

from hromada.errors import HromadaError

LANGUAGES = ("uk", "en")
DEFAULT = "uk"
LANG_COOKIE = "hromada_lang"
MESSAGES = Path(__file__).parent / "messages"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Key → text of one language."""
    with (MESSAGES / f"{lang}.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def translate(lang: str, key: str, **values: object) -> str:
    text = catalogue(lang if lang in LANGUAGES else DEFAULT).get(key, key)
    return text.format(**values) if values else text


def error_text(lang: str, exc: HromadaError) -> str:
    """What went wrong, for the reader: the catalogue's text for the error's ``code``
    (``error.<code>``, with the error's values), else the domain's own English detail."""
    if exc.code:
        text = catalogue(lang if lang in LANGUAGES else DEFAULT).get(f"error.{exc.code}")
        if text:
            try:
                return text.format(**exc.values)
            except (KeyError, IndexError, ValueError):  # a catalogue out of step: say it anyway
                return exc.detail
    return exc.detail


def choose(query_lang: str | None, cookie: str | None, accept_language: str) -> str:
    """The page's language: asked for in the link, remembered in the cookie, or the
    browser's first choice among ours; Ukrainian otherwise."""
    for wanted in (query_lang, cookie):
        if wanted in LANGUAGES:
            return wanted
    for part in accept_language.split(",")[:10]:
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT
