"""The participatory budget as an open dataset: every project on a ballot, with its votes
and the outcome once its vote closed."""

from __future__ import annotations

from hromada.open_data.catalog.model import Dataset, Field, Frequency, TableSchema, Text
from hromada.open_data.catalog.registry import City
from hromada.participation.budgeting import service


def datasets(city: City) -> list[Dataset]:
    return [
        Dataset(
            slug="pb-projects",
            title=Text(uk="Проєкти бюджету участі", en="Participatory budget projects"),
            description=Text(
                uk="Проєкти бюджету участі, винесені на голосування: вартість, категорія, а після "
                "завершення голосування кількість голосів і чи підтримано проєкт за правилом "
                "циклу. Бюлетені кожного пулу — у файлі Pabulib (/api/v1/pb/pools/{id}/"
                "ballots.pb), з якого результат може перерахувати будь-хто.",
                en="Participatory budget projects on the ballot: cost, category and, once the "
                "vote closed, their votes and whether the cycle's rule funds them. Each pool's "
                "ballots are in a Pabulib file (/api/v1/pb/pools/{id}/ballots.pb) anyone can "
                "recompute the outcome from.",
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
                    Field("votes", "integer", "Голоси (після завершення голосування)"),
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
        )
    ]
