"""The participatory budget as an open dataset: every project on a ballot, with its votes
and the outcome once its vote closed."""

from __future__ import annotations

from hromada.open_data.catalog.model import Dataset, Field, Frequency, TableSchema, Text
from hromada.open_data.catalog.registry import City
from hromada.participation.budgeting import implementation, service


def datasets(city: City) -> list[Dataset]:
    return [
        Dataset(
            slug="pb-projects",
            title=Text(uk="Проєкти бюджету участі", en="Participatory budget projects"),
            description=Text(
                uk="Проєкти бюджету участі, винесені на голосування: вартість, категорія, а після "
                "завершення голосування кількість голосів (і балів, якщо пул кумулятивний) "
                "і чи підтримано проєкт за правилом циклу. Бюлетені кожного пулу — у файлі "
                "Pabulib (/api/v1/pb/pools/{id}/ballots.pb), з якого результат може "
                "перерахувати будь-хто.",
                en="Participatory budget projects on the ballot: cost, category and, once the "
                "vote closed, their votes (and points, in a cumulative pool) and whether the "
                "cycle's rule funds them. Each pool's ballots are in a Pabulib file "
                "(/api/v1/pb/pools/{id}/ballots.pb) anyone can recompute the outcome from.",
            ),
            keywords=("бюджет участі", "громадський бюджет", "голосування"),
            purpose="Оприлюднення проєктів і результатів бюджету участі",
            schema=TableSchema(
                fields=(
                    Field("code", "string", "Код проєкту", required=True),
                    Field("cycle", "string", "Цикл", required=True),
                    Field("pool", "string", "Пул (загальноміський чи район)", required=True),
                    Field("title", "string", "Назва", required=True),
                    Field("category", "string", "Категорія"),
                    Field("cost", "integer", "Вартість, грн", required=True),
                    Field("lat", "number", "Широта місця (WGS 84)"),
                    Field("lon", "number", "Довгота місця (WGS 84)"),
                    Field("votes", "integer", "Голоси (після завершення голосування)"),
                    Field("points", "integer", "Бали (кумулятивне голосування, після завершення)"),
                    Field("selected", "boolean", "Підтримано за правилом циклу"),
                ),
                primary_key=("code",),
            ),
            rows=service.iter_project_rows,
            publisher=city.council,
            coverage=city.coverage(),
            frequency=Frequency.DAILY,
            themes=("GOVE", "ECON"),
            legal_basis="Положення про бюджет участі (громадський бюджет) громади",
            responsible_person="Відділ відкритих даних",
            contact_email=city.email,
        ),
        Dataset(
            slug="pb-implementation",
            title=Text(
                uk="Реалізація проєктів бюджету участі", en="Participatory budget implementation"
            ),
            description=Text(
                uk="Кожен крок реалізації підтриманих проєктів бюджету участі, як його записали "
                "посадовці: етап (заплановано, тендер, договір, виконується, виконано, не "
                "виконано), відсоток виконання, витрачено з початку, ідентифікатор закупівлі "
                "в ProZorro.",
                en="Every recorded step of the funded participatory budget projects: the stage "
                "(planned, tender, contracted, in progress, done, failed), percent done, UAH "
                "spent so far and the ProZorro tender id.",
            ),
            keywords=("бюджет участі", "реалізація", "ProZorro"),
            purpose="Звітування про виконання проєктів бюджету участі",
            schema=TableSchema(
                fields=(
                    Field("step", "integer", "Номер запису", required=True),
                    Field("code", "string", "Код проєкту", required=True),
                    Field("title", "string", "Назва проєкту", required=True),
                    Field("cost", "integer", "Вартість проєкту, грн", required=True),
                    Field("stage", "string", "Етап", required=True),
                    Field("percent", "integer", "Виконано, %", required=True),
                    Field("spent", "integer", "Витрачено з початку, грн", required=True),
                    Field("prozorro_id", "string", "Ідентифікатор закупівлі ProZorro"),
                    Field("recorded_at", "datetime", "Записано", required=True),
                ),
                primary_key=("step",),
            ),
            rows=implementation.iter_implementation_rows,
            publisher=city.council,
            coverage=city.coverage(),
            frequency=Frequency.DAILY,
            themes=("GOVE", "ECON"),
            legal_basis="Положення про бюджет участі (громадський бюджет) громади",
            responsible_person="Відділ відкритих даних",
            contact_email=city.email,
        ),
    ]
