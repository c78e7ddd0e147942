"""The demo city's tenders: a few thousand over five years in the ProZorro API's shape,
imported through the one import path (so every check and the savings rule apply).

Procuring entities are the city's departments; winners are companies whose EDRPOU codes
start with 99 (beyond any code issued so far, so no real company is named a winner of an
invented tender) and individual entrepreneurs, whose codes never reach the database. The
first tenders carry the tenderIDs the participatory budget's demo milestones name
(``UA-<year>-01-15-<index>-a``), so a milestone's link resolves."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from hromada.demo.parts import DemoContext
from hromada.open_data.procurement.importing import import_records

TENDERS = 2500
YEARS = 5
BUDGET_PROJECT_TENDERS = 40  # as many as the budget demo's funded projects at most

ENTITIES = (
    ("99000101", "Департамент освіти і науки міської ради"),
    ("99000102", "Департамент охорони здоров'я міської ради"),
    ("99000103", "Департамент житлово-комунального господарства"),
    ("99000104", "Департамент будівництва та шляхового господарства"),
    ("99000105", "Управління культури міської ради"),
    ("99000106", "Управління соціального захисту населення"),
)
# CPV (ДК 021:2015) codes with what such a tender buys.
PURCHASES = (
    ("45453000-7", "Капітальний ремонт покрівлі"),
    ("45233142-6", "Поточний ремонт дороги"),
    ("45421000-4", "Заміна вікон на енергозберігаючі"),
    ("33600000-6", "Закупівля лікарських засобів"),
    ("15890000-3", "Харчування учнів"),
    ("09310000-5", "Постачання електричної енергії"),
    ("09120000-6", "Постачання природного газу"),
    ("90510000-5", "Вивезення та утилізація твердих побутових відходів"),
    ("34144000-8", "Закупівля спецтехніки для комунальних служб"),
    ("30210000-4", "Комп'ютерне обладнання для шкіл"),
    ("45331000-6", "Модернізація системи опалення"),
    ("71320000-7", "Розроблення проєктної документації"),
)
COMPANIES = tuple(
    (f"99{n:06d}", f"ТОВ «{name}»")
    for n, name in enumerate(
        ("Будмайстер", "Дорбуд-Схід", "Теплосервіс", "Фармацентр", "Шкільне харчування",
         "Енергопостач", "Еко-Вивіз", "Технопарк", "Вікнобуд", "Проєкт-Інжиніринг",
         "Спецмаш", "Комунтехніка", "Світло міста", "Газзбут-Регіон", "Медпостач"),
        start=1001,
    )
)  # fmt: skip
STATUSES = (("complete", 70), ("unsuccessful", 10), ("cancelled", 7),
            ("active.tendering", 8), ("active.awarded", 5))  # fmt: skip


def _instant(day: dt.datetime) -> str:
    return day.isoformat(timespec="seconds")


def tenders(ctx: DemoContext) -> list[dict[str, Any]]:
    rng = ctx.rng("procurement")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=365 * YEARS)
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    out = []
    for n in range(TENDERS):
        created = start + dt.timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
        edrpou, entity = rng.choice(ENTITIES)
        cpv, what = rng.choice(PURCHASES)
        status = rng.choice(statuses)
        if created > now - dt.timedelta(days=20) and status == "complete":
            status = "active.tendering"  # a recent tender is not finished yet
        # Amounts as the file reader gives them (Decimal, never a float).
        expected = Decimal(f"{math.exp(rng.uniform(math.log(50_000), math.log(50_000_000))):.2f}")
        number = f"UA-{created:%Y-%m-%d}-{n:06d}-b"
        title = f"{what}"
        if n < BUDGET_PROJECT_TENDERS:
            number = f"UA-{now.year}-01-15-{n:06d}-a"
            title, status = f"Реалізація проєкту бюджету участі № {n + 1}", "complete"
        tender: dict[str, Any] = {
            "id": f"{rng.getrandbits(128):032x}",
            "tenderID": number,
            "title": title,
            "status": status,
            "procurementMethodType": rng.choice(("belowThreshold", "aboveThreshold")),
            "procuringEntity": {
                "name": entity,
                "identifier": {"scheme": "UA-EDR", "id": edrpou, "legalName": entity},
            },
            "value": {"amount": expected, "currency": "UAH", "valueAddedTaxIncluded": True},
            "items": [{"description": what, "classification": {"scheme": "ДК021", "id": cpv}}],
            "dateCreated": _instant(created),
            "dateModified": _instant(min(now, created + dt.timedelta(days=rng.randint(1, 60)))),
            "tenderPeriod": {
                "startDate": _instant(created + dt.timedelta(days=1)),
                "endDate": _instant(created + dt.timedelta(days=8)),
            },
        }
        if status in ("complete", "active.awarded"):
            if rng.random() < 0.15:  # an individual entrepreneur: kept as a kind only
                code = f"{rng.randrange(10**9, 10**10)}"
                party = {"name": "ФОП", "identifier": {"scheme": "UA-IPN", "id": code}}
            else:
                code, name = rng.choice(COMPANIES)
                party = {"name": name, "identifier": {"scheme": "UA-EDR", "id": code,
                                                      "legalName": name}}  # fmt: skip
            awarded = (expected * Decimal(f"{rng.uniform(0.7, 0.995):.4f}")).quantize(
                Decimal("0.01")
            )
            award_day = _instant(created + dt.timedelta(days=10))
            tender["awards"] = [
                {"id": f"a{n}", "status": "active", "date": award_day, "suppliers": [party],
                 "value": {"amount": awarded, "currency": "UAH"}}
            ]  # fmt: skip
            if status == "complete":
                tender["contracts"] = [
                    {"id": f"c{n}", "awardID": f"a{n}", "status": "active",
                     "value": {"amount": awarded, "currency": "UAH"}}
                ]  # fmt: skip
        out.append(tender)
    return out


class ProcurementDemo:
    name = "procurement"

    async def populate(self, ctx: DemoContext) -> None:
        found = [(f"record {n + 1}", t) for n, t in enumerate(tenders(ctx))]
        report = await import_records(found)
        ctx.progress("procurement", report.read, report.read)
