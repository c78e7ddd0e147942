"""The registries a city keeps, each declared once (``declared.Registry``).

Adding one is adding an entry to ``REGISTRIES``: its dataset, endpoints, GraphQL type,
search documents, imports and filters follow from the declaration.
"""

from __future__ import annotations

from hromada.open_data.catalog.model import Field, Text
from hromada.open_data.registries.declared import Registry

HEATING = ("connected", "disconnected", "partial")
OWNERSHIP = ("communal", "state", "private")

_heating = (
    Field("heating", "string", "Опалення: connected, disconnected, partial", enum=HEATING),
    Field("heating_since", "date", "Стан опалення з дати"),
    Field("heating_reason", "string", "Причина відключення опалення"),
)

BUILDING_PASSPORTS = Registry(
    slug="building-passports",
    graphql_name="BuildingPassport",
    title=Text(uk="Електронні паспорти будівель", en="Building e-passports"),
    description=Text(
        uk="Паспорт кожного багатоквартирного та муніципального будинку: рік побудови, "
        "поверховість, кількість квартир, матеріал стін, хто управляє будинком і стан "
        "опалення.",
        en="The passport of every apartment and municipal building: year built, floors, "
        "flats, wall material, who manages it and its heating status.",
    ),
    fields=(
        Field("building_id", "integer", "Ідентифікатор будівлі (реєстр будівель)", required=True),
        Field("address", "string", "Адреса", required=True),
        Field("year_built", "integer", "Рік побудови"),
        Field("floors", "integer", "Поверховість"),
        Field("flats", "integer", "Кількість квартир"),
        Field(
            "walls",
            "string",
            "Матеріал стін",
            enum=("panel", "brick", "monolith", "block", "wood", "other"),
        ),
        Field(
            "manager_kind",
            "string",
            "Хто управляє: osbb (ОСББ), company (управителька), council (міська рада)",
            enum=("osbb", "company", "council"),
        ),
        Field("manager_edrpou", "string", "Код ЄДРПОУ управителя"),
        Field("manager_name", "string", "Керівник управителя (ПІБ)"),
        Field("manager_phone", "string", "Телефон керівника"),
        *_heating,
    ),
    key="building_id",
    geometry="point",
    identifiers={"building_id": "building", "manager_edrpou": "edrpou"},
    personal=("manager_name", "manager_phone"),
    filters=("year_built", "floors"),
    title_field="address",
    address_field="address",
    keywords=("будівлі", "житловий фонд", "ОСББ", "опалення"),
    themes=("REGI", "ENER"),
)

SOCIAL_FACILITIES = Registry(
    slug="social-facilities",
    graphql_name="SocialFacility",
    title=Text(uk="Заклади соціальної сфери", en="Social facilities"),
    description=Text(
        uk="Школи, садочки, поліклініки та лікарні громади зі станом опалення.",
        en="The community's schools, kindergartens, clinics and hospitals with heating status.",
    ),
    fields=(
        Field("id", "string", "Ідентифікатор закладу", required=True),
        Field("name", "string", "Назва", required=True),
        Field(
            "kind",
            "string",
            "Вид: school, kindergarten, clinic, hospital, social",
            required=True,
            enum=("school", "kindergarten", "clinic", "hospital", "social"),
        ),
        Field("address", "string", "Адреса"),
        Field("edrpou", "string", "Код ЄДРПОУ"),
        Field("capacity", "integer", "Місткість (місць)"),
        Field("head_name", "string", "Керівник (ПІБ)"),
        *_heating,
    ),
    key="id",
    geometry="point",
    identifiers={"edrpou": "edrpou"},
    personal=("head_name",),
    title_field="name",
    text_fields=("address",),
    address_field="address",
    keywords=("школи", "садочки", "поліклініки", "опалення"),
    themes=("EDUC", "HEAL", "ENER"),
)

MAP_OBJECTS = Registry(
    slug="map-objects",
    graphql_name="MapObject",
    title=Text(uk="Об'єкти на мапі міста", en="City map objects"),
    description=Text(
        uk="Об'єкти міської мапи за шарами: соціальні, культура, спорт, інженерні мережі, "
        "транспорт.",
        en="Objects of the city map in layers: social, culture, sport, engineering "
        "networks, transport.",
    ),
    fields=(
        Field("id", "string", "Ідентифікатор об'єкта", required=True),
        Field("name", "string", "Назва", required=True),
        Field(
            "layer",
            "string",
            "Шар мапи",
            required=True,
            enum=("social", "culture", "sport", "engineering", "transport", "green", "other"),
        ),
        Field("category", "string", "Категорія в шарі"),
        Field("address", "string", "Адреса"),
        Field("operator", "string", "Хто утримує"),
        Field("description", "string", "Опис"),
    ),
    key="id",
    geometry="point",
    filters=("category",),
    title_field="name",
    text_fields=("category", "address", "description"),
    keywords=("мапа", "об'єкти", "ГІС"),
    themes=("REGI", "TRAN"),
)

KIOSKS = Registry(
    slug="kiosks",
    graphql_name="Kiosk",
    title=Text(uk="Тимчасові споруди для торгівлі (МАФ)", en="Trade kiosks"),
    description=Text(
        uk="Кіоски, павільйони та інші тимчасові споруди: номер і строк дозволу, вид, "
        "спеціалізація; власник називається, лише якщо це юридична особа.",
        en="Kiosks, pavilions and other temporary structures: permit number and term, kind, "
        "trade; the owner is named only when it is a legal entity.",
    ),
    fields=(
        Field("permit_number", "string", "Номер паспорта прив'язки", required=True),
        Field("permit_from", "date", "Дозвіл з"),
        Field("permit_to", "date", "Дозвіл до"),
        Field(
            "kind",
            "string",
            "Вид: kiosk, pavilion, stall, mobile",
            required=True,
            enum=("kiosk", "pavilion", "stall", "mobile"),
        ),
        Field("trade", "string", "Спеціалізація"),
        Field("address", "string", "Адреса"),
        Field("owner_edrpou", "string", "Код ЄДРПОУ власника (юридичної особи)"),
        Field("owner_name", "string", "Власник — юридична особа"),
        Field("owner_person", "string", "Власник — фізична особа (не оприлюднюється)"),
    ),
    key="permit_number",
    geometry="point",
    identifiers={"owner_edrpou": "edrpou"},
    personal=("owner_person",),
    legal_names={"owner_name": "owner_edrpou"},
    filters=("trade",),
    title_field="address",
    text_fields=("trade",),
    address_field="address",
    keywords=("МАФ", "кіоски", "торгівля"),
    themes=("ECON",),
)

LAND_PLOTS = Registry(
    slug="land-plots",
    graphql_name="LandPlot",
    title=Text(uk="Земельні ділянки", en="Land plots"),
    description=Text(
        uk="Земельні ділянки громади: кадастровий номер, площа, цільове призначення, форма "
        "власності; користувач називається, лише якщо це юридична особа.",
        en="Land plots of the community: cadastral number, area, purpose, ownership; the "
        "user is named only when it is a legal entity.",
    ),
    fields=(
        Field("cadastral_number", "string", "Кадастровий номер", required=True),
        Field("area_ha", "number", "Площа, га", required=True),
        Field("purpose_code", "string", "Код цільового призначення (КВЦПЗ)"),
        Field("ownership", "string", "Форма власності", enum=OWNERSHIP),
        Field("address", "string", "Місце розташування"),
        Field("user_edrpou", "string", "Код ЄДРПОУ користувача"),
        Field("user_name", "string", "Користувач — юридична особа"),
        Field("user_person", "string", "Користувач — фізична особа (не оприлюднюється)"),
    ),
    key="cadastral_number",
    geometry="polygon",
    identifiers={"cadastral_number": "cadastral", "user_edrpou": "edrpou"},
    personal=("user_person",),
    legal_names={"user_name": "user_edrpou"},
    filters=("purpose_code",),
    title_field="cadastral_number",
    text_fields=("address",),
    keywords=("земля", "кадастр", "земельні ділянки"),
    themes=("REGI", "AGRI"),
)

SERVICE_RATINGS = Registry(
    slug="service-ratings",
    graphql_name="ServiceRating",
    title=Text(uk="Оцінки якості послуг ЦНАП", en="Admin-service centre ratings"),
    description=Text(
        uk="Оцінки, які відвідувачі ЦНАП поставили за QR-кодом: середня оцінка і кількість "
        "оцінок за місяць для кожного центру та послуги. Менше ніж k оцінок не "
        "оприлюднюються (suppressed).",
        en="Ratings visitors of the admin-service centres gave by QR code: the month's "
        "average score and number of ratings per centre and service. Fewer than k ratings "
        "are not published (suppressed).",
    ),
    fields=(
        Field("id", "string", "Ідентифікатор: центр, послуга, місяць", required=True),
        Field("centre", "string", "Центр надання адміністративних послуг", required=True),
        Field("service", "string", "Послуга", required=True),
        Field("month", "string", "Місяць (РРРР-ММ)", required=True),
        Field("ratings", "integer", "Кількість оцінок"),
        Field("score", "number", "Середня оцінка, 1–5"),
        Field("suppressed", "boolean", "Оцінок менше за поріг: не оприлюднено"),
    ),
    key="id",
    identifiers={"month": "month"},
    filters=("centre", "service"),
    ranges={"score": (1, 5), "ratings": (0, 10_000_000)},
    small_cells=("ratings", ("score",)),
    title_field="service",
    text_fields=("centre",),
    keywords=("ЦНАП", "адміністративні послуги", "оцінки"),
    themes=("GOVE",),
)

STREET_NAMES = Registry(
    slug="street-names",
    graphql_name="StreetName",
    title=Text(uk="Реєстр назв вулиць", en="Street name register"),
    description=Text(
        uk="Офіційні назви вулиць, провулків, площ і проспектів: код, вид, де пролягає, "
        "рішення про найменування або перейменування та попередня назва.",
        en="Official names of streets, lanes, squares and avenues: code, kind, where it "
        "runs, the naming or renaming decision and the former name.",
    ),
    fields=(
        Field("code", "integer", "Код вулиці в реєстрі", required=True),
        Field("name", "string", "Назва", required=True),
        Field("kind", "string", "Вид (вулиця, провулок, площа, ...)", required=True),
        Field("description", "string", "Де пролягає"),
        Field("districts", "string", "Коди районів, якими пролягає (через ;)"),
        Field("named_on", "date", "Дата рішення про найменування"),
        Field("decision", "string", "Рішення (вид документа)"),
        Field("decision_number", "string", "Номер рішення"),
        Field("decision_title", "string", "Назва рішення"),
        Field("former_name", "string", "Попередня назва"),
    ),
    key="code",
    filters=("kind", "name", "former_name"),
    title_field="name",
    text_fields=("kind", "former_name", "description"),
    # The columns of Kyiv's register as published (its decoded CSV) import as they are.
    aliases={
        "uniquedigitalcode": "code",
        "fulltitle": "name",
        "type_name": "kind",
        "districts": "district",
        "placedescription": "description",
        "namingdate": "named_on",
        "namingdocument": "decision",
        "namingdocumentnumber": "decision_number",
        "namingdocumenttitle": "decision_title",
        "oldfulltitle": "former_name",
        "type": "",
        "districtsflags": "",
        "oldtype": "",
    },
    keywords=("вулиці", "топоніміка", "перейменування"),
    themes=("REGI", "GOVE"),
)

REGISTRIES: tuple[Registry, ...] = (
    BUILDING_PASSPORTS,
    SOCIAL_FACILITIES,
    MAP_OBJECTS,
    KIOSKS,
    LAND_PLOTS,
    SERVICE_RATINGS,
    STREET_NAMES,
)


def registry_of(slug: str) -> Registry | None:
    return next((r for r in REGISTRIES if r.slug == slug), None)
