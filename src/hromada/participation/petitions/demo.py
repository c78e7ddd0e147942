"""The petitions' share of the demo city: petitions in every state, one a few signatures
short of its threshold, answered ones, and the signatures of a few thousand residents
the demo does not otherwise create (the demo people can sign the open ones themselves).

The history is written as it would have happened: each petition's dates, its
signatures inside its collection period, and its audit entries in time order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from hromada import db
from hromada.auth.tables import Resident
from hromada.demo.parts import DemoContext
from hromada.participation.audit import service as audit
from hromada.participation.petitions import rules
from hromada.participation.petitions.tables import Petition

# Enough residents for the answered petitions to pass any threshold a statute sets.
MIN_SIGNERS = 1_500

_FAMILY = (
    "Бондаренко", "Коваленко", "Шевчук", "Мельник", "Кравченко", "Ткаченко", "Олійник",
    "Поліщук", "Лисенко", "Руденко", "Савченко", "Мороз", "Гончаренко", "Петренко",
    "Левченко", "Клименко", "Павленко", "Литвиненко", "Марченко", "Кузьменко",
)  # fmt: skip
_GIVEN = (
    "Олена", "Тарас", "Ірина", "Андрій", "Марія", "Дмитро", "Наталія", "Василь", "Оксана",
    "Богдан", "Юлія", "Сергій", "Світлана", "Остап", "Галина", "Роман", "Леся", "Іван",
)  # fmt: skip


@dataclass(frozen=True)
class _Story:
    title: str
    text: str
    district: str | None
    state: str  # what the demo shows: every state a petition can be in
    signatures: float  # share of the threshold
    age_days: int  # since it was written
    answer: str | None = None
    rejection: str | None = None


_WHY = (
    " Просимо міську раду доручити профільному департаменту підготувати проєкт, "
    "передбачити кошти в бюджеті наступного року та звітувати про виконання щокварталу."
)
STORIES = (
    _Story("Велодоріжка на проспекті Науки", "Облаштувати захищену велосмугу від метро "
           "«Наукова» до парку Горького.", "shevchenkivskyi", "open", 0.04, 6),
    _Story("Освітлені пішохідні переходи біля шкіл", "Встановити контрастне освітлення "
           "на всіх нерегульованих переходах біля шкіл і дитячих садків.", None, "open",
           0.997, 70),
    _Story("Укриття в кожній школі Салтівки", "Обладнати укриття в кожному закладі освіти "
           "Салтівського району, щоб навчання не переривалося під час тривог.",
           "saltivskyi", "under_consideration", 1.08, 8),
    _Story("Сортування сміття у дворах", "Поставити контейнери для роздільного збирання "
           "відходів біля кожного багатоквартирного будинку.", None,
           "under_consideration", 1.02, 120),
    _Story("Пандуси до поліклінік", "Облаштувати пандуси й поручні біля входів до всіх "
           "міських поліклінік.", None, "answered", 1.3, 200, answer="supported"),
    _Story("Нічний громадський транспорт", "Запустити нічні автобусні маршрути від центру "
           "до житлових масивів.", None, "answered", 1.1, 260, answer="partly"),
    _Story("Заборона феєрверків", "Заборонити запуск феєрверків у межах міста.", None,
           "answered", 1.05, 300, answer="not_supported"),
    _Story("Фонтан на площі Свободи", "Відновити роботу фонтану на площі Свободи влітку.",
           None, "closed", 0.31, 150),
    _Story("Велодоріжка на проспекті Науки (2)", "Облаштувати велосмугу на проспекті "
           "Науки.", None, "rejected", 0.0, 5, rejection="duplicate"),
    _Story("Дитячий майданчик на Клочківській", "Встановити сучасний дитячий майданчик у "
           "дворі будинку на Клочківській.", "shevchenkivskyi", "moderation", 0.0, 1),
    _Story("Лавки в парку Юності", "Поставити лавки й смітники вздовж головної алеї парку "
           "Юності.", "industrialnyi", "moderation", 0.0, 9),
    _Story("Громадські вбиральні в центрі", "Відкрити безкоштовні громадські вбиральні в "
           "центрі міста.", None, "draft", 0.0, 2),
)  # fmt: skip

_ANSWERS = {
    "supported": "Підтримано. Департамент капітального будівництва облаштує пандуси до "
    "кінця наступного року; перелік адрес і графік робіт додано.",
    "partly": "Підтримано частково: два нічні маршрути запрацюють у тестовому режимі, "
    "решту буде розглянуто після аналізу пасажиропотоку.",
    "not_supported": "Не підтримано: питання регулюється законом, рада може лише "
    "обмежити час запуску феєрверків, що вже зроблено рішенням сесії.",
}


class PetitionsDemo:
    name = "petitions"

    async def populate(self, ctx: DemoContext) -> None:
        rng = ctx.rng("petitions")
        settings = ctx.settings
        threshold = settings.petition_threshold
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        districts = [d.code for d in ctx.city.districts]
        district_ids = ctx.ids.get("district", {})
        async with db.write_transaction():
            residents = await db.bulk_upsert(
                "resident",
                ("person_key", "display_name", "birth_date", "district_code", "in_community",
                 "idp_in_community", "created_at", "last_login_at"),
                [
                    (
                        hashlib.sha256(f"demo-petition-signer:{i}".encode()).hexdigest(),
                        f"{rng.choice(_FAMILY)} {rng.choice(_GIVEN)}",
                        dt.date(rng.randint(1945, 2005), rng.randint(1, 12), rng.randint(1, 28)),
                        rng.choice(districts),
                        True,
                        True,
                        now - dt.timedelta(days=400),
                        now - dt.timedelta(days=1),
                    )
                    for i in range(max(MIN_SIGNERS, threshold * 14 // 10))
                ],
                key="person_key",
                returning="id",
            )  # fmt: skip
            people = [int(r) for r in residents]
            districts_of = {
                int(r["id"]): str(r["district_code"])
                for r in await Resident.select(Resident.id, Resident.district_code).where(
                    Resident.id.is_in(people)
                )
            }
            signature_rows: list[tuple[Any, ...]] = []
            events: list[tuple[dt.datetime, int, str, str, dict[str, Any]]] = []
            for story in STORIES:
                number, rows, history = await _petition(
                    story, settings, rng, people, districts_of, threshold, now, district_ids
                )
                signature_rows.extend(rows)
                events.extend((at, number, action, actor, detail) for at, action, actor, detail
                              in history)  # fmt: skip
            await db.bulk_upsert(
                "petition_signature",
                ("petition", "resident", "district_code", "signed_at"),
                sorted(signature_rows, key=lambda r: r[3]),  # ids in signing order
                key=("petition", "resident"),
            )
            for at, number, action, actor, detail in sorted(events, key=lambda e: e[0]):
                await audit.append(
                    domain="petitions",
                    subject=f"petition:{number}",
                    action=action,
                    actor=actor,
                    detail=detail,
                    at=at,
                )
        ctx.progress("petitions", len(STORIES), len(STORIES))


async def _petition(
    story: _Story,
    settings: Any,
    rng: Any,
    people: list[int],
    districts: dict[int, str],
    threshold: int,
    now: dt.datetime,
    district_ids: dict[str, int],
) -> tuple[int, list[tuple[Any, ...]], list[tuple[dt.datetime, str, str, dict[str, Any]]]]:
    """Insert one petition as its story tells; its signature rows and its history."""
    period = dt.timedelta(days=settings.petition_days)
    if story.state == "closed":
        # Its period ended a month ago, short of the threshold.
        created = now - period - dt.timedelta(days=31, hours=rng.randint(1, 10))
    else:
        created = now - dt.timedelta(days=story.age_days, hours=rng.randint(1, 10))
    submitted = created + dt.timedelta(hours=2) if story.state != "draft" else None
    due = (
        rules.add_working_days(submitted, settings.petition_moderation_days,
                               settings.petition_holidays)
        if submitted else None
    )  # fmt: skip
    public = story.state not in ("draft", "moderation")
    opened = submitted + dt.timedelta(hours=20) if public and submitted else None
    if story.state == "rejected":
        opened = None
    closes = opened + period if opened else None
    stored = {
        "open": "open", "under_consideration": "open", "closed": "open",
        "answered": "answered", "rejected": "rejected",
    }.get(story.state, story.state)  # fmt: skip
    count = min(round(threshold * story.signatures), len(people))
    if story.state in ("open", "closed"):
        count = min(count, threshold - 1)  # short of it, whatever the threshold
    signed_until = min(now, closes) if closes else now
    times: list[dt.datetime] = []
    if opened is not None:
        span = (signed_until - opened).total_seconds()
        # Most signatures come in the first days after a petition is published.
        times = sorted(
            opened + dt.timedelta(seconds=int(span * rng.random() ** 1.6)) for _ in range(count)
        )
    answered_at = None
    if story.answer and times:
        # Answered a week after the threshold-th signature; signing stops with the answer.
        answered_at = min(now - dt.timedelta(days=1), times[threshold - 1] + dt.timedelta(days=7))
        times = [t for t in times if t < answered_at]
    row = (
        await Petition.insert(
            Petition(
                title=story.title,
                text=story.text + _WHY,
                addressee="Харківська міська рада",
                author=rng.choice(people),
                district=district_ids.get(story.district) if story.district else None,
                status=stored,
                threshold=threshold,
                created_at=created,
                submitted_at=submitted,
                moderation_due=due,
                opened_at=opened,
                closes_at=closes,
                rejection_code=story.rejection,
                rejection_note="Петиція з тією самою вимогою вже збирає підписи."
                if story.rejection
                else None,
                answer_kind=story.answer,
                answer_text=_ANSWERS[story.answer] if story.answer else None,
                answered_at=answered_at,
            )
        ).returning(Petition.id)
    )[0]
    number = int(row["id"])
    rows: list[tuple[Any, ...]] = []
    for resident, at in zip(rng.sample(people, len(times)), times, strict=True):
        rows.append((number, resident, districts[resident], at))
    # As in the service: a draft leaves no public trace until it is submitted.
    history: list[tuple[dt.datetime, str, str, dict[str, Any]]] = []
    if submitted and due:
        history.append((submitted, "submitted", "author", {"moderation_due": due.isoformat()}))
    if opened:
        history.append((opened, "published", "moderator", {}))
    if story.rejection and submitted:
        history.append(
            (submitted + dt.timedelta(hours=20), "rejected", "moderator",
             {"code": story.rejection, "note": "Петиція з тією самою вимогою вже збирає підписи."})
        )  # fmt: skip
    if story.answer and answered_at:
        text = _ANSWERS[story.answer]
        history.append(
            (answered_at, "answered", "official",
             {"kind": story.answer, "text_sha256": hashlib.sha256(text.encode()).hexdigest()})
        )  # fmt: skip
    return number, rows, history
