"""Search benchmark: index appeal-like documents, then query latency, engine vs API.

Indexes ``HROMADA_BENCH_SEARCH_DOCS`` (default 1,000,000) synthetic appeal-like
documents into the embedded engine (documents/s: encoding plus indexing, not
generating), then measures p50 and p95 latency of three query kinds
(``HROMADA_BENCH_SEARCH_QUERIES`` each, default 200):

- one word,
- two words, one of them with a typo,
- one word, filtered by district and faceted by category and district;

against the engine directly (the adapter's ``search``, highlights included)
and through the API (``GET /api/v1/search`` of a ``hromada`` server in a
subprocess on a free port, over HTTP with keep-alive). The ratio API/engine is
our overhead. Goals: p95 < 30 ms through the API at 1M documents; at least
10,000 documents/s indexing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import shutil
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from hromada import domains
from hromada.search.embedded import EmbeddedBackend
from hromada.search.port import Document, DocumentType, SearchQuery, encode_document
from hromada.search.registry import document_type
from hromada.search.registry import settings as index_settings

DOCS = int(os.environ.get("HROMADA_BENCH_SEARCH_DOCS", "1000000"))
QUERIES = int(os.environ.get("HROMADA_BENCH_SEARCH_QUERIES", "200"))
BATCH = 20_000
GOAL_P95_MS = 30.0
GOAL_DOCS_PER_S = 10_000

DISTRICTS = [
    "kholodnohirskyi", "shevchenkivskyi", "kyivskyi", "saltivskyi", "nemyshlianskyi",
    "industrialnyi", "slobidskyi", "osnovianskyi", "novobavarskyi",
]  # fmt: skip

# category -> (title, words typical of its appeals)
CATEGORIES: dict[str, tuple[str, list[str]]] = {
    "heating": ("Відсутнє опалення", ["опалення", "батареї", "холодні", "котельня", "тепло",
                                       "радіатор", "теплопостачання", "температура"]),
    "water": ("Немає води", ["водопостачання", "вода", "труба", "прорив", "тиск", "гаряча",
                             "холодна", "водопровід", "каналізація"]),
    "roads": ("Ремонт дороги", ["дорога", "яма", "асфальт", "тротуар", "ремонт", "бордюр",
                                "проїзд", "покриття"]),
    "lighting": ("Не працює освітлення", ["освітлення", "ліхтар", "темно", "вуличне",
                                          "лампа", "опора", "світильник"]),
    "waste": ("Вивіз сміття", ["сміття", "контейнер", "вивіз", "майданчик", "відходи",
                               "прибирання", "звалище"]),
    "elevator": ("Не працює ліфт", ["ліфт", "кабіна", "застряг", "підйомник", "кнопка",
                                    "шахта", "диспетчер"]),
    "trees": ("Аварійне дерево", ["дерево", "гілка", "обрізка", "аварійне", "впало",
                                  "зелені", "насадження"]),
    "transport": ("Громадський транспорт", ["тролейбус", "автобус", "маршрут", "зупинка",
                                            "інтервал", "трамвай", "водій"]),
    "housing": ("Стан будинку", ["підʼїзд", "дах", "протікає", "стіна", "вікна", "двері",
                                 "ґанок", "фасад"]),
    "noise": ("Шум уночі", ["шум", "музика", "сусіди", "ремонт", "ніч", "гучно",
                            "будівництво"]),
}  # fmt: skip
FILLER = [
    "у",
    "в",
    "на",
    "біля",
    "з",
    "до",
    "не",
    "вже",
    "другий",
    "третій",
    "тиждень",
    "день",
    "місяць",
    "прошу",
    "терміново",
    "допомогти",
    "мешканці",
    "будинку",
    "квартира",
    "вулиці",
    "району",
    "відповідь",
    "звернення",
    "повторно",
    "немає",
    "постійно",
    "знову",
    "ніхто",
    "реагує",
    "комунальна",
    "служба",
]
SYLLABLES = [
    "ко",
    "ва",
    "ли",
    "на",
    "ро",
    "те",
    "ми",
    "ду",
    "ра",
    "бо",
    "ле",
    "си",
    "ка",
    "по",
    "ні",
    "чу",
    "жи",
    "ше",
    "ци",
    "фа",
    "го",
    "лю",
    "дя",
    "ть",
    "ри",
]

# The real appeal document type: the documents below have its fields. Search
# knows the domains' types only once the composition root has handed them over.
domains.compose()
APPEAL: DocumentType = document_type("appeal")


def vocabulary(rng: random.Random, size: int = 40_000) -> list[str]:
    """Made-up words of two to five syllables: a term dictionary as big as real text's."""
    words = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 5))))
    return sorted(words)


def documents(count: int, seed: int = 1551) -> Iterator[list[dict[str, Any]]]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    names = list(CATEGORIES)
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    batch: list[dict[str, Any]] = []
    for i in range(count):
        category = rng.choice(names)
        title, words = CATEGORIES[category]
        body = rng.choices(words, k=4) + rng.choices(FILLER, k=10) + rng.choices(vocab, k=8)
        rng.shuffle(body)
        batch.append(
            {
                "id": str(i + 1),
                "title": title,
                "body": " ".join(body).capitalize() + ".",
                "category": category,
                "district": rng.choice(DISTRICTS),
                "status": rng.choice(("done", "in_progress", "rejected")),
                "received_at": start + dt.timedelta(minutes=rng.randint(0, 2 * 525_600)),
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def typo(word: str, rng: random.Random) -> str:
    i = rng.randint(1, len(word) - 2)
    return word[:i] + word[i + 1 :]


def query_sets(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    one, two, filtered = [], [], []
    for _ in range(QUERIES):
        _, words = CATEGORIES[rng.choice(list(CATEGORIES))]
        long_words = [w for w in words if len(w) >= 5]
        one.append({"q": rng.choice(words)})
        first = rng.choice(FILLER[:20])
        two.append({"q": f"{first} {typo(rng.choice(long_words), rng)}"})
        filtered.append(
            {
                "q": rng.choice(words),
                "district": rng.choice(DISTRICTS),
                "facets": "category,district",
            }
        )
    return {"one word": one, "two words, one typo": two, "filtered + faceted": filtered}


def to_query(params: dict[str, Any]) -> SearchQuery:
    return SearchQuery(
        q=params["q"],
        filters={"district": (params["district"],)} if "district" in params else {},
        facets=tuple(params["facets"].split(",")) if "facets" in params else (),
        limit=20,
    )


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(app_settings: Any, port: int) -> None:
    import uvicorn

    from hromada.app import create_app

    uvicorn.run(create_app(app_settings), host="127.0.0.1", port=port, log_level="warning",
                access_log=False)  # fmt: skip


def start_server(data_dir: Path, search_dir: Path) -> tuple[Any, str]:
    """A hromada server in another process, on a free port."""
    import multiprocessing

    from hromada.config import Settings
    from hromada.migrations import migrate

    app_settings = Settings(
        environment="test",
        data_dir=data_dir,
        search_dir=str(search_dir),
        search_indexer="off",
        log_level="WARNING",
        rate_limit_anonymous=100_000_000,
    )
    from hromada import db

    db.use_database(app_settings)
    asyncio.run(migrate())
    port = free_port()
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=(app_settings, port), daemon=True
    )
    server.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the hromada server did not start")


async def build_index(backend: EmbeddedBackend) -> tuple[float, int]:
    spent = 0.0
    count = 0
    for batch in documents(DOCS):
        started = time.perf_counter()
        encoded: list[Document] = [encode_document(APPEAL, d) for d in batch]
        await backend.add_fresh(encoded)
        spent += time.perf_counter() - started
        count += len(batch)
        if count % 200_000 < BATCH:
            print(f"  indexed {count:,} documents", flush=True)
    started = time.perf_counter()
    await backend.commit()
    spent += time.perf_counter() - started
    return spent, count


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="hromada-bench-search-"))
    try:
        run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path) -> None:
    settings = index_settings()
    search_dir = work / "search"
    backend = EmbeddedBackend(search_dir, settings, heap_size=512_000_000, threads=2)
    print(f"documents: {DOCS:,}; queries per kind: {QUERIES}")

    engine_cpu: dict[str, float] = {}

    async def index_and_query_engine() -> tuple[float, int, dict[str, list[float]]]:
        await backend.configure(settings)
        spent, count = await build_index(backend)
        await backend.close()
        reader = EmbeddedBackend(search_dir, settings)
        rng = random.Random(7)
        results: dict[str, list[float]] = {}
        for kind, queries in query_sets(rng).items():
            for params in queries[:20]:
                reader._search(to_query(params))
            samples = []
            cpu = []
            for params in queries:
                started, started_cpu = time.perf_counter(), time.thread_time()
                reader._search(to_query(params))  # the adapter's work, in this thread
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
            results[kind] = samples
            engine_cpu[kind] = statistics.mean(cpu)
        sample = await reader.search(SearchQuery(q="опаленя", facets=("category",), limit=3))
        print(f"  'опаленя' finds {sample.estimated_total:,}, facets {sample.facets}")
        await reader.close()
        return spent, count, results

    spent, count, engine = asyncio.run(index_and_query_engine())
    rate = count / spent
    print(
        f"indexing: {count:,} documents in {spent:.1f} s = {rate:,.0f} documents/s "
        f"(goal {GOAL_DOCS_PER_S:,}: {rate / GOAL_DOCS_PER_S:.2f}x)"
    )
    size = sum(p.stat().st_size for p in search_dir.rglob("*") if p.is_file())
    print(f"index size: {size / 1e6:,.0f} MB")

    server, url = start_server(work, search_dir)
    api: dict[str, list[float]] = {}
    api_cpu: dict[str, float] = {}
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            rng = random.Random(7)
            for kind, queries in query_sets(rng).items():
                for params in queries[:20]:
                    client.get("/api/v1/search", params=params).raise_for_status()
                samples = []
                cpu_before = process_cpu(server.pid)
                for params in queries:
                    started = time.perf_counter()
                    response = client.get("/api/v1/search", params=params)
                    samples.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                api[kind] = samples
                api_cpu[kind] = (process_cpu(server.pid) - cpu_before) * 1000 / len(queries)
    finally:
        server.terminate()
        server.join(timeout=30)
    print(f"load average while querying: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'query':<22}{'engine p50':>12}{'engine p95':>12}{'API p50':>10}{'API p95':>10}"
          f"{'API/engine p95':>16}{'p95/goal':>10}{'CPU ms engine':>15}{'CPU ms API':>12}"
          f"{'CPU API/engine':>16}")  # fmt: skip
    for kind in engine:
        e50, e95 = percentiles(engine[kind])
        a50, a95 = percentiles(api[kind])
        print(
            f"{kind:<22}{e50:>10.1f}ms{e95:>10.1f}ms{a50:>8.1f}ms{a95:>8.1f}ms"
            f"{a95 / e95:>15.2f}x{a95 / GOAL_P95_MS:>9.2f}x{engine_cpu[kind]:>15.1f}"
            f"{api_cpu[kind]:>12.1f}{api_cpu[kind] / engine_cpu[kind]:>15.2f}x"
        )
    print(
        "p95/goal below 1.00x meets the goal. CPU ms are means per query (engine: the "
        "searching thread; API: the whole server process), unaffected by other load."
    )


if __name__ == "__main__":
    main()
