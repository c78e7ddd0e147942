"""Small appeal files with injected personal data, and Kyiv's districts in the registry.

The appeals tests of every layer (service, REST, GraphQL, Open311) live in
this folder so they share these fixtures.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hromada.config import Settings
from hromada.open_data.appeals import service
from hromada.open_data.appeals.districts import KYIV_DISTRICTS, load_built_in
from hromada.open_data.appeals.formats import COLUMNS

# Personal values put into the texts: none may appear in any output.
PERSONAL = [
    ("Петренко Іван Сергійович", "+380 67 123 45 67", "ivan.petrenko@gmail.com"),
    ("Коваленко Марія Іванівна", "(050) 765-43-21", "m.kovalenko@ukr.net"),
    ("Шевчук Олег Петрович", "093 111 22 33", "oleg.shevchuk@i.ua"),
    ("Сидоренко Анна Миколаївна", "+38 (066) 222-33-44", "anna.sydorenko@meta.ua"),
]
TEMPLATES = [
    "Мене звати {name}, телефон {phone}. Немає опалення у квартирі {flat} вже третій день.",
    "Заявник {name} ({email}) скаржиться: не працює ліфт у під'їзді, кв. {flat}.",
    "Здравствуйте, я {name}, тел. {phone}, нет горячей воды, квартира {flat}.",
    "Прошу прибрати сміття біля будинку. Зв'язок: {email}, {phone}.",
]
CATEGORIES = ["Відсутність опалення", "Не працює ліфт", "Відсутність ГВП", "Прибирання території"]
STATUSES = ["registered", "in_progress", "resolved", "resolved", "rejected"]


def personal_values() -> list[str]:
    values = []
    for name, phone, email in PERSONAL:
        values.extend([name, phone, email, name.split()[0]])
    return values


def make_rows(count: int, *, seed: int = 7, confidential_every: int = 10) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    rows = []
    for i in range(count):
        name, phone, email = PERSONAL[i % len(PERSONAL)]
        received = start + dt.timedelta(hours=7 * i)
        status = STATUSES[i % len(STATUSES)]
        resolved = (
            received + dt.timedelta(hours=rng.randint(2, 200)) if status == "resolved" else None
        )
        rows.append(
            {
                "id": f"T-{i:05d}",
                "received_at": received.isoformat(),
                "channel": "телефон" if i % 2 else "сайт",
                "category": CATEGORIES[i % len(CATEGORIES)],
                "district": KYIV_DISTRICTS[i % 3][1],
                "address": f"вул. Хрещатик, {10 + i % 7}, кв. {1 + i % 50}",
                "text": TEMPLATES[i % len(TEMPLATES)].format(
                    name=name, phone=phone, email=email, flat=1 + i % 50
                ),
                "status": status,
                "executor": "КП Житло-сервіс",
                "deadline_at": (received + dt.timedelta(hours=72)).isoformat(),
                "resolved_at": resolved.isoformat() if resolved else "",
                "confidential": "так" if i % confidential_every == 3 else "ні",
                "lat": f"{50.45 + (i % 10) * 0.001:.6f}",
                "lon": f"{30.52 + (i % 10) * 0.001:.6f}",
                "answer": f"Виконано. Відповідь надано {name} за телефоном {phone}."
                if status == "resolved"
                else "",
            }
        )
    return rows


def to_csv(rows: list[dict[str, Any]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def to_jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


@pytest.fixture
async def kyiv(clean_db: Settings) -> AsyncIterator[Settings]:
    """An empty database whose registry holds Kyiv's ten districts."""
    await load_built_in("kyiv")
    yield clean_db


class Samples:
    """The helpers above, handed to tests as the ``samples`` fixture."""

    make_rows = staticmethod(make_rows)
    to_csv = staticmethod(to_csv)
    to_jsonl = staticmethod(to_jsonl)
    personal_values = staticmethod(personal_values)


@pytest.fixture
def samples() -> type[Samples]:
    return Samples


@pytest.fixture
async def loaded(kyiv: Settings) -> tuple[Settings, list[dict[str, Any]]]:
    """100 appeals received over the last ~30 days (so Open311's default window holds them)."""
    rows = make_rows(100)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=30)
    for i, row in enumerate(rows):
        received = start + dt.timedelta(hours=7 * i)
        row["received_at"] = received.isoformat()
        row["deadline_at"] = (received + dt.timedelta(hours=72)).isoformat()
        if row["resolved_at"]:
            hours = 10 + (i * 13) % 150
            row["resolved_at"] = (received + dt.timedelta(hours=hours)).isoformat()
    report = await service.import_file(io.BytesIO(to_csv(rows)))
    assert report.applied, report.errors
    return kyiv, rows
