"""Domain errors in the reader's language: every error code the domain raises has its text
in both catalogues, with the placeholders its raise site fills; the portal shows it, and
the API names the code in its problem details."""

from __future__ import annotations

import re
from pathlib import Path

from litestar.testing import TestClient

from hromada.errors import Conflict, InvalidInput
from hromada.web import i18n

SOURCE = Path(__file__).resolve().parents[2] / "src" / "hromada"
RAISED = re.compile(r'code=(?:"([a-z_.]+)" if [^\n]* else "([a-z_.]+)"|"([a-z_.]+)")')
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _rest_of_call(text: str, start: int) -> str:
    """The text from ``start`` to the parenthesis that closes the call it is in."""
    depth = 0
    for at in range(start, len(text)):
        if text[at] in "([{":
            depth += 1
        elif text[at] in ")]}":
            depth -= 1
            if depth < 0:
                return text[start:at]
    return text[start:]


def _raised() -> dict[str, set[str]]:
    """Every error code in the source, with the value names its raise sites give (as
    ``values={...}`` or as keyword arguments beside ``code=``)."""
    found: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in RAISED.finditer(text):
            rest = _rest_of_call(text, match.end())
            names = set(re.findall(r'"(\w+)"\s*:', rest)) | set(re.findall(r"(\w+)=", rest))
            for code in filter(None, match.groups()):
                found.setdefault(code, set(names)).intersection_update(names)
    return found


def test_every_error_code_speaks_both_languages() -> None:
    raised = _raised()
    assert len(raised) >= 10, sorted(raised)
    for code, names in raised.items():
        for lang in i18n.LANGUAGES:
            text = i18n.catalogue(lang).get(f"error.{code}")
            assert text, f"error.{code} is missing from {lang}.po"
            missing = set(PLACEHOLDER.findall(text)) - names
            assert not missing, f"error.{code} ({lang}) wants {missing}; the code gives {names}"


def test_the_text_follows_the_language_and_falls_back_to_the_detail() -> None:
    refused = Conflict("petition 5 is closed", code="petition.not_signable", values={"number": 5})
    assert i18n.error_text("uk", refused) == "Петиція №5 зараз не збирає підписів."
    assert i18n.error_text("en", refused) == "Petition 5 is not collecting signatures now."
    assert i18n.error_text("xx", refused) == i18n.error_text("uk", refused)
    # No code, an unknown code, or values that do not fit: the English detail, never a crash.
    assert i18n.error_text("uk", InvalidInput("plain")) == "plain"
    assert i18n.error_text("uk", InvalidInput("plain", code="no.such")) == "plain"
    assert i18n.error_text("uk", Conflict("plain", code="petition.not_signable")) == "plain"


def test_the_portal_and_the_api_say_which_error(client: TestClient) -> None:
    page = client.get("/petitions/999999", headers={"accept-language": "uk"})
    assert page.status_code == 404
    assert "Петиції №999999 немає." in page.text
    english = client.get("/petitions/999999?lang=en")
    assert "There is no petition 999999." in english.text
    problem = client.get("/api/v1/petitions/999999")
    assert problem.status_code == 404
    assert problem.json()["code"] == "petition.not_found"
    assert problem.json()["detail"] == "no petition 999999"
