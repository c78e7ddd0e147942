"""The anonymiser on hand-picked sentences; the labelled evaluation set is in test_evaluation.py."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from hromada.open_data.appeals.anonymise import (
    PLACEHOLDERS,
    Anonymiser,
    Finding,
    coarsen,
    get_anonymiser,
)
from hromada.open_data.appeals.pii_patterns import tax_checksum_ok


@pytest.fixture(scope="module")
def anon() -> Anonymiser:
    return get_anonymiser()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Мене звати Петренко Іван Іванович, тел. 067 123 45 67, e-mail ivan.petr@gmail.com",
            "Мене звати [ПІБ], тел. [ТЕЛЕФОН], e-mail [EMAIL]",
        ),
        (
            "Звертався до Онуфрійчука В.М. двічі, телефон (044) 234-56-78, ІПН 1234567890",
            "Звертався до [ПІБ] двічі, телефон [ТЕЛЕФОН], ІПН [РНОКПП]",
        ),
        (
            "Паспорт КВ 123456, ID-картка 001234567, IBAN UA21 3223 1300 0002 6007 2335 6600 1",
            "Паспорт [ПАСПОРТ], ID-картка [ПАСПОРТ], IBAN [IBAN]",
        ),
        (
            "Авто АА 1234 ВВ стоїть біля будинку 12А, о/р 123456789",
            "Авто [НОМЕР_АВТО] стоїть біля будинку [БУДИНОК], о/р [ОСОБОВИЙ_РАХУНОК]",
        ),
        (
            "Меня зовут Сергей Иванов, мой телефон +38 (050) 123-45-67, квартира 5",
            "Меня зовут [ПІБ], мой телефон [ТЕЛЕФОН], квартира [КВАРТИРА]",
        ),
        ("тел. 234-56-78, 2345679", "тел. [ТЕЛЕФОН], [ТЕЛЕФОН]"),
        (
            "Прошу вплинути на сусідку з кв. 12 буд. 5 по вул. Шевченка",
            "Прошу вплинути на сусідку з кв. [КВАРТИРА] буд. [БУДИНОК] по вул. Шевченка",
        ),
    ],
)
def test_scrub_replaces_personal_data(anon: Anonymiser, text: str, expected: str) -> None:
    assert anon.scrub(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Latin script: the official 2010 transliteration (no soft sign) and informal spellings.
        ("Пише Nataliia Melnychuk з ОСББ.", "Пише [ПІБ] з ОСББ."),
        ("Відповідь для Olha Kovalchuk.", "Відповідь для [ПІБ]."),
        ("Заявник Hnatiuk O.P. просить відповісти.", "Заявник [ПІБ] просить відповісти."),
        ("Звонил Andrey Sokolov вчера.", "Звонил [ПІБ] вчера."),
        (
            "Біля Alfa Romeo та Ocean Plaza немає місць.",
            "Біля Alfa Romeo та Ocean Plaza немає місць.",
        ),
        # Obfuscated e-mails.
        ("Пишіть roman.h at ukr dot net", "Пишіть [EMAIL]"),
        ("Пошта lida[at]gmail[dot]com.", "Пошта [EMAIL]."),
        ("e-mail: stepan(собака)i.ua", "e-mail: [EMAIL]"),
        ("Адреса maria.o @ meta.ua, дякую", "Адреса [EMAIL], дякую"),
        ("Собака at night гавкає.", "Собака at night гавкає."),
        # Dates of birth and ages tied to a person.
        ("Я, 1952 р.н., прошу субсидію.", "Я, [ДАТА_НАРОДЖЕННЯ], прошу субсидію."),
        ("Дата народження: 14.02.1960.", "Дата народження: [ДАТА_НАРОДЖЕННЯ]."),
        ("Батько 1933 року народження.", "Батько [ДАТА_НАРОДЖЕННЯ]."),
        ("Народилася 2 січня 1941 р. в Києві.", "Народилася [ДАТА_НАРОДЖЕННЯ] в Києві."),
        ("Матери 88 лет, лифт стоит.", "Матери [ВІК], лифт стоит."),
        ("Моїй доньці 7 років.", "Моїй доньці [ВІК]."),
        # Russian surname with initials.
        ("Ответил Лысенко П.Р. из ЖЭКа.", "Ответил [ПІБ] из ЖЭКа."),
    ],
)
def test_scrub_learned_classes(anon: Anonymiser, text: str, expected: str) -> None:
    assert anon.scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "З 12.03.2015р.немає води, а 2013 р. На теперішній час нічого не зроблено.",
        "Будинку 60 років, дереву віком 90 років потрібна обрізка.",
        "Я вже 2 роки чекаю відповіді, нам 3 роки обіцяють ремонт.",
        "Пров. 3-тя Антоновича та пров. 4-та Леонтовича без світла.",
    ],
)
def test_scrub_keeps_dates_ages_and_streets_that_are_not_personal(
    anon: Anonymiser, text: str
) -> None:
    assert anon.scrub(text) == text


def test_a_registry_street_is_never_a_person() -> None:
    anon = Anonymiser(street_names=["Олени Пчілки", "2-га Ярослава"])
    assert anon.scrub("Прибрати сміття на Олени Пчілки, біля 2-га Ярослава") == (
        "Прибрати сміття на Олени Пчілки, біля 2-га Ярослава"
    )
    # Without the registry, the same words are a person's name.
    assert Anonymiser().scrub("Прибрати сміття на Олени Пчілки") != (
        "Прибрати сміття на Олени Пчілки"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Маршрут 115 та автобус №5 не ходять з 2015 року, вже 3 тижні.",
        "Сума 1500 грн, 25 %, о 19:25, 20.11.2013, 318 квартир у будинку.",
        "Весна прийшла, а віра і надія лишились; любов до міста.",
        "На вул. Шевченка та просп. Степана Бандери немає світла.",
        "Відсутність ГВП у Деснянському районі, КП «Житлосервіс» не реагує.",
    ],
)
def test_scrub_keeps_what_is_not_personal(anon: Anonymiser, text: str) -> None:
    assert anon.scrub(text) == text


def test_find_is_sorted_and_non_overlapping(anon: Anonymiser) -> None:
    text = "Петренко І.І., тел. 0671234567, кв. 5, буд. 7, ivan@ukr.net"
    found = anon.find(text)
    assert all(isinstance(f, Finding) for f in found)
    assert [f.start for f in found] == sorted(f.start for f in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert all(text[f.start : f.end] == f.text for f in found)
    assert {f.kind for f in found} == {"name", "phone", "flat", "house", "email"}


def test_none_and_empty_pass_through(anon: Anonymiser) -> None:
    assert anon.scrub(None) is None
    assert anon.scrub("") == ""
    assert anon.scrub_address(None) is None
    assert anon.find("") == []


def test_scrub_address_keeps_street_and_district(anon: Anonymiser) -> None:
    assert (
        anon.scrub_address("Дарницький район, вул. Ревуцького, 7, кв. 33")
        == "Дарницький район, вул. Ревуцького"
    )
    assert anon.scrub_address("вул. Хрещатик, буд. 22/1, кв. 5") == "вул. Хрещатик"


def test_placeholders_cover_every_kind() -> None:
    assert set(PLACEHOLDERS) == {
        "name", "phone", "email", "tax_number", "passport", "iban",
        "car_plate", "account", "flat", "house", "birth_date", "age",
    }  # fmt: skip


def test_tax_checksum() -> None:
    assert tax_checksum_ok("3184710691")
    assert not tax_checksum_ok("3184710692")
    assert not tax_checksum_ok("12345")


def test_coarsen_grid() -> None:
    lat, lon = coarsen(50.4501, 30.5234)
    assert lat is not None and lon is not None
    # The centre of a ~100 m cell: within ~71 m of the point, and stable inside the cell.
    dy = (lat - 50.4501) * 111_195
    dx = (lon - 30.5234) * 111_195 * math.cos(math.radians(lat))
    assert math.hypot(dx, dy) <= 75
    assert coarsen(lat, lon) == (lat, lon)
    assert coarsen(50.45011, 30.52341) == (lat, lon)
    assert coarsen(None, 30.5) == (None, None)
    assert coarsen(float("nan"), 30.5) == (None, None)
    assert coarsen(91.0, 30.5) == (None, None)


def test_get_anonymiser_is_shared() -> None:
    assert get_anonymiser() is get_anonymiser()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("КП «Шляхрембуд» (Дарницький район)", "КП «Шляхрембуд» (Дарницький район)"),
        (
            "КП «Шляхрембуд», майстер Петренко Іван, 067 123 45 67",
            "КП «Шляхрембуд», майстер [ПІБ], [ТЕЛЕФОН]",
        ),
        ("ПАТ ”Київенерго” - ТРМ [Гордієнко Олег Петрович]", "ПАТ ”Київенерго” - ТРМ"),
        ("Дарницька РДА", "Дарницька РДА"),
        ("Водоканал", "Водоканал"),
        ("Петренко Іван", "[ПІБ]"),
        ("Гончар", "[ПІБ]"),
        ("Бригадир Мельник", "[ПІБ]"),
        ("Ivan Hrebeniuk", "[ПІБ]"),
        ("Гончар В.П. 0671234567", "[ПІБ] [ТЕЛЕФОН]"),
        (None, None),
        ("", ""),
    ],
)
def test_an_executor_is_an_organisation_or_it_is_anonymised(
    anon: Anonymiser, value: str | None, expected: str | None
) -> None:
    assert anon.scrub_organisation(value) == expected


def test_organisations_from_the_classifier_stay() -> None:
    anon = Anonymiser()
    assert anon.scrub_organisation("Олег Бондар") == "[ПІБ]"
    anon.add_organisations(["Олег Бондар"])  # a sole trader registered as an executor
    assert anon.scrub_organisation("Олег Бондар") == "Олег Бондар"


def _slow_address(anon: Anonymiser, address: str) -> str | None:
    """``scrub_address`` without its shortcut for registry streets: the detectors alone."""
    shortcut = anon._registry_address
    anon._registry_address = lambda _address: None  # type: ignore[method-assign]
    try:
        return anon.scrub_address(address)
    finally:
        anon._registry_address = shortcut  # type: ignore[method-assign]


def test_the_registry_street_shortcut_agrees_with_the_detectors() -> None:
    """Every address the demo city's appeals carry, and real Kyiv street names with house and
    flat numbers: the shortcut for "<kind> <registry street>, <numbers>" answers what the
    detectors answer, and it is taken for most of them (else it would save nothing)."""
    import csv
    import datetime as dt
    import random

    from hromada.config import Settings
    from hromada.demo.city import generate_city
    from hromada.open_data.appeals.demo import generate

    city = generate_city(Settings().demo_seed)
    kyiv = Path(__file__).parents[3] / "../shared/data/kyiv_streets_whiteand"
    with (kyiv / "kyiv_streets_2020-10-25_decoded.csv").open(encoding="utf-8") as f:
        # Titles with a number ("Маршака 3") are left out: the detectors cut the number as
        # a house's, the shortcut keeps the registry's whole title.
        real = [
            (r["type_name"], r["fullTitle"])
            for r in csv.DictReader(f)
            if not any(c.isdigit() for c in r["fullTitle"])
        ]
    anon = Anonymiser(street_names=[s.name for s in city.streets] + [name for _, name in real])
    short = {"вулиця": "вул.", "проспект": "просп.", "провулок": "пров.", "площа": "пл."}
    rng = random.Random(7)
    addresses = [
        r.fields["address"]
        for r in generate(city, random.Random(1), 3000, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        if r.fields.get("address")
    ] + [
        f"{short.get(kind, kind)} {name}, {rng.randint(1, 200)}"
        + (f", кв. {rng.randint(1, 300)}" if rng.random() < 0.5 else "")
        for kind, name in rng.sample(real, 1500)
    ]
    # Shapes the shortcut must leave to the detectors: a name, a phone, a district first.
    addresses += [
        "вул. Липова, 6, Іваненко Петро",
        "вул. Липова (Іваненко), 6",
        "вул. Липова, 6, тел. 0671234567",
        "Дарницький район, вул. Ревуцького, 7, кв. 33",
    ]
    taken = 0
    for address in addresses:
        assert anon.scrub_address(address) == _slow_address(anon, address), address
        taken += anon._registry_address(address) is not None
    assert taken > 0.8 * len(addresses)
    assert anon._registry_address("вул. Липова, 6, Іваненко Петро") is None
