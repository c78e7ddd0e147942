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
    from hromada.open_data.appeals.anonymise import Anonymiser, get_anonymiser
    from tools.anonymiser_eval.evaluation import (
        evaluate,
        evaluation_set,
        over_anonymisation,
        read_real_texts,
        read_street_names,
        real_sample_report,
    )
    from tools.anonymiser_eval.heldout import (
        HELDOUT_CASES,
        HELDOUT_STREETS,
        OVER_ANONYMISATION_CEILING,
        floor_failures,
    )

    anonymiser = get_anonymiser()
    report = evaluate(anonymiser, evaluation_set(size, seed, anonymiser))
    click.echo("== development part (tuned on) ==")
    click.echo(report.format(examples))
    failures = report.failures()
    click.echo("")
    click.echo("== held-out part (never tuned on) ==")
    # Its own anonymiser: the held-out city's street registry must not leak into the others.
    held_out = Anonymiser(street_names=HELDOUT_STREETS)
    heldout_report = evaluate(held_out, HELDOUT_CASES)
    click.echo(heldout_report.format(examples).rsplit("\ntargets:", 1)[0])
    failures += floor_failures(heldout_report)
    if real is not None:
        click.echo("")
        if streets is not None:
            anonymiser.add_street_names(read_street_names(streets))
        texts = read_real_texts(real, column)
        click.echo(real_sample_report(anonymiser, texts).format(examples))
        over = over_anonymisation(anonymiser, texts)
        click.echo(over.format(examples))
        if over.rate > OVER_ANONYMISATION_CEILING:
            failures.append(
                f"over-anonymisation {over.rate:.2%} > {OVER_ANONYMISATION_CEILING:.1%}"
            )
    click.echo("")
    click.echo("targets: " + ("all met" if not failures else "; ".join(failures)))
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
