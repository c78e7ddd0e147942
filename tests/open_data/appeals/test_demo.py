"""The demo city's appeals: generated with personal data, imported through the real pipeline."""

from __future__ import annotations

import collections
import datetime as dt
import re

from hromada.config import Settings
from hromada.demo.city import generate_city
from hromada.demo.parts import DemoContext
from hromada.open_data.appeals.demo import SURNAMES, AppealsDemo, generate
from hromada.open_data.appeals.tables import Appeal
from hromada.open_data.registries.demo import RegistriesDemo

PHONE = re.compile(r"\d{3}[ -]?\d{2}[ -]?\d{2}\b")
EMAIL = re.compile(r"\S+@\S+")


def test_generation_is_seasonal_and_realistic() -> None:
    import random

    city = generate_city(1551)
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    records = list(generate(city, random.Random(5), 6000, now=now))
    assert len(records) == 6000
    received = [r.fields["received_at"] for r in records]
    assert min(received) >= now - dt.timedelta(days=3 * 365 + 1) and max(received) <= now
    heating = collections.Counter(
        r.fields["received_at"].month
        for r in records
        if r.fields["category"] == "Відсутність опалення"
    )
    winter = heating[12] + heating[1] + heating[2]
    summer = heating[6] + heating[7] + heating[8]
    assert winter > 20 * max(summer, 1)
    confidential = sum(r.fields["confidential"] for r in records) / len(records)
    assert 0.03 < confidential < 0.07
    late = [
        r
        for r in records
        if r.fields["resolved_at"] and r.fields["resolved_at"] > r.fields["deadline_at"]
    ]
    assert 0.05 < len(late) / len(records) < 0.6
    russian = sum("Меня зовут" in r.fields["text"] or "Нет " in r.fields["text"] for r in records)
    assert russian > 300
    assert all(
        PHONE.search(r.fields["text"])
        or EMAIL.search(r.fields["text"])
        or "Заявник" in r.fields["text"]
        or "рахунок" in r.fields["text"]
        for r in records[:200]
    )


async def test_demo_part_imports_anonymised_appeals(clean_db: Settings) -> None:
    settings = clean_db.replace(demo_appeals=400)
    ctx = DemoContext(settings=settings, city=generate_city(settings.demo_seed))
    await RegistriesDemo().populate(ctx)
    await AppealsDemo().populate(ctx)
    rows = await Appeal.select().run()
    assert len(rows) == 400
    public = [r for r in rows if not r["confidential"]]
    assert public and all(r["district"] is not None for r in rows)
    texts = "\n".join((r["text"] or "") + "\n" + (r["answer"] or "") for r in public)
    assert "[ТЕЛЕФОН]" in texts and "[ПІБ]" in texts
    assert not EMAIL.search(texts)
    assert not re.search(r"\+?380\d{9}|0\d{9}\b", texts)
    streets = {r["street"] for r in public}
    bad = [s for s in streets if s and re.search(r"\d+\s*$|кв", s)]
    assert not bad, bad  # no house or flat number
    # Names: the anonymiser's target on names is 97 % recall, so a rare miss is allowed.
    surnames_left = sum(texts.count(s) for s in SURNAMES)
    assert surnames_left <= 0.03 * len(public)
    assert any(r["late"] for r in rows)
