"""The petition rules that follow from the law and the clock, as pure functions.

Art. 23-1 of the Law of Ukraine "On citizens' appeals": a petition is published
within two working days of its submission, collects signatures for the period the
community's statute sets, and one that reached the threshold is considered within
ten working days. Working days skip Saturdays, Sundays and the configured holidays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")

# Grounds on which a petition may be refused publication, as the law and the usual
# statutes word them; a rejection names one.
REJECTION_CODES: dict[str, str] = {
    "outside_competence": "питання не належить до повноважень ради",
    "prohibited_content": "заклики до насильства, ворожнечі чи інший заборонений зміст",
    "duplicate": "дублює петицію, що збирає підписи",
    "personal_data": "містить персональні дані інших осіб",
    "no_clear_demand": "немає чітко сформульованої вимоги",
    "advertising": "реклама або комерційна пропозиція",
}
ANSWER_KINDS = ("supported", "partly", "not_supported")

# What a petition shows the public: the stored status and what the clock and the count add.
STATES = (
    "draft",
    "cosponsoring",
    "moderation",
    "open",
    "under_consideration",
    "closed",
    "answered",
    "rejected",
)
PUBLIC_STATES = ("open", "under_consideration", "closed", "answered", "rejected")


def add_working_days(start: dt.datetime, days: int, holidays: Iterable[str] = ()) -> dt.datetime:
    """The moment ``days`` working days after ``start`` (Kyiv calendar), at the end of that
    day: a deadline is met by anything done on its last working day."""
    skip = {dt.date.fromisoformat(h) for h in holidays}
    day = start.astimezone(KYIV).date()
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in skip:
            left -= 1
    end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=KYIV)
    return end.astimezone(dt.UTC)


def state(
    status: str,
    *,
    closes_at: dt.datetime | None,
    signatures: int,
    threshold: int,
    now: dt.datetime,
) -> str:
    """The public state. An open petition with enough signatures is under consideration
    at once; one whose period ended short of the threshold is closed. Both follow from
    the clock and the count when asked, so no job has to run for them to be true."""
    if status != "open":
        return status
    if signatures >= threshold:
        return "under_consideration"
    if closes_at is not None and now >= closes_at:
        return "closed"
    return "open"


def public_name(display_name: str, style: str = "given-initial") -> str:
    """How a signer appears on the public list, in the community's chosen style:
    given-initial "Тарас Б.", initials "Т. Б.", or full "Тарас Бондаренко".

    Ukrainian identity providers (ID.GOV.UA, BankID, Diia) send the name in the official
    order, surname first ("Бондаренко Тарас Іванович"); the patronymic is never shown,
    and the full name stays with the identity provider."""
    parts = display_name.split()
    if len(parts) < 2:
        return parts[0] if parts else "—"
    surname, given = parts[0], parts[1]
    if style == "full":
        return f"{given} {surname}"
    if style == "initials":
        return f"{given[0]}. {surname[0]}."
    return f"{given} {surname[0]}."
