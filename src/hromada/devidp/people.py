"""The demo people of the development identity provider. All invented.

Their addresses use streets of the demo city (so hromada finds their
district), their tax numbers are well-formed RNOKPPs that encode their birth
dates, and each one exercises a rule: adults in different districts, a
15-year-old, a non-resident, an internally displaced person, one person known
to two providers under two subjects with one tax number, and the three staff
roles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hromada.auth.identity import RNOKPP_EPOCH, rnokpp_with_checksum
from hromada.demo.city import StreetPlan, generate_city


@dataclass(frozen=True)
class DemoPerson:
    key: str
    family_name: str
    given_name: str
    middle_name: str
    birth_date: dt.date
    serial: int  # digits 6-9 of the RNOKPP
    address: str
    note: str
    subjects: dict[str, str]  # issuer name -> subject there
    idp_address: str | None = None
    roles: list[str] = field(default_factory=list)
    release_tax_id: bool = True

    @property
    def name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def tax_id(self) -> str:
        days = (self.birth_date - RNOKPP_EPOCH).days
        return rnokpp_with_checksum(f"{days:05d}{self.serial:04d}")

    def claims(self, issuer: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "sub": self.subjects[issuer],
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "middle_name": self.middle_name,
            "birthdate": self.birth_date.isoformat(),
            "address": {"formatted": self.address},
            "email": f"{self.key}@demo.hromada.example",
            "email_verified": True,
        }
        if self.release_tax_id:
            out["drfocode"] = self.tax_id
        if self.idp_address:
            out["idp_address"] = {"formatted": self.idp_address}
        if self.roles:
            out["hromada_roles"] = list(self.roles)
        return out


def _years_ago(years: int, days: int = 0) -> dt.date:
    today = dt.date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)


def _street(streets: list[StreetPlan], district: str) -> str:
    street = next(s for s in streets if s.district == district)
    short = {"вулиця": "вул.", "провулок": "пров.", "проспект": "просп.", "площа": "пл."}
    return f"{short.get(street.kind, street.kind)} {street.name}"


def demo_people(seed: int) -> list[DemoPerson]:
    streets = generate_city(seed, buildings=0).streets

    def home(district: str, house: str) -> str:
        return f"Україна, 61000, Харківська обл., м. Харків, {_street(streets, district)}, {house}"

    return [
        DemoPerson(
            "olena",
            "Коваленко",
            "Олена",
            "Петрівна",
            dt.date(1985, 3, 14),
            1024,
            home("shevchenkivskyi", "12, кв. 5"),
            "adult, Shevchenkivskyi; also known to the bank provider (same tax number)",
            {"city": "c-olena-1001", "bank": "b-77f3a2"},
        ),
        DemoPerson(
            "taras",
            "Бондаренко",
            "Тарас",
            "Іванович",
            dt.date(1972, 11, 2),
            3157,
            home("saltivskyi", "7"),
            "adult, Saltivskyi",
            {"city": "c-taras-1002"},
        ),
        DemoPerson(
            "iryna",
            "Мельник",
            "Ірина",
            "Олегівна",
            dt.date(1999, 6, 30),
            2048,
            home("kholodnohirskyi", "3А"),
            "adult, Kholodnohirskyi",
            {"city": "c-iryna-1003", "idgovua": "idg-iryna"},
        ),
        DemoPerson(
            "maksym",
            "Шевчук",
            "Максим",
            "Андрійович",
            _years_ago(15, 40),
            5011,
            home("kyivskyi", "21"),
            "15 years old: not eligible",
            {"city": "c-maksym-1004"},
        ),
        DemoPerson(
            "andrii",
            "Ткаченко",
            "Андрій",
            "Васильович",
            dt.date(1980, 1, 9),
            7013,
            "Україна, 36000, Полтавська обл., м. Полтава, вул. Соборності, 5",
            "lives in Poltava: not a resident, not eligible",
            {"city": "c-andrii-1005", "bank": "b-19c0d4"},
        ),
        DemoPerson(
            "svitlana",
            "Гончаренко",
            "Світлана",
            "Юріївна",
            dt.date(1968, 8, 21),
            6120,
            "Україна, 87500, Донецька обл., м. Маріуполь, вул. Миру, 40",
            "internally displaced, registered as such in the community",
            {"city": "c-svitlana-1006"},
            idp_address=home("industrialnyi", "9"),
        ),
        DemoPerson(
            "natalia",
            "Кравченко",
            "Наталія",
            "Сергіївна",
            dt.date(1988, 4, 5),
            4242,
            home("osnovianskyi", "14"),
            "moderator",
            {"city": "c-natalia-1007"},
            roles=["moderator"],
        ),
        DemoPerson(
            "petro",
            "Олійник",
            "Петро",
            "Миколайович",
            dt.date(1975, 12, 12),
            8091,
            home("slobidskyi", "2"),
            "city official",
            {"city": "c-petro-1008"},
            roles=["official"],
        ),
        DemoPerson(
            "oksana",
            "Лисенко",
            "Оксана",
            "Богданівна",
            dt.date(1983, 9, 17),
            9044,
            home("nemyshlianskyi", "30"),
            "administrator",
            {"city": "c-oksana-1009"},
            roles=["admin"],
        ),
        DemoPerson(
            "viktor",
            "Savchenko",
            "Viktor",
            "",
            dt.date(1995, 2, 28),
            1357,
            home("novobavarskyi", "11"),
            "the bank releases no tax number: keyed by issuer and subject",
            {"bank": "b-viktor-2a"},
            release_tax_id=False,
        ),
    ]
