"""What residents write and the platform publishes whole (petitions, budget projects):
bounded text, and no one else's personal data."""

from __future__ import annotations

from hromada.errors import InvalidInput
from hromada.open_data.appeals.anonymise import get_anonymiser


def bad(
    name: str, message: str, detail: str | None = None, *, code: str | None = None, **values: object
) -> InvalidInput:
    """A refused field; ``code`` (with its ``values``) names the error for the portal's
    catalogues."""
    return InvalidInput(
        detail or f"{name}: {message}",
        errors=[{"where": "body", "name": name, "message": message}],
        code=code,
        values=values,
    )


def checked_text(name: str, value: str, bounds: tuple[int, int], *, lines: bool = False) -> str:
    """``value`` trimmed (and, unless ``lines``, on one line), within ``bounds`` characters."""
    text = value.strip() if lines else " ".join(value.split())
    low, high = bounds
    if not low <= len(text) <= high:
        raise bad(name, f"{low} to {high} characters", f"{name} must be {low} to {high} characters")
    if "\x00" in text:
        raise bad(name, "no NUL characters")
    return text


def refuse_personal_data(what: str, *texts: str) -> None:
    """The appeals anonymiser's detector on what the author wrote: it is published whole,
    so someone else's phone, e-mail or name is refused rather than published."""
    findings = get_anonymiser().find("\n".join(texts))
    if findings:
        kinds = sorted({f.kind for f in findings})
        raise InvalidInput(
            f"the {what} seems to contain personal data of other people ("
            + ", ".join(kinds)
            + "): remove it and send again",
            errors=[
                {"where": "body", "name": "text", "message": f"{f.kind} at {f.start}..{f.end}"}
                for f in findings[:20]
            ],
        )


def _degrees(name: str, value: float, limit: float) -> float:
    if not -limit <= value <= limit:  # also refuses an infinity (1e999 in JSON)
        raise bad(name, f"-{limit:g} to {limit:g} degrees")
    return float(value)


def point(
    lat: float | None, lon: float | None, prefix: str = ""
) -> tuple[float | None, float | None]:
    """A place (WGS 84 degrees): both coordinates or neither, within their ranges.
    ``prefix`` names where they came from in an error (``pools: project P1: lat``)."""
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        raise bad(prefix + missing, "given with the other coordinate, or neither is")
    return _degrees(prefix + "lat", lat, 90), _degrees(prefix + "lon", lon, 180)
