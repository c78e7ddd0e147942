"""``uv run python -m tools.anonymiser_eval``: recall and precision of the appeals anonymiser."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("anonymiser-eval")
@click.option("--size", default=600, show_default=True, help="Synthetic appeals in the set.")
@click.option("--seed", default=1551, show_default=True, help="Seed of the synthetic appeals.")
@click.option(
    "--examples",
    default=0,
    show_default=True,
    help="Show this many missed values, false positives and leftovers.",
)
@click.option(
    "--real",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also scrub a real 1551 CSV export and report what still looks personal.",
)
@click.option("--column", default="CallZText", show_default=True, help="Text column of --real.")
@click.option(
    "--streets",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Street names (CSV with a fullTitle or name column, or one per line) for --real.",
)
def main(
    size: int, seed: int, examples: int, real: Path | None, column: str, streets: Path | None
) -> None:
    """Recall and precision of the appeals anonymiser per kind, on the labelled set."""
    from hromada.open_data.appeals.anonymise import get_anonymiser
    from tools.anonymiser_eval.evaluation import (
        evaluate,
        evaluation_set,
        read_real_texts,
        read_street_names,
        real_sample_report,
    )

    anonymiser = get_anonymiser()
    report = evaluate(anonymiser, evaluation_set(size, seed, anonymiser))
    click.echo(report.format(examples))
    if real is not None:
        click.echo("")
        if streets is not None:
            anonymiser.add_street_names(read_street_names(streets))
        texts = read_real_texts(real, column)
        click.echo(real_sample_report(anonymiser, texts).format(examples))
    if report.failures():
        raise SystemExit(1)


if __name__ == "__main__":
    main()
