"""The appeals' share of the demo city: a contact centre's three years, imported for real.

Appeals are made up from templates in Ukrainian and Russian that carry
personal data (names, phones, e-mails, flat numbers), so the demo runs the
same import — checks, anonymiser, one transaction — as a real export.
Volume follows the seasons (heating in the cold months, hot water and
greenery in summer, roads in spring), about 5 % are confidential and a tenth
are resolved after their deadline.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
from collections.abc import Iterator

from hromada.demo.city import BuildingPlan, CityPlan
from hromada.demo.parts import DemoContext
from hromada.open_data.appeals.formats import Record

YEARS = 3

FIRST_NAMES_UK = [
    "Олена",
    "Іван",
    "Марія",
    "Андрій",
    "Світлана",
    "Олег",
    "Наталія",
    "Сергій",
    "Тетяна",
    "Василь",
    "Ірина",
    "Микола",
    "Юлія",
    "Петро",
    "Оксана",
    "Дмитро",
]
PATRONYMICS_UK = [
    "Іванівна",
    "Петрович",
    "Миколаївна",
    "Сергійович",
    "Олександрівна",
    "Васильович",
    "Андріївна",
    "Григорович",
]
SURNAMES = [
    "Петренко",
    "Коваленко",
    "Бондаренко",
    "Ткаченко",
    "Шевчук",
    "Кравченко",
    "Олійник",
    "Мельник",
    "Лисенко",
    "Марченко",
    "Савченко",
    "Руденко",
    "Гончаренко",
    "Романенко",
    "Кузьменко",
    "Литвиненко",
    "Захарченко",
    "Поліщук",
]
FIRST_NAMES_RU = [
    "Елена",
    "Иван",
    "Мария",
    "Андрей",
    "Светлана",
    "Олег",
    "Наталья",
    "Сергей",
    "Татьяна",
    "Василий",
    "Ирина",
    "Николай",
]
PATRONYMICS_RU = ["Ивановна", "Петрович", "Николаевна", "Сергеевич", "Александровна", "Васильевич"]
MAIL_HOSTS = ["gmail.com", "ukr.net", "i.ua", "meta.ua", "outlook.com"]

# category, group, executor kind, deadline hours, median resolution hours,
# month weights (Jan..Dec), Ukrainian templates, Russian templates
CATEGORIES: list[tuple[str, str, str, int, float, list[float], list[str], list[str]]] = [
    (
        "Відсутність опалення",
        "Теплопостачання",
        "heat",
        24,
        20.0,
        [9, 7, 5, 2, 0.2, 0.1, 0.1, 0.1, 0.5, 6, 9, 10],
        [
            "Немає опалення у квартирі {flat}, батареї холодні вже {days} дні. {contact}",
            "У будинку {house} по {street} не гріють батареї. Дитина хворіє. {contact}",
            "Прошу відновити опалення в під'їзді, кв. {flat}. Звертаюсь вдруге. {contact}",
        ],
        [
            "Нет отопления в квартире {flat}, батареи холодные уже {days} дня. {contact}",
            "В доме {house} по {street} холодно, отопление не включили. {contact}",
        ],
    ),
    (
        "Незадовільна температура опалення",
        "Теплопостачання",
        "heat",
        48,
        40.0,
        [6, 5, 4, 2, 0.2, 0.1, 0.1, 0.1, 0.3, 4, 6, 7],
        ["Батареї ледь теплі, у квартирі {flat} +14. {contact}"],
        ["Батареи еле тёплые, в квартире {flat} +14 градусов. {contact}"],
    ),
    (
        "Відсутність гарячої води",
        "Водопостачання",
        "water",
        48,
        30.0,
        [2, 2, 2, 3, 4, 6, 7, 6, 3, 2, 2, 2],
        [
            "Третій день немає гарячої води у квартирі {flat}. {contact}",
            "Відключили ГВП без попередження, будинок {house}. {contact}",
        ],
        ["Третий день нет горячей воды в квартире {flat}. {contact}"],
    ),
    (
        "Відсутність холодної води",
        "Водопостачання",
        "water",
        24,
        10.0,
        [2, 2, 2, 2, 3, 4, 4, 4, 2, 2, 2, 2],
        ["Немає холодної води в будинку {house}. {contact}"],
        ["Нет холодной воды в доме {house} с утра. {contact}"],
    ),
    (
        "Не працює ліфт",
        "Утримання будинку",
        "housing",
        24,
        14.0,
        [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
        [
            "Не працює ліфт у під'їзді, живу на 9 поверсі, кв. {flat}. {contact}",
            "Ліфт стоїть уже тиждень, будинок {house}. Звертається {name}, тел. {phone}.",
        ],
        ["Не работает лифт в подъезде, квартира {flat}. {contact}"],
    ),
    (
        "Прибирання прибудинкової території",
        "Благоустрій",
        "housing",
        72,
        50.0,
        [2, 2, 3, 4, 4, 3, 3, 3, 4, 5, 4, 2],
        ["Біля будинку {house} не вивозять сміття. {contact}"],
        ["Возле дома {house} не вывозят мусор уже неделю. {contact}"],
    ),
    (
        "Прибирання снігу та ожеледі",
        "Благоустрій",
        "roads",
        24,
        18.0,
        [8, 7, 2, 0.1, 0, 0, 0, 0, 0, 0.1, 1, 6],
        ["Тротуар біля будинку {house} не почищено від снігу, люди падають. {contact}"],
        ["Тротуар у дома {house} не чистят от снега. {contact}"],
    ),
    (
        "Ремонт дорожнього покриття",
        "Дороги",
        "roads",
        240,
        300.0,
        [1, 2, 5, 6, 5, 3, 2, 2, 2, 2, 1, 1],
        ["Велика яма на дорозі біля будинку {house}, {street}. {contact}"],
        ["Огромная яма на дороге возле дома {house}. {contact}"],
    ),
    (
        "Вуличне освітлення",
        "Освітлення",
        "light",
        72,
        60.0,
        [4, 3, 3, 2, 1, 1, 1, 1, 2, 3, 4, 4],
        ["Не горять ліхтарі на {street} біля будинку {house}. {contact}"],
        ["Не горят фонари на улице возле дома {house}. {contact}"],
    ),
    (
        "Освітлення в під'їзді",
        "Утримання будинку",
        "housing",
        72,
        45.0,
        [3, 3, 3, 2, 2, 2, 2, 2, 2, 3, 3, 3],
        ["У під'їзді немає світла, кв. {flat}. {contact}"],
        ["В подъезде нет света, квартира {flat}. {contact}"],
    ),
    (
        "Покіс трави та догляд за зеленими насадженнями",
        "Благоустрій",
        "green",
        168,
        120.0,
        [0.2, 0.2, 1, 3, 5, 6, 5, 4, 2, 1, 0.5, 0.2],
        ["Дерево біля будинку {house} загрожує падінням. {contact}"],
        ["Дерево возле дома {house} может упасть. {contact}"],
    ),
    (
        "Перерахунок плати за послуги",
        "Нарахування плати",
        "billing",
        240,
        200.0,
        [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
        ["Прошу перерахувати плату за опалення, особовий рахунок {account}. {contact}"],
        ["Прошу сделать перерасчёт, лицевой счёт {account}. {contact}"],
    ),
]

CHANNELS = [
    ("Дзвінок 15-62", 60),
    ("Сайт", 18),
    ("Мобільний застосунок", 12),
    ("Telegram-бот", 7),
    ("Письмове звернення", 3),
]
EXECUTORS = {
    "heat": ["КП «Харківські теплові мережі»"],
    "water": ["КП «Харківводоканал»"],
    "housing": ["КП «Жилкомсервіс» ({district} район)"],
    "roads": ["КП «Шляхрембуд» ({district} район)"],
    "light": ["КП «Міськсвітло»"],
    "green": ["КП «Харківзеленбуд»"],
    "billing": ["КП «Харківські теплові мережі»", "КП «Жилкомсервіс» ({district} район)"],
}
ANSWERS_UK = [
    "Виконано. Роботи проведено, заявника {name} повідомлено за телефоном {phone}.",
    "Виконано силами виконавця.",
    "Надано роз'яснення заявнику.",
    "Заплановано на наступний період, заявника повідомлено.",
]
SHORT_STREET_KIND = {
    "вулиця": "вул.",
    "провулок": "пров.",
    "проспект": "просп.",
    "площа": "пл.",
    "узвіз": "узвіз",
    "набережна": "наб.",
    "вʼїзд": "вʼїзд",
}


def _phone(rng: random.Random) -> str:
    operator = rng.choice(["50", "66", "67", "68", "63", "73", "93", "95", "97", "98", "99"])
    digits = f"{rng.randint(0, 9999999):07d}"
    style = rng.randrange(4)
    if style == 0:
        return f"+380 {operator} {digits[:3]} {digits[3:5]} {digits[5:]}"
    if style == 1:
        return f"0{operator}{digits}"
    if style == 2:
        return f"(0{operator}) {digits[:3]}-{digits[3:5]}-{digits[5:]}"
    return f"+380{operator}{digits}"


class AppealsDemo:
    name = "appeals"

    async def populate(self, ctx: DemoContext) -> None:
        from hromada.open_data.appeals import service

        total = ctx.settings.demo_appeals
        if total <= 0:
            return
        now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
        records = generate(ctx.city, ctx.rng(self.name), total, now=now)

        def progress(done: int) -> None:
            ctx.progress("appeals", done, total)

        report = await service.import_records(
            records,
            fmt="demo",
            progress=progress,
            workers=min(2, os.cpu_count() or 1),
        )
        if not report.applied:
            first = report.errors[0] if report.errors else None
            raise RuntimeError(f"demo appeals did not import: {first}")


def generate(
    city: CityPlan, rng: random.Random, total: int, *, now: dt.datetime
) -> Iterator[Record]:
    """``total`` appeals over the three years before ``now``, oldest first."""
    start = now - dt.timedelta(days=365 * YEARS)
    districts = {d.code: d.name_uk for d in city.districts}
    streets = {s.code: s for s in city.streets}
    buildings: list[BuildingPlan] = city.buildings
    # Days weighted by the season of every category together.
    days = (now - start).days
    month_weight = [sum(c[5][m] for c in CATEGORIES) for m in range(12)]
    day_weights = [month_weight[(start + dt.timedelta(days=d)).month - 1] for d in range(days)]
    chosen_days = sorted(rng.choices(range(days), day_weights, k=total))
    channel_names = [c for c, _ in CHANNELS]
    channel_weights = [w for _, w in CHANNELS]
    hours = list(range(24))
    hour_weights = [1, 0.5, 0.3, 0.3, 0.3, 0.5, 2, 5, 8, 9, 9, 8]
    hour_weights += [7, 7, 7, 7, 7, 7, 6, 5, 4, 3, 2, 1.5]
    for index, day in enumerate(chosen_days):
        received = start + dt.timedelta(
            days=day, hours=rng.choices(hours, hour_weights)[0], minutes=rng.randrange(60)
        )
        month = received.month - 1
        category = rng.choices(CATEGORIES, [c[5][month] + 0.01 for c in CATEGORIES])[0]
        name, group, kind, deadline_hours, median, _, uk, ru = category
        building = buildings[rng.randrange(len(buildings))]
        street = streets[building.street]
        district = districts[building.district]
        russian = rng.random() < 0.25
        person = _person(rng, russian)
        phone = _phone(rng)
        flat = rng.randint(1, 240)
        contact = _contact(rng, person, phone, russian)
        street_name = f"{SHORT_STREET_KIND.get(street.kind, street.kind)} {street.name}"
        text = rng.choice(ru if russian else uk).format(
            flat=flat,
            days=rng.randint(2, 5),
            contact=contact,
            house=building.number,
            street=street_name,
            name=person,
            phone=phone,
            account=f"{rng.randint(10**9, 10**10 - 1)}",
        )
        deadline = received + dt.timedelta(hours=deadline_hours)
        age = (now - received).total_seconds() / 3600
        # Most are done well within the deadline; about one in eight is late.
        hours_taken = rng.lognormvariate(math.log(min(median, deadline_hours / 2.5)), 0.75)
        roll = rng.random()
        status = "registered"
        resolved_at = None
        answer = None
        if hours_taken < age and roll < 0.93:
            resolved_at = received + dt.timedelta(hours=hours_taken)
            status = "resolved" if roll < 0.85 else ("explained" if roll < 0.9 else "rejected")
            answer = rng.choice(ANSWERS_UK).format(name=person, phone=phone)
        elif age > 2:
            status = rng.choice(["in_progress", "in_progress", "on_review", "deferred"])
        executor = rng.choice(EXECUTORS[kind]).format(district=district.removesuffix("ський"))
        yield Record(
            index + 1,
            {
                "id": f"15-62/{received.year}/{index + 1:07d}",
                "received_at": received,
                "channel": rng.choices(channel_names, channel_weights)[0],
                "category": name,
                "category_group": group,
                "district": district,
                "address": f"{street_name}, {building.number}, кв. {flat}",
                "text": text,
                "status": status,
                "executor": executor,
                "deadline_at": deadline,
                "resolved_at": resolved_at,
                "confidential": rng.random() < 0.05,
                "lat": building.lat + rng.uniform(-0.0002, 0.0002),
                "lon": building.lon + rng.uniform(-0.0003, 0.0003),
                "answer": answer,
            },
        )


def _person(rng: random.Random, russian: bool) -> str:
    surname = rng.choice(SURNAMES)
    first = rng.choice(FIRST_NAMES_RU if russian else FIRST_NAMES_UK)
    middle = rng.choice(PATRONYMICS_RU if russian else PATRONYMICS_UK)
    style = rng.randrange(3)
    if style == 0:
        return f"{surname} {first} {middle}"
    if style == 1:
        return f"{first} {surname}"
    return f"{surname} {first[0]}.{middle[0]}."


def _contact(rng: random.Random, person: str, phone: str, russian: bool) -> str:
    style = rng.randrange(4)
    if style == 0:
        return (
            f"Меня зовут {person}, тел. {phone}."
            if russian
            else f"Мене звати {person}, тел. {phone}."
        )
    if style == 1:
        return f"Заявник: {person}, {phone}."
    if style == 2:
        login = rng.choice(["olena", "ivan", "maria", "andrii", "kyiv", "kharkiv"])
        return f"{person}, e-mail {login}{rng.randint(1, 999)}@{rng.choice(MAIL_HOSTS)}"
    return f"Контактний телефон {phone}."
