"""``closedstacks bench …``: performance figures as ratios against a baseline measured in the same run."""

from __future__ import annotations

import json

import click


@click.group()
def bench() -> None:
    """Run benchmarks (not tests: they report ratios, they assert nothing)."""


def bench_options(full_size: str):
    """The options every benchmark takes; ``databases`` arrives as a list of engines."""

    def decorate(command):
        options = [
            click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0.0001, max=10),
                         help=f"Fraction of the full size ({full_size}) to use."),
            click.option("--databases", default="sqlite,postgresql", show_default=True,
                         callback=lambda _ctx, _param, value: [n.strip() for n in value.split(",") if n.strip()],
                         help="Comma-separated: sqlite, postgresql."),
            click.option("--postgres-url", envvar="CLOSEDSTACKS_BENCH_POSTGRES_URL",
                         default="postgres://postgres@127.0.0.1:5432/postgres", show_default=True,
                         help="A PostgreSQL server where a scratch database may be created and dropped."),
            click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object."),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@bench.command("audit")
@bench_options("100,000 entries")
def audit_bench(scale, databases, postgres_url, as_json):
    """Append 100,000 audit entries, then verify them; compare with plain INSERTs and a plain read."""
    from closedstacks.bench.audit import run

    engines = databases
    figures = run(entries=max(10, int(100_000 * scale)), engines=engines, postgres_url=postgres_url,
                  progress=not as_json)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    for engine, data in figures["databases"].items():
        click.echo(f"\n{engine}: {data['entries']} entries")
        click.echo(f"  plain INSERT      {data['insert_per_s']:>10,.0f} rows/s")
        click.echo(f"  chained append    {data['append_per_s']:>10,.0f} rows/s   "
                   f"append_vs_insert = {data['append_vs_insert']:.2f}  (target >= 0.5)")
        click.echo(f"  plain read        {data['read_s']:>10.3f} s")
        click.echo(f"  full verification {data['verify_s']:>10.3f} s     "
                   f"verify_vs_read   = {data['verify_vs_read']:.2f}  (target <= 1.5)")


@bench.command("matters")
@bench_options("100,000 matters and 1,000,000 audit entries")
def matters_bench(scale, databases, postgres_url, as_json):
    """Render every queue page and the matter page with 100,000 matters; compare with a trivial page."""
    from closedstacks.bench.matters import run

    engines = databases
    figures = run(matters=max(50, int(100_000 * scale)), entries=max(100, int(1_000_000 * scale)),
                  engines=engines, postgres_url=postgres_url)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    for engine, data in figures["databases"].items():
        click.echo(f"\n{engine}: {data['matters']:,} matters, {data['audit_entries']:,} audit entries "
                   f"(built in {data['built_s']} s); trivial page {data['trivial_ms']} ms")
        for name, ratio in data["ratios"].items():
            click.echo(f"  {name:<28} {data['pages_ms'][name]:>8.1f} ms  {ratio:>5.2f}x  "
                       f"{data['queries'][name]:>3} queries")
        click.echo(f"  page_vs_trivial_max = {data['page_vs_trivial_max']:.2f}  (target <= 3)")
