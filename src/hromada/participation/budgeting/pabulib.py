"""Pabulib's ``.pb`` format (pabulib.org): read strictly, write what ``pabutools`` loads.

A file has three sections, ``META``, ``PROJECTS`` and ``VOTES``, each a header line and
``;``-separated rows. Reading is bounded (size, counts, numbers) and every problem is a
:class:`PabulibError` naming the line, so a hostile or broken file is refused clearly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

MAX_BYTES = 64 * 1024 * 1024
MAX_PROJECTS = 10_000
MAX_VOTES = 2_000_000
MAX_NUMBER = Decimal(10) ** 15  # larger than any budget in any currency
VOTE_TYPES = ("approval", "cumulative", "ordinal", "choose-1")


class PabulibError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


@dataclass(frozen=True)
class Project:
    id: str
    cost: Fraction
    votes: int | None  # the file's own count, when it has one
    score: Fraction | None
    selected: int | None  # the published outcome: 1 funded (2 in some files: from a reserve)
    fields: dict[str, str]


@dataclass(frozen=True)
class Ballot:
    voter: str
    projects: tuple[str, ...]  # in the order written (an ordinal ballot's ranking)
    points: tuple[Fraction, ...] | None  # a cumulative ballot's points, aligned with projects


@dataclass
class Instance:
    meta: dict[str, str]
    projects: dict[str, Project]
    ballots: list[Ballot] = field(default_factory=list)

    @property
    def budget(self) -> Fraction:
        return _number(self.meta.get("budget", ""), "budget", None)

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")

    @property
    def rule(self) -> str:
        return self.meta.get("rule", "")

    def selected(self) -> list[str] | None:
        """The published winners (``selected`` ≥ 1), or None when the file has no such column."""
        if any(p.selected is None for p in self.projects.values()):
            return None
        return [p.id for p in self.projects.values() if p.selected]


def _number(text: str, name: str, line: int | None) -> Fraction:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise PabulibError(f"{name} {text[:30]!r} is not a number", line) from None
    if not value.is_finite() or abs(value) > MAX_NUMBER:
        raise PabulibError(f"{name} {text[:30]!r} is out of range", line)
    return Fraction(value)


def parse(data: bytes) -> Instance:
    if len(data) > MAX_BYTES:
        raise PabulibError(f"the file is larger than {MAX_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PabulibError(f"the file is not UTF-8 (byte {error.start})") from None
    rows = csv.reader(io.StringIO(text), delimiter=";")
    section = ""
    header: list[str] = []
    meta: dict[str, str] = {}
    projects: dict[str, Project] = {}
    ballots: list[Ballot] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        word = row[0].strip().upper()
        if len(row) == 1 and word in ("META", "PROJECTS", "VOTES"):
            if word in seen:
                raise PabulibError(f"a second {word} section", number)
            seen.add(word)
            section, header = word, []
            continue
        if not section:
            raise PabulibError("data before the META section", number)
        if not header:
            header = [h.strip() for h in row]
            need = {"META": "key", "PROJECTS": "project_id", "VOTES": "voter_id"}[section]
            if header[0] != need:
                raise PabulibError(f"the {section} header must start with {need!r}", number)
            continue
        if len(row) != len(header):
            raise PabulibError(f"{len(row)} fields where the header has {len(header)}", number)
        record = dict(zip(header, (c.strip() for c in row), strict=True))
        if section == "META":
            meta[record["key"]] = record.get("value", "")
        elif section == "PROJECTS":
            if len(projects) >= MAX_PROJECTS:
                raise PabulibError(f"more than {MAX_PROJECTS} projects", number)
            pid = record["project_id"]
            if pid in projects:
                raise PabulibError(f"project {pid!r} twice", number)
            cost = _number(record.get("cost", ""), "cost", number)
            if cost <= 0:
                raise PabulibError(f"project {pid!r} costs {cost}", number)
            votes = record.get("votes")
            score = record.get("score")
            selected = record.get("selected")
            projects[pid] = Project(
                id=pid,
                cost=cost,
                votes=int(_number(votes, "votes", number)) if votes else None,
                score=_number(score, "score", number) if score else None,
                selected=int(_number(selected, "selected", number)) if selected else None,
                fields=record,
            )
        else:
            if len(ballots) >= MAX_VOTES:
                raise PabulibError(f"more than {MAX_VOTES} ballots", number)
            picks = tuple(p.strip() for p in record.get("vote", "").split(",") if p.strip())
            unknown = [p for p in picks if p not in projects]
            if unknown:
                raise PabulibError(f"a ballot names unknown project {unknown[0][:40]!r}", number)
            if len(set(picks)) != len(picks):
                raise PabulibError("a ballot names a project twice", number)
            points = None
            if record.get("points"):
                points = tuple(
                    _number(p, "points", number) for p in record["points"].split(",") if p.strip()
                )
                if len(points) != len(picks):
                    raise PabulibError("points do not match the projects of the ballot", number)
            ballots.append(Ballot(voter=record["voter_id"], projects=picks, points=points))
    for name in ("META", "PROJECTS", "VOTES"):
        if name not in seen:
            raise PabulibError(f"no {name} section")
    if "budget" not in meta:
        raise PabulibError("META has no budget")
    instance = Instance(meta=meta, projects=projects, ballots=ballots)
    if instance.budget <= 0:
        raise PabulibError("the budget must be positive")
    if instance.vote_type not in VOTE_TYPES:
        raise PabulibError(f"vote_type {instance.vote_type[:30]!r}: use {', '.join(VOTE_TYPES)}")
    return instance
