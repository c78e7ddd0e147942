"""A labelled evaluation set for the anonymiser, and the scores ``python -m tools.anonymiser_eval``
prints.

The set has two parts:

* synthetic appeals in Ukrainian and Russian in the style of contact-centre messages (a
  complaint, what was done about it, personal data of every kind, numbers that are not
  personal), generated deterministically from a seed; every personal value is labelled with
  its kind and character span;
* hand-written hard cases (``HARD_CASES``): surnames that are also words, streets named after
  people, Russian text, split phone numbers, bus routes, years and sums.

Every name and number here is invented. The real 1551 sample is read from outside the
repository only (``real_sample_report``) and none of its text is stored.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hromada.open_data.appeals.anonymise import KINDS, Anonymiser
from hromada.open_data.appeals.names import place_before

# Kinds whose recall must be 100 %, and the other targets of the issue.
EXACT_KINDS = ("phone", "email", "tax_number", "passport", "iban", "account")
NAME_RECALL_TARGET = 0.97
PRECISION_TARGET = 0.95


@dataclass(frozen=True)
class Label:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sample:
    text: str
    labels: tuple[Label, ...]
    lang: str
    source: str  # "synthetic" or "hard"


# -- hand-written hard cases ----------------------------------------------------------------
# ``{kind:value}`` marks a personal value; everything else must stay as it is.
_HARD_MARKUP: list[tuple[str, str]] = [
    # Surnames that are also words, alone they stay; with a first name or a cue they go.
    ("uk", "Коваль прийшов полагодити ворота, але так і не закінчив роботу."),
    ("uk", "Мельник на розі вулиці не працює вже тиждень, борошна немає."),
    ("uk", "Бондар з ЖЕКу обіцяв замінити бочки для води."),
    ("uk", "Лисиця бігає по двору біля дитячого майданчика, викличте службу."),
    (
        "uk",
        "Мене звати {name:Коваль Олена Петрівна}, проживаю за адресою вул. Шевченка, {house:12}.",
    ),
    ("uk", "Сусід {name:Мельник} з кв. {flat:14} постійно заливає мою квартиру."),
    ("uk", "Прошу вжити заходів до гр. {name:Бондаря Сергія}, який паркує авто на газоні."),
    ("uk", "Заявниця {name:Лисиця Надія Іванівна} просить перевірити лічильник."),
    ("uk", "Весна прийшла, а сміття після зими ніхто не вивіз."),
    ("uk", "Віра в те, що ЖЕК щось зробить, зникла. Надія лише на вас."),
    ("uk", "Любов до рідного міста не дозволяє мовчати про ями на дорогах."),
    ("uk", "Дякую {name:Вірі Михайлівні} з ЖЕКу за швидку допомогу."),
    ("uk", "Пані {name:Надія} з бухгалтерії не відповідає на дзвінки."),
    ("uk", "На вул. Шевченка біля будинку {house:7} не горить ліхтар."),
    ("uk", "Просп. Степана Бандери перекритий, автобус №5 їде в об'їзд."),
    ("uk", "На бульв. Тараса Шевченка та вул. Лесі Українки не прибирають сніг."),
    ("uk", "Пам'ятник Шевченку у сквері потребує ремонту підсвітки."),
    ("uk", "Школа імені Івана Франка просить встановити світлофор."),
    (
        "uk",
        "Шановний {name:Вадиме Михайловичу}! Прошу розібратися з відповіддю "
        "{name:Онуфрійчука В.М.} на моє звернення.",
    ),
    # Phone numbers in every shape.
    ("uk", "Мій телефон {phone:+38 (067) 123-45-67}, дзвоніть після 18:00."),
    ("uk", "Контакти: {phone:067 123 45 67} або {phone:(044) 234 56 78}."),
    ("uk", "Телефонуйте {phone:0 67 765 43 21} чи {phone:+380503332211}."),
    ("uk", "тел. {phone:234-56-78}, {phone:2345679}"),
    ("uk", "Номер {phone:380 95 111 22 33}, Viber теж є."),
    ("uk", "Зателефонуйте за номером {phone:8 (063) 000-11-22} в робочий час."),
    ("uk", "Телефон чергового {phone:(0462) 65-43-21}."),
    # Not personal: routes, years, dates, times, sums, counts, codes.
    ("uk", "Маршрут 115 не ходить з 2015 року, тролейбус 38 їде раз на 40 хвилин."),
    ("uk", "Автобус №5 о 7:45 не зупинився на зупинці, водій борту 5516."),
    ("uk", "За опалення плачу 1 250,50 грн, це на 30 % більше, ніж торік."),
    ("uk", "Вже 3 тижні немає гарячої води у 318 квартирах на 16 поверхах."),
    ("uk", "Звернення №К-46261 від 12.10.2015 досі не виконане, а це 2 місяці."),
    ("uk", "Згідно з ДБН В.2.2-15-2005 температура має бути не нижче 40 °С."),
    ("uk", "ЖЕК-512 не реагує, у під'їзді 2 вже 5 днів немає світла."),
    # Structured values with and without cues.
    ("uk", "Мій ІПН {tax_number:2914177764}, прошу перерахувати субсидію."),
    ("uk", "РНОКПП: {tax_number:0000000000}, паспорт {passport:КВ 123456}."),
    ("uk", "Паспорт громадянина України у формі ID-картки № {passport:001234567}."),
    ("uk", "Особовий рахунок {account:1234567}, а о/р сусіда {account:7654321}."),
    ("uk", "Рахунок {iban:UA213223130000026007233566001} в ПриватБанку."),
    ("uk", "Кошти поверніть на {iban:UA21 3223 1300 0002 6007 2335 6600 1}."),
    ("uk", "Авто {car_plate:АА 1234 ВВ} та {car_plate:KA5678CH} стоять на тротуарі."),
    ("uk", "Пишіть на {email:koval.olena@ukr.net}."),
    ("uk", "Проживаю: вул. Героїв Дніпра, {house:14/2}, кв. {flat:45}."),
    ("uk", "Буд. {house:5} кв{flat:12}, квартира {flat:7}, будинок {house:12А}."),
    # Lower case, capitals, punctuation around names.
    ("uk", "мене звати {name:іван петренко}, живу тут з 1998 року."),
    ("uk", "{name:ПЕТРЕНКО І.І.} не відповідає на дзвінки."),
    ("uk", "Відповідальний: ЖЕК-512 [{name:Антонов Василь Іванович}]."),
    ("uk", "Голова ОСББ {name:Ковальчук Н. В.} обіцяла все виправити."),
    ("uk", "ФОП {name:Петренко І.І.} торгує на тротуарі, моб.{phone:067-123-45-67}."),
    ("uk", "Відповідь надішліть {name:Петренку Івану Івановичу}, вул. Шевченка {house:5}."),
    ("uk", "Звертаюсь від імені {name:Коваленко Лідії Федорівни}, вона не ходить."),
    ("uk", "Сміття біля будинку №{house:3} у Дарницькому районі, пр-т Перемоги {house:51} і все."),
    ("uk", "Вагони 6005 та 6006 на лінії, а в трамваї 22 немає інформатора."),
    # Latin script (the 2010 official transliteration and informal spellings).
    ("uk", "Прошу відповісти {name:Oksana Hnatiuk} на електронну пошту."),
    ("uk", "Скаргу підписав {name:Petrenko I.V.}, голова будинкового комітету."),
    ("uk", "{name:Volodymyr Kovalchuk} повідомляє про відсутність світла."),
    ("ru", "Обращается {name:Aleksey Smirnov} по поводу уборки снега."),
    ("uk", "У ТРЦ «Sky Mall» та магазині Comfy не працює ліфт для візків."),
    # Obfuscated e-mails.
    ("uk", "Пошта {email:ivan.koval at gmail dot com}, дякую."),
    ("uk", "Відповідь на {email:nadia_p[at]ukr[dot]net}."),
    ("ru", "Почта {email:semen.k(собака)mail.ru}"),
    ("uk", "Адреса {email:oleh.m @ ukr.net}"),
    ("uk", "Наша собака at home не гавкає, а сусідська так."),
    # Dates of birth and ages tied to a person.
    ("uk", "Я {birth_date:1947 р.н.}, самотня пенсіонерка, прошу допомогти."),
    ("uk", "Моя мати, {birth_date:21.08.1939 року народження}, потребує соцпрацівника."),
    ("uk", "Народилася {birth_date:4 травня 1944 р.}, маю статус дитини війни."),
    ("ru", "Отец {birth_date:1938 г.р.} не может спуститься по лестнице."),
    ("uk", "Бабусі {age:90 років}, а в під'їзді немає поручнів."),
    ("ru", "Сыну {age:4 года}, площадка в ужасном состоянии."),
    ("uk", "Ремонт даху обіцяли ще 12.05.2014, а минуло вже 2 роки."),
    ("uk", "Дому 60 років, труби з 1956 року не міняли."),
    # Registry streets with ordinals; Russian surname with initials.
    ("uk", "Пров. 2-га Антоновича розбитий, машини не проїжджають."),
    ("ru", "Мастер {name:Ткаченко В.И.} так и не пришёл."),
    ("uk", "вул. Ярославська, {house:5} ({name:Оліфіренко Н.})"),
    # Russian.
    ("ru", "Меня зовут {name:Сергей Иванов}, мой телефон {phone:+38 (050) 123-45-67}."),
    ("ru", "Соседка {name:Петрова} из кв. {flat:8} выбрасывает мусор с балкона."),
    ("ru", "Заявитель {name:Кузнецова Ирина Сергеевна}, ул. Лескова, д. {house:9}."),
    ("ru", "Лицевой счет {account:987654321}, ИНН {tax_number:3012345678}."),
    ("ru", "Троллейбус 38 не ходит с 2014 года, уже 2 недели, 15 % жалоб."),
    ("ru", "Прошу наказать водителя автомобиля {car_plate:АІ 7777 ІК}."),
    ("ru", "Машина ({car_plate:аа0695нс}) стоит полгода, номер {phone:+38-067-123-45-67}."),
    ("ru", "меня зовут {name:ольга}, звоните по номеру {phone:0671234567}."),
    ("ru", "По ул. Закревского {house:85 Б} нет воды, 7 парадное не убирают."),
    ("ru", "Обращаюсь к {name:Соколову А.В.} по поводу отопления в квартире {flat:17}."),
    (
        "ru",
        "С уважением, {name:Любовь Николаевна}. Пишите {email:lubov.n@i.ua}, "
        "звоните {phone:(097) 765 43 21}.",
    ),
]

_MARK_RE = re.compile(r"\{(\w+):([^{}]+)\}")


def parse_markup(markup: str, lang: str = "uk", source: str = "hard") -> Sample:
    """``"Мене звати {name:Іван}"`` -> the plain text and its labels."""
    out: list[str] = []
    labels: list[Label] = []
    pos = 0
    length = 0
    for m in _MARK_RE.finditer(markup):
        before = markup[pos : m.start()]
        out.append(before)
        length += len(before)
        kind, value = m.group(1), m.group(2)
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} in {markup!r}")
        labels.append(Label(kind, length, length + len(value), value))
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(markup[pos:])
    return Sample("".join(out), tuple(labels), lang, source)


HARD_CASES: tuple[Sample, ...] = tuple(parse_markup(t, lang) for lang, t in _HARD_MARKUP)

# -- synthetic appeals ----------------------------------------------------------------------
_UK_MALE = [
    "Іван",
    "Петро",
    "Олександр",
    "Сергій",
    "Андрій",
    "Микола",
    "Володимир",
    "Василь",
    "Олег",
    "Юрій",
    "Дмитро",
    "Віталій",
    "Богдан",
    "Тарас",
    "Ігор",
    "Михайло",
    "Степан",
    "Роман",
    "Євген",
    "Анатолій",
    "Віктор",
    "Григорій",
    "Ярослав",
    "Максим",
    "Артем",
]
_UK_FEMALE = [
    "Олена",
    "Наталія",
    "Ірина",
    "Марія",
    "Тетяна",
    "Оксана",
    "Світлана",
    "Людмила",
    "Галина",
    "Ганна",
    "Юлія",
    "Катерина",
    "Валентина",
    "Ольга",
    "Віра",
    "Надія",
    "Любов",
    "Лариса",
    "Алла",
    "Зоряна",
    "Софія",
    "Дарина",
    "Христина",
    "Лідія",
]
_UK_PATR = {
    "Іван": ("Іванович", "Іванівна"),
    "Петро": ("Петрович", "Петрівна"),
    "Олександр": ("Олександрович", "Олександрівна"),
    "Сергій": ("Сергійович", "Сергіївна"),
    "Василь": ("Васильович", "Василівна"),
    "Микола": ("Миколайович", "Миколаївна"),
    "Володимир": ("Володимирович", "Володимирівна"),
    "Михайло": ("Михайлович", "Михайлівна"),
    "Григорій": ("Григорович", "Григорівна"),
    "Степан": ("Степанович", "Степанівна"),
    "Юрій": ("Юрійович", "Юріївна"),
    "Віктор": ("Вікторович", "Вікторівна"),
    "Анатолій": ("Анатолійович", "Анатоліївна"),
    "Андрій": ("Андрійович", "Андріївна"),
}
_UK_SURNAMES: tuple[tuple[str, str], ...] = (
    *(
        (s, s)
        for s in [
            "Петренко",
            "Коваленко",
            "Бондаренко",
            "Ткаченко",
            "Кравченко",
            "Олійник",
            "Шевчук",
            "Поліщук",
            "Лисенко",
            "Мельник",
            "Коваль",
            "Бондар",
            "Гончар",
            "Мороз",
            "Кравець",
            "Ткачук",
            "Савчук",
            "Руденко",
            "Марченко",
            "Павленко",
            "Сидоренко",
            "Климчук",
            "Гаврилюк",
            "Костенко",
            "Левченко",
            "Приходько",
            "Яковенко",
            "Мазур",
            "Карпенко",
            "Литвиненко",
            "Білик",
            "Кушнір",
            "Онищенко",
            "Зінченко",
            "Головко",
            "Дячук",
            "Стельмах",
            "Мирошниченко",
            "Нестеренко",
            "Гуменюк",
            "Остапчук",
            "Фещенко",
            "Ярошенко",
        ]
    ),
    ("Ковальський", "Ковальська"),
    ("Вишневський", "Вишневська"),
    ("Заболотний", "Заболотна"),
    ("Грабовський", "Грабовська"),
    ("Садовий", "Садова"),
)
_RU_MALE = [
    "Иван",
    "Сергей",
    "Александр",
    "Алексей",
    "Дмитрий",
    "Андрей",
    "Николай",
    "Владимир",
    "Михаил",
    "Юрий",
    "Виктор",
    "Евгений",
    "Игорь",
    "Олег",
    "Павел",
    "Геннадий",
    "Валерий",
    "Анатолий",
]
_RU_FEMALE = [
    "Елена",
    "Наталья",
    "Ирина",
    "Мария",
    "Татьяна",
    "Ольга",
    "Светлана",
    "Людмила",
    "Галина",
    "Анна",
    "Юлия",
    "Екатерина",
    "Валентина",
    "Вера",
    "Надежда",
    "Любовь",
    "Лариса",
    "Нина",
]
_RU_PATR = (
    ("Иванович", "Ивановна"),
    ("Сергеевич", "Сергеевна"),
    ("Александрович", "Александровна"),
    ("Николаевич", "Николаевна"),
    ("Владимирович", "Владимировна"),
    ("Петрович", "Петровна"),
    ("Михайлович", "Михайловна"),
    ("Викторович", "Викторовна"),
    ("Анатольевич", "Анатольевна"),
    ("Юрьевич", "Юрьевна"),
)
_RU_SURNAMES: tuple[tuple[str, str], ...] = (
    ("Иванов", "Иванова"),
    ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"),
    ("Соколов", "Соколова"),
    ("Лебедев", "Лебедева"),
    ("Козлов", "Козлова"),
    ("Новиков", "Новикова"),
    ("Морозов", "Морозова"),
    ("Волков", "Волкова"),
    ("Павлов", "Павлова"),
    ("Федоров", "Федорова"),
    ("Васильев", "Васильева"),
    ("Зайцев", "Зайцева"),
    ("Семенов", "Семенова"),
    ("Петренко", "Петренко"),
    ("Коваленко", "Коваленко"),
    ("Бондаренко", "Бондаренко"),
    ("Мельник", "Мельник"),
    ("Гончаренко", "Гончаренко"),
)
_UK_STREETS = (
    "вул. Шевченка",
    "вул. Івана Франка",
    "просп. Степана Бандери",
    "вул. Лесі Українки",
    "бульв. Тараса Шевченка",
    "вул. Хрещатик",
    "вул. Саксаганського",
    "вул. Героїв Дніпра",
    "просп. Перемоги",
    "вул. Мілютенка",
    "вул. Ревуцького",
    "вул. Драгоманова",
    "вул. Бориса Гмирі",
    "просп. Миколи Бажана",
    "вул. Маршала Тимошенка",
    "вул. Архітектора Городецького",
    "вул. Кошиця",
    "вул. Прирічна",
    "пров. Тихий",
    "вул. Симиренка",
)
_RU_STREETS = (
    "ул. Крещатик",
    "ул. Саксаганского",
    "просп. Победы",
    "ул. Героев Днепра",
    "ул. Лескова",
    "ул. Драгоманова",
    "просп. Бажана",
    "ул. Маршала Тимошенко",
    "ул. Симиренко",
    "ул. Шевченко",
)
_UK_DISTRICTS = (
    "Деснянському",
    "Оболонському",
    "Дарницькому",
    "Голосіївському",
    "Печерському",
    "Подільському",
    "Святошинському",
    "Солом'янському",
    "Шевченківському",
    "Дніпровському",
)
_RU_DISTRICTS = (
    "Деснянском",
    "Оболонском",
    "Дарницком",
    "Голосеевском",
    "Печерском",
    "Подольском",
    "Святошинском",
    "Соломенском",
    "Шевченковском",
    "Днепровском",
)
_UK_COMPLAINTS = (
    "Вже {n} дні відсутнє опалення в квартирі, батареї ледь теплі.",
    "Не працює ліфт у під'їзді {small}, літні люди не можуть вийти з дому.",
    "Біля будинку не вивозиться сміття з контейнерів, все переповнено.",
    "Прошу відремонтувати асфальтне покриття, ями на проїжджій частині.",
    "Протікає дах, заливає квартиру на {floor} поверсі після кожного дощу.",
    "У {district} районі немає гарячої води вже {n} тижні.",
    "На дитячому майданчику зламані гойдалки, діти можуть травмуватися.",
    "Не горить освітлення в під'їзді, лампочки ніхто не міняє.",
    "Прошу прибрати аварійне дерево, яке нахилилося над дорогою.",
    "Слабкий тиск холодної води з {floor}-го поверху включно.",
    "Двір не прибирається, листя і сміття лежать місяцями.",
    "Кіоск перекрив тротуар, пішоходи ходять проїжджою частиною.",
    "Незадовільна температура гарячої води, не більше {temp} °С.",
    "Підвал затоплений, у під'їзді стоїть неприємний запах.",
)
_RU_COMPLAINTS = (
    "Уже {n} дня отсутствует отопление, батареи холодные.",
    "Не работает лифт в подъезде {small}, пожилые люди не могут выйти.",
    "Возле дома не вывозят мусор, контейнеры переполнены.",
    "Просьба отремонтировать асфальт, ямы на проезжей части.",
    "Протекает крыша, заливает квартиру на {floor} этаже.",
    "В {district} районе нет горячей воды уже {n} недели.",
    "На детской площадке сломаны качели, дети могут травмироваться.",
    "Не горит свет в подъезде, лампочки никто не меняет.",
    "Просьба убрать аварийное дерево над дорогой.",
    "Температура горячей воды не выше {temp} °С.",
    "Двор не убирается, листья и мусор лежат месяцами.",
    "Киоск перекрыл тротуар, пешеходы идут по проезжей части.",
)
_UK_DISTRACTORS = (
    "Маршрут {route} ходить раз на {mins} хвилин.",
    "Автобус №{small} не зупиняється на зупинці з {year} року.",
    "Плачу за послуги {money} грн щомісяця, це на {pct}% більше.",
    "Звернення №К-{code} від {date} досі не виконане.",
    "Проблема триває вже {n} тижні, о {time} знову все вимкнули.",
    "У будинку {n}0 квартир і {floor} поверхів.",
    "ЖЕК-{code3} відповідає, що робіт не планується до {year} року.",
    "Тролейбус {route} їде зі Львівської площі із запізненням.",
)
_RU_DISTRACTORS = (
    "Маршрутка {route} ходит раз в {mins} минут.",
    "Автобус №{small} не останавливается с {year} года.",
    "Плачу {money} грн в месяц, это на {pct}% больше.",
    "Обращение №К-{code} от {date} до сих пор не выполнено.",
    "Проблема длится уже {n} недели, в {time} опять всё отключили.",
    "В доме {n}0 квартир и {floor} этажей.",
)


_PHONE_CODES = (
    *("050", "063", "066", "067", "068", "073", "093", "095", "096", "097", "098", "099"),
    *("044", "057", "032", "048", "056"),
)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.labels: list[Label] = []
        self.length = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def pii(self, kind: str, value: str) -> None:
        self.labels.append(Label(kind, self.length, self.length + len(value), value))
        self.add(value)

    def sample(self, lang: str) -> Sample:
        return Sample("".join(self.parts), tuple(self.labels), lang, "synthetic")


class SyntheticAppeals:
    """Deterministic appeals with injected personal data; ``generate(n)`` is the same every run."""

    def __init__(self, seed: int = 1551, morph: Callable[[str], Any] | None = None) -> None:
        self.rng = random.Random(seed)
        self._morph = morph

    # -- personal values ---------------------------------------------------------------
    def _inflect(self, word: str, case: str, lang: str, gender: str) -> str:
        if case == "nomn" or self._morph is None:
            return word
        morph = self._morph(lang)
        parses = [
            p
            for p in morph.parse(word)
            if any(t in p.tag for t in ("Name", "Surn", "Patr"))
            and (p.tag.gender in (gender, None) or "Fixd" in p.tag)
        ]
        if not parses:
            return word
        form = parses[0].inflect({case})
        if form is None:
            return word
        result: str = form.word
        return result[:1].upper() + result[1:]

    def person(self, lang: str, case: str = "nomn") -> str:
        r = self.rng
        female = r.random() < 0.5
        gender = "femn" if female else "masc"
        if lang == "uk":
            first = r.choice(_UK_FEMALE if female else _UK_MALE)
            father = r.choice(list(_UK_PATR))
            patr = _UK_PATR[father][1 if female else 0]
            surname = r.choice(_UK_SURNAMES)[1 if female else 0]
        else:
            first = r.choice(_RU_FEMALE if female else _RU_MALE)
            patr = r.choice(_RU_PATR)[1 if female else 0]
            surname = r.choice(_RU_SURNAMES)[1 if female else 0]
        f, p, s = (self._inflect(w, case, lang, gender) for w in (first, patr, surname))
        initials = f"{first[0]}.{patr[0]}." if r.random() < 0.6 else f"{first[0]}. {patr[0]}."
        shape = r.random()
        if shape < 0.30:
            return f"{s} {f} {p}"
        if shape < 0.45:
            return f"{f} {s}"
        if shape < 0.55:
            return f"{s} {f}"
        if shape < 0.75:
            return f"{s} {initials}"
        if shape < 0.85:
            return f"{initials} {s}"
        if shape < 0.93:
            return f"{f} {p}"
        return f"{f} {p} {s}"

    def phone(self) -> str:
        r = self.rng
        code = r.choice(_PHONE_CODES)
        d = [str(r.randint(0, 9)) for _ in range(7)]
        a, b, c = "".join(d[:3]), "".join(d[3:5]), "".join(d[5:])
        shapes = [
            f"+38{code}{a}{b}{c}",
            f"+38 {code} {a} {b} {c}",
            f"+38 ({code}) {a}-{b}-{c}",
            f"+38({code}){a}{b}{c}",
            f"38{code}{a}{b}{c}",
            f"{code}{a}{b}{c}",
            f"{code} {a} {b} {c}",
            f"{code}-{a}-{b}-{c}",
            f"({code}) {a}-{b}-{c}",
            f"({code}) {a} {b} {c}",
            f"({code}){a}{b}{c}",
            f"8 {code} {a} {b} {c}",
            f"8({code}){a}-{b}-{c}",
            f"{code} {a}{b}{c}",
            f"+380 {code[1:]} {a} {b} {c}",
        ]
        return r.choice(shapes)

    def city_phone(self) -> str:
        r = self.rng
        d = "".join(str(r.randint(0, 9)) for _ in range(7))
        d = str(r.randint(2, 5)) + d[1:]
        return r.choice([f"{d[:3]}-{d[3:5]}-{d[5:]}", d, f"{d[:3]} {d[3:5]} {d[5:]}"])

    def email(self, lang: str) -> str:
        r = self.rng
        user = r.choice(
            ["ivan", "olena", "petrenko", "koval", "serg", "natali", "andriy", "kyiv.resident"]
        )
        sep = r.choice([".", "_", ""])
        tail = r.choice(["", str(r.randint(1, 99)), str(r.randint(1950, 2005))])
        second = r.choice(["", f"{sep}{r.choice(['m', 'k', 'pro', 'home', 'ua'])}"])
        domain = r.choice(["ukr.net", "gmail.com", "i.ua", "meta.ua", "yahoo.com", "bigmir.net"])
        return f"{user}{second}{tail}@{domain}"

    def tax_number(self) -> str:
        r = self.rng
        from hromada.open_data.appeals.pii_patterns import tax_checksum_ok

        while True:
            head = str(r.randint(1, 4)) + "".join(str(r.randint(0, 9)) for _ in range(8))
            for last in "0123456789":
                if tax_checksum_ok(head + last):
                    return head + last

    def passport(self) -> tuple[str, str]:
        r = self.rng
        if r.random() < 0.5:
            series = r.choice(["КВ", "МЕ", "АН", "СО", "ТТ", "ВК", "НК", "ЕР"])
            digits = "".join(str(r.randint(0, 9)) for _ in range(6))
            return "old", r.choice(
                [f"{series} {digits}", f"{series}{digits}", f"{series} № {digits}"]
            )
        return "id", "".join(str(r.randint(0, 9)) for _ in range(9))

    def iban(self) -> str:
        r = self.rng
        bank = "".join(str(r.randint(0, 9)) for _ in range(6))
        account = "".join(str(r.randint(0, 9)) for _ in range(19))
        bban = bank + account
        check = 98 - int(bban + "301000") % 97  # "UA" = 30 10, then "00"
        iban = f"UA{check:02d}{bban}"
        if r.random() < 0.5:
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban

    def car_plate(self) -> str:
        r = self.rng
        region = r.choice(["АА", "КА", "ВН", "АХ", "ВІ", "СЕ", "АІ", "ВС", "KA", "AA", "BH"])
        tail = r.choice(["ВВ", "ІК", "МН", "ОР", "СТ", "ХА", "CH", "BO", "KX"])
        digits = "".join(str(r.randint(0, 9)) for _ in range(4))
        return r.choice(
            [f"{region} {digits} {tail}", f"{region}{digits}{tail}", f"{region}-{digits}-{tail}"]
        )

    def account(self) -> str:
        r = self.rng
        n = "".join(str(r.randint(0, 9)) for _ in range(r.choice([6, 7, 8, 9, 10, 12])))
        return n if r.random() < 0.85 else f"{n[:3]}-{n[3:]}"

    def house(self) -> str:
        r = self.rng
        n = str(r.randint(1, 180))
        return r.choice([n, n, f"{n}А", f"{n}а", f"{n}/{r.randint(1, 9)}", f"{n}-б"])

    def flat(self) -> str:
        r = self.rng
        n = str(r.randint(1, 320))
        return r.choice([n, n, n, f"{n}а"])

    # -- sentences ---------------------------------------------------------------------
    def _fill(self, template: str, lang: str) -> str:
        r = self.rng
        districts = _UK_DISTRICTS if lang == "uk" else _RU_DISTRICTS
        return template.format(
            n=r.randint(2, 4),
            small=r.randint(1, 9),
            floor=r.randint(2, 16),
            temp=r.randint(25, 45),
            district=r.choice(districts),
            route=r.choice([str(r.randint(1, 120)), f"{r.randint(100, 599)}"]),
            mins=r.choice([20, 30, 40, 60]),
            year=r.randint(2010, 2025),
            money=r.choice([f"{r.randint(100, 3000)}", f"{r.randint(1, 9)} {r.randint(100, 999)}"]),
            pct=r.randint(5, 60),
            code=r.randint(10000, 99999),
            code3=r.randint(100, 999),
            date=f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.{r.randint(2013, 2025)}",
            time=f"{r.randint(6, 23)}:{r.choice(['00', '15', '30', '45'])}",
        )

    def _address(self, b: _Builder, lang: str) -> None:
        r = self.rng
        street = r.choice(_UK_STREETS if lang == "uk" else _RU_STREETS)
        shape = r.random()
        if shape < 0.35:
            b.add(f"{street}, ")
            b.pii("house", self.house())
        elif shape < 0.55:
            b.add(f"{street} ")
            b.pii("house", self.house())
        else:
            word = r.choice(
                ["буд. ", "будинок ", "буд.", "д. "] if lang == "uk" else ["д. ", "дом ", "д."]
            )
            b.add(f"{street}, {word}")
            b.pii("house", self.house())
        if r.random() < 0.75:
            word = r.choice(
                [", кв. ", ", квартира ", ", кв.", " кв"]
                if lang == "uk"
                else [", кв. ", ", квартира ", ", кв."]
            )
            b.add(word)
            b.pii("flat", self.flat())

    def _pii_sentence(self, b: _Builder, lang: str, kind: str) -> None:
        r = self.rng
        uk = lang == "uk"
        if kind == "name":
            shape = r.random()
            if shape < 0.25:
                b.add(
                    r.choice(
                        ["Мене звати ", "Я, ", "Заявник: ", "Звертається "]
                        if uk
                        else ["Меня зовут ", "Я, ", "Заявитель: "]
                    )
                )
                b.pii("name", self.person(lang))
                b.add(", прошу допомогти. " if uk else ", прошу помочь. ")
            elif shape < 0.45:
                b.add(
                    r.choice(
                        ["Сусід ", "Сусідка ", "Мешканець "]
                        if uk
                        else ["Сосед ", "Соседка ", "Жилец "]
                    )
                )
                b.pii("name", self.person(lang))
                b.add(" постійно порушує тишу вночі. " if uk else " постоянно шумит ночью. ")
            elif shape < 0.6:
                b.add("Прошу зобов'язати " if uk else "Прошу обязать ")
                b.pii("name", self.person(lang, "accs"))
                b.add(" прибрати автомобіль з газону. " if uk else " убрать машину с газона. ")
            elif shape < 0.75:
                b.add("Звертався до " if uk else "Обращался к ")
                b.pii("name", self.person(lang, "gent" if uk else "datv"))
                b.add(", але відповіді немає. " if uk else ", но ответа нет. ")
            elif shape < 0.88:
                b.add("Майстер " if uk else "Мастер ")
                b.pii("name", self.person(lang))
                b.add(
                    " обіцяв прийти, але не прийшов. " if uk else " обещал прийти, но не пришел. "
                )
            else:
                b.add("Дякую " if uk else "Спасибо ")
                b.pii("name", self.person(lang, "datv"))
                b.add(" за допомогу. " if uk else " за помощь. ")
        elif kind == "phone":
            if r.random() < 0.2:
                b.add(
                    r.choice(
                        ["Тел. ", "тел.: ", "Телефон: ", "домашній тел. "]
                        if uk
                        else ["Тел. ", "тел.: ", "Телефон: "]
                    )
                )
                b.pii("phone", self.city_phone())
            else:
                b.add(
                    r.choice(
                        [
                            "Мій телефон ",
                            "Тел. ",
                            "Контактний номер: ",
                            "Зателефонуйте ",
                            "Дзвоніть: ",
                            "",
                        ]
                        if uk
                        else ["Мой телефон ", "Тел. ", "Звоните ", ""]
                    )
                )
                b.pii("phone", self.phone())
            b.add(". ")
        elif kind == "email":
            b.add(
                r.choice(
                    ["Відповідь надішліть на ", "Мій e-mail: ", "Пишіть: "]
                    if uk
                    else ["Ответ пришлите на ", "Почта: "]
                )
            )
            b.pii("email", self.email(lang))
            b.add(". ")
        elif kind == "tax_number":
            if r.random() < 0.6:
                b.add(
                    r.choice(
                        ["Мій ІПН ", "РНОКПП: ", "ідентифікаційний код ", "Ідентифікаційний номер "]
                        if uk
                        else ["Мой ИНН ", "идентификационный код "]
                    )
                )
            else:
                b.add(
                    "Для перерахунку субсидії додаю номер "
                    if uk
                    else "Для перерасчета субсидии номер "
                )
            b.pii("tax_number", self.tax_number())
            b.add(". ")
        elif kind == "passport":
            form, value = self.passport()
            if form == "old":
                b.add(
                    r.choice(
                        ["Паспорт ", "паспорт серії ", "", "Мій паспорт: "]
                        if uk
                        else ["Паспорт ", "паспорт серии ", ""]
                    )
                )
            else:
                b.add(
                    r.choice(
                        ["ID-картка ", "Паспорт у формі ID-картки № ", "паспорт (ID-картка) "]
                        if uk
                        else ["ID-карта ", "паспорт ID-карта № "]
                    )
                )
            b.pii("passport", value)
            b.add(". ")
        elif kind == "iban":
            b.add("Кошти поверніть на рахунок " if uk else "Деньги верните на счет ")
            b.pii("iban", self.iban())
            b.add(". ")
        elif kind == "car_plate":
            b.add(
                r.choice(
                    ["Автомобіль ", "Машина з номером ", "Авто "]
                    if uk
                    else ["Автомобиль ", "Машина с номером "]
                )
            )
            b.pii("car_plate", self.car_plate())
            b.add(" стоїть на газоні. " if uk else " стоит на газоне. ")
        elif kind == "account":
            b.add(
                r.choice(
                    [
                        "Особовий рахунок ",
                        "о/р ",
                        "особовий рахунок № ",
                        "Номер особового рахунку: ",
                    ]
                    if uk
                    else ["Лицевой счет ", "л/с ", "лицевой счет № "]
                )
            )
            b.pii("account", self.account())
            b.add(". ")
        elif kind in ("house", "flat"):
            b.add("Адреса: " if uk else "Адрес: ")
            self._address(b, lang)
            b.add(". ")

    def appeal(self) -> Sample:
        r = self.rng
        lang = "uk" if r.random() < 0.65 else "ru"
        b = _Builder()
        if r.random() < 0.3:
            b.add(
                r.choice(
                    ["Добрий день! ", "Доброго дня. ", "Шановні! "]
                    if lang == "uk"
                    else ["Добрый день! ", "Здравствуйте. "]
                )
            )
        b.add(self._fill(r.choice(_UK_COMPLAINTS if lang == "uk" else _RU_COMPLAINTS), lang) + " ")
        kinds = r.sample([*KINDS[:8], "house"], k=r.randint(1, 3))
        if r.random() < 0.6 and "name" not in kinds:
            kinds.insert(0, "name")
        for kind in kinds:
            self._pii_sentence(b, lang, kind)
        if r.random() < 0.6:
            b.add(
                self._fill(r.choice(_UK_DISTRACTORS if lang == "uk" else _RU_DISTRACTORS), lang)
                + " "
            )
        if r.random() < 0.25:
            b.add("З повагою, " if lang == "uk" else "С уважением, ")
            b.pii("name", self.person(lang))
            b.add(".")
        sample = b.sample(lang)
        return Sample(sample.text.strip(), sample.labels, lang, "synthetic")

    def generate(self, n: int) -> list[Sample]:
        return [self.appeal() for _ in range(n)]


def evaluation_set(
    size: int = 600, seed: int = 1551, anonymiser: Anonymiser | None = None
) -> list[Sample]:
    """``size`` synthetic appeals plus the hand-written hard cases."""
    morph = anonymiser.names.morph if anonymiser is not None else None
    return SyntheticAppeals(seed, morph).generate(size) + list(HARD_CASES)


# -- scoring --------------------------------------------------------------------------------
@dataclass
class KindScore:
    labels: int = 0
    found: int = 0  # labels whose every letter and digit is covered by a finding of that kind
    findings: int = 0
    correct: int = 0  # findings that overlap a label of their kind

    @property
    def recall(self) -> float:
        return self.found / self.labels if self.labels else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.findings if self.findings else 1.0


@dataclass
class Miss:
    sample: int
    kind: str
    value: str
    context: str


@dataclass
class EvaluationReport:
    samples: int
    per_kind: dict[str, KindScore]
    missed: list[Miss] = field(default_factory=list)
    false_positives: list[Miss] = field(default_factory=list)
    survived: list[Miss] = field(default_factory=list)

    @property
    def total(self) -> KindScore:
        t = KindScore()
        for s in self.per_kind.values():
            t.labels += s.labels
            t.found += s.found
            t.findings += s.findings
            t.correct += s.correct
        return t

    def failures(self) -> list[str]:
        """What misses the targets of the issue (empty when every target is met)."""
        out = []
        for kind in EXACT_KINDS:
            s = self.per_kind[kind]
            if s.recall < 1.0:
                out.append(f"{kind} recall {s.recall:.2%} < 100%")
        if self.per_kind["name"].recall < NAME_RECALL_TARGET:
            out.append(f"name recall {self.per_kind['name'].recall:.2%} < {NAME_RECALL_TARGET:.0%}")
        if self.total.precision < PRECISION_TARGET:
            out.append(f"overall precision {self.total.precision:.2%} < {PRECISION_TARGET:.0%}")
        if self.survived:
            out.append(f"{len(self.survived)} personal value(s) survive scrub()")
        return out

    def format(self, examples: int = 0) -> str:
        head = ("kind", "labels", "found", "recall", "findings", "precision")
        lines = [
            f"{self.samples} labelled appeals",
            "{:<12} {:>7} {:>7} {:>8} {:>9} {:>10}".format(*head),
        ]
        rows = [(kind, self.per_kind[kind]) for kind in KINDS] + [("overall", self.total)]
        for kind, sc in rows:
            lines.append(
                f"{kind:<12} {sc.labels:>7} {sc.found:>7} {sc.recall:>8.2%} "
                f"{sc.findings:>9} {sc.precision:>10.2%}"
            )
        lines.append(f"personal values surviving scrub(): {len(self.survived)}")
        failures = self.failures()
        lines.append("targets: " + ("all met" if not failures else "; ".join(failures)))
        if examples:
            for title, items in (
                ("missed", self.missed),
                ("false positives", self.false_positives),
                ("survived", self.survived),
            ):
                for m in items[:examples]:
                    lines.append(f"  {title}: {m.kind} {m.value!r} in …{m.context}…")
        return "\n".join(lines)


def _covered(label: Label, spans: Sequence[tuple[int, int]], text: str) -> bool:
    for i in range(label.start, label.end):
        if text[i].isalnum() and not any(s <= i < e for s, e in spans):
            return False
    return True


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - 30) : min(len(text), end + 30)].replace("\n", " ")


def evaluate(anonymiser: Anonymiser, samples: Iterable[Sample]) -> EvaluationReport:
    """Recall and precision per kind, plus every labelled value that survives ``scrub``."""
    per_kind = {k: KindScore() for k in KINDS}
    report = EvaluationReport(0, per_kind)
    for idx, sample in enumerate(samples):
        report.samples += 1
        text = sample.text
        findings = anonymiser.find(text)
        all_spans = [(f.start, f.end) for f in findings]
        for label in sample.labels:
            score = per_kind[label.kind]
            score.labels += 1
            same = [(f.start, f.end) for f in findings if f.kind == label.kind]
            if _covered(label, same, text):
                score.found += 1
            else:
                report.missed.append(
                    Miss(idx, label.kind, label.text, _context(text, label.start, label.end))
                )
        for f in findings:
            score = per_kind[f.kind]
            score.findings += 1
            if any(
                lb.kind == f.kind and f.start < lb.end and lb.start < f.end for lb in sample.labels
            ):
                score.correct += 1
            else:
                report.false_positives.append(
                    Miss(idx, f.kind, f.text, _context(text, f.start, f.end))
                )
        scrubbed = anonymiser.scrub(text) or ""
        for label in sample.labels:
            survives = not _covered(label, all_spans, text)
            if not survives and len(label.text) >= 4 and label.kind not in ("house", "flat"):
                survives = label.text in scrubbed
            if survives:
                report.survived.append(
                    Miss(idx, label.kind, label.text, _context(text, label.start, label.end))
                )
    return report


# -- the real 1551 sample -------------------------------------------------------------------
LOOSE_PHONE_RE = re.compile(r"(?<![\d\w])(?:\+?3\s?8)?[\s(]*0\s?[3-9](?:[\s\-()]{0,2}\d){8}(?!\d)")
LOOSE_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_HOUSE_AFTER_RE = re.compile(r",?\s?(?:\d|\[БУДИНОК\])")
_CAPITAL_WORD_RE = re.compile(r"(?<![\w'’ʼ-])[А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ]{2,}(?![\w'’ʼ])")


@dataclass
class RealReport:
    texts: int = 0
    chars: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    phones_left: int = 0
    emails_left: int = 0
    name_like_left: Counter[str] = field(default_factory=Counter)
    texts_with_name_like: int = 0

    def format(self, examples: int = 0) -> str:
        lines = [
            f"{self.texts} real appeals ({self.chars} characters)",
            "replaced: " + ", ".join(f"{k} {self.findings[k]}" for k in KINDS),
            f"phone-like numbers left: {self.phones_left}; e-mails left: {self.emails_left}",
            f"capitalised words left that pymorphy3 reads only as a name (not a street): "
            f"{sum(self.name_like_left.values())} in {self.texts_with_name_like} texts "
            f"({len(self.name_like_left)} distinct)",
        ]
        if examples:
            common = ", ".join(f"{w} ({n})" for w, n in self.name_like_left.most_common(examples))
            lines.append(f"  most frequent: {common}")
        return "\n".join(lines)


def read_real_texts(path: Path, column: str = "CallZText") -> list[str]:
    """The free-text column of a 1551 CSV export (the sample in ../shared/data)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [row.get(column) or "" for row in csv.DictReader(fh)]


def read_street_names(path: Path) -> list[str]:
    """Street names from a CSV (``fullTitle`` or ``name`` column) or a plain list."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        fh.seek(0)
        if "," in first and ("fullTitle" in first or "name" in first):
            column = "fullTitle" if "fullTitle" in first else "name"
            return [row.get(column) or "" for row in csv.DictReader(fh)]
        return [line.strip() for line in fh if line.strip()]


def real_sample_report(anonymiser: Anonymiser, texts: Iterable[str]) -> RealReport:
    """What ``scrub`` replaces in real appeals, and what it leaves that still looks personal."""
    report = RealReport()
    names = anonymiser.names
    for text in texts:
        report.texts += 1
        report.chars += len(text)
        for f in anonymiser.find(text):
            report.findings[f.kind] += 1
        scrubbed = anonymiser.scrub(text) or ""
        report.phones_left += sum(
            1
            for m in LOOSE_PHONE_RE.finditer(scrubbed)
            if 10 <= sum(c.isdigit() for c in m.group()) <= 12
        )
        report.emails_left += len(LOOSE_EMAIL_RE.findall(scrubbed))
        lang = (
            "ru"
            if sum(scrubbed.count(c) for c in "ыэъё") > sum(scrubbed.count(c) for c in "іїєґ")
            else "uk"
        )
        left = 0
        for m in _CAPITAL_WORD_RE.finditer(scrubbed):
            word = m.group()
            info = names.info(word.lower(), lang)
            if not (info.known and info.nameish >= 0.99):
                continue
            # Streets named after people are not personal data: "вул. Щусева", "Щусева 19".
            if word.lower() in names.street_words or place_before(scrubbed, m.start()):
                continue
            if _HOUSE_AFTER_RE.match(scrubbed, m.end()):
                continue
            report.name_like_left[word] += 1
            left += 1
        if left:
            report.texts_with_name_like += 1
    return report


# -- over-anonymisation on the real sample ----------------------------------------------------
# A street mention: a street word, an optional ordinal, then up to three capitalised words.
_STREET_MENTION_RE = re.compile(
    r"(?<![\w])(?:вул(?:иц[яіею])?|ул(?:иц[аеы])?|пров(?:улок|улку)?|пер(?:еулок|еулке)?|"
    r"просп(?:ект[уі]?)?|пр-т|пр|бульв(?:ар[уі]?)?|б-р|пл(?:оща|ощі)?|наб(?:ережна|ережній)?|"
    r"шосе|узвіз|узвоз|спуск|алея|аллея)\.?\s*"
    r"(?P<name>(?:\d{1,2}-?[а-яіїєґ]{0,3} )?[А-ЯІЇЄҐЁ][\w'’ʼ-]+(?: [А-ЯІЇЄҐЁ][\w'’ʼ-]+){0,2})"
)
# A brand or an organisation: a short quoted name.
_QUOTED_RE = re.compile(r"[«\"„“”]([^«»\"„“”\n]{2,40})[»\"“”]")


@dataclass
class OverReport:
    texts: int = 0
    street_mentions: int = 0
    streets_replaced: int = 0
    quoted_names: int = 0
    quoted_replaced: int = 0
    texts_over: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Street and quoted names (brands, organisations) wrongly replaced, per such name."""
        total = self.street_mentions + self.quoted_names
        return (self.streets_replaced + self.quoted_replaced) / total if total else 0.0

    def format(self, examples: int = 0) -> str:
        lines = [
            f"over-anonymisation on {self.texts} real appeals: "
            f"{self.streets_replaced} of {self.street_mentions} street names and "
            f"{self.quoted_replaced} of {self.quoted_names} quoted names (brands, organisations) "
            f"taken for a person = {self.rate:.2%}; texts affected {self.texts_over}",
        ]
        lines.extend(f"  over: …{e}…" for e in self.examples[:examples])
        return "\n".join(lines)


def over_anonymisation(anonymiser: Anonymiser, texts: Iterable[str]) -> OverReport:
    """How often a street name or a quoted brand or organisation is replaced as a person."""
    report = OverReport()
    for text in texts:
        report.texts += 1
        names = [(f.start, f.end) for f in anonymiser.find(text) if f.kind == "name"]
        over = False
        for regex, group, attr in (
            (_STREET_MENTION_RE, "name", "street"),
            (_QUOTED_RE, 1, "quoted"),
        ):
            for m in regex.finditer(text):
                s, e = m.span(group)
                hit = any(ns < e and s < ne for ns, ne in names)
                if attr == "street":
                    report.street_mentions += 1
                    report.streets_replaced += hit
                else:
                    report.quoted_names += 1
                    report.quoted_replaced += hit
                if hit:
                    over = True
                    report.examples.append(_context(text, s, e))
        report.texts_over += over
    return report
