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
    """Render every queue page (searched, filtered, sorted), the matter page and the home page with 100,000
    matters; compare with a trivial page."""
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
        width = max(len(name) for name in data["ratios"])
        for name, ratio in data["ratios"].items():
            click.echo(f"  {name:<{width}} {data['pages_ms'][name]:>8.1f} ms  {ratio:>5.2f}x  "
                       f"{data['queries'][name]:>3} queries")
        click.echo(f"  page_vs_trivial_max = {data['page_vs_trivial_max']:.2f}  (target <= 2)")


@bench.command("records")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0.0001, max=10),
              help="Fraction of the full size (10,000,000 past loans, 200,000 users) to use.")
@click.option("--mariadb-url", envvar="CLOSEDSTACKS_BENCH_MARIADB_URL", default="mysql://root@127.0.0.1:3306/mysql",
              show_default=True, help="A MariaDB server where a scratch database may be created and dropped.")
@click.option("--production-records", default=10_000, show_default=True, type=click.IntRange(1),
              help="About how many records the production compiles.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def records_bench(scale, mariadb_url, production_records, as_json):
    """The Koha connector on MariaDB: count and extract vs hand-written SQL; a production's peak memory."""
    from closedstacks.bench.records import run
    from closedstacks.cli.setup import django_ready

    django_ready()
    bar = None
    if not as_json:
        from rich.progress import Progress

        bar = Progress(transient=True)
        bar.start()
        tasks: dict[str, int] = {}

        def progress(done: int, total: int, label: str) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(f"building: {label}", total=total)
            bar.update(tasks[label], completed=done, total=total)
    try:
        figures = run(users=max(50, int(200_000 * scale)), loans=max(500, int(10_000_000 * scale)),
                      production_records=production_records, server_url=mariadb_url,
                      progress=progress if bar else None)
    finally:
        if bar:
            bar.stop()
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"MariaDB, Koha-shaped: {figures['users']:,} users, {figures['past_loans']:,} loans "
               f"(built in {figures['built_s']} s)")
    click.echo(f"  one user's past loans over three years, {figures['samples']} users, "
               f"{figures['sample_rows']:,} rows in all")
    click.echo(f"  hand-written indexed SQL  {figures['raw_sql_ms']:>9.3f} ms per user")
    click.echo(f"  connector count + extract {figures['connector_ms']:>9.3f} ms per user   "
               f"extract_vs_raw_sql = {figures['extract_vs_raw_sql']}  (target <= 2)")
    click.echo(f"  opening the connector's connection: {figures['connect_ms']} ms (once per operation)")
    click.echo(f"  production of {figures['production_records']:,} records in {figures['production_s']} s "
               f"(target <= 60 s for 10,000): peak {figures['production_peak_rss_mb']} MB "
               f"(the same process without it: {figures['production_baseline_rss_mb']} MB)")


@bench.command("retention")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0.0001, max=10),
              help="Fraction of the full size (10,000,000 past loans, 200,000 users) to use.")
@click.option("--mariadb-url", envvar="CLOSEDSTACKS_BENCH_MARIADB_URL", default="mysql://root@127.0.0.1:3306/mysql",
              show_default=True, help="A MariaDB server where a scratch database may be created and dropped.")
@click.option("--postgres-url", envvar="CLOSEDSTACKS_BENCH_POSTGRES_URL",
              default="postgres://postgres@127.0.0.1:5432/postgres", show_default=True,
              help="A PostgreSQL server where a scratch database may be created and dropped.")
@click.option("--database", "databases", type=click.Choice(["mariadb", "postgresql"]), multiple=True,
              help="Only this database (repeatable; default: both).")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 50_000))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object per database.")
def retention_bench(scale, mariadb_url, postgres_url, databases, batch, as_json):
    """A retention run (batches, legal holds on 1% of users) against the single statement the library system's
    own purge would issue for the same rows: Koha's UPDATE on MariaDB, Evergreen's aging on PostgreSQL."""
    from closedstacks.bench import retention, retention_evergreen
    from closedstacks.cli.setup import django_ready

    django_ready()
    users, loans = max(50, int(200_000 * scale)), max(500, int(10_000_000 * scale))
    benches = {"mariadb": lambda: retention.run(users=users, loans=loans, batch=batch, server_url=mariadb_url),
               "postgresql": lambda: retention_evergreen.run(users=users, loans=loans, batch=batch,
                                                             server_url=postgres_url)}
    for name in databases or ("mariadb", "postgresql"):
        figures = benches[name]()
        if as_json:
            click.echo(json.dumps(figures))
            continue
        click.echo(f"{figures['database']}, {figures['shape']}-shaped: {figures['users']:,} users, "
                   f"{figures.get('past_loans', figures.get('circulations', 0)):,} past loans (built in "
                   f"{figures['built_s']} s)")
        for key, value in figures.items():
            if key not in ("database", "shape", "users", "built_s"):
                click.echo(f"  {key:<30} {value}")
        click.echo(f"  => run_vs_single_update {figures['run_vs_single_update']} (target <= 1.25), longest batch "
                   f"{figures['longest_batch_lock_s']} s (target <= 1), held rows changed "
                   f"{figures['held_rows_changed']} (must be 0)")
