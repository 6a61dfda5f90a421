"""``closedstacks serve | demo | migrate | check | manage``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from closedstacks.cli.setup import django_ready, fail

# Request lines are logged without query strings or referrers: nothing a
# person typed into a search ever reaches a log.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def _run_gunicorn(bind: str, workers: int, threads: int) -> None:
    from django.core.wsgi import get_wsgi_application
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": bind, "workers": workers, "worker_class": "gthread", "threads": threads,
                "accesslog": "-", "access_log_format": ACCESS_LOG_FORMAT, "errorlog": "-",
                "timeout": 120, "graceful_timeout": 20, "proc_name": "closedstacks",
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return get_wsgi_application()

    Server().run()


def _collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def _unapplied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _start_job_worker() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "closedstacks", "jobs", "work"], env=os.environ.copy())


def _serve_with_worker(bind: str, workers: int, threads: int, jobs: bool) -> None:
    worker = _start_job_worker() if jobs else None
    try:
        _run_gunicorn(bind, workers, threads)
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


@click.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="Address and port to listen on.")
@click.option("--workers", default=2, show_default=True, help="Web worker processes.")
@click.option("--threads", default=4, show_default=True, help="Threads per web worker.")
@click.option("--jobs/--no-jobs", default=True, show_default=True,
              help="Also run the background job worker in a child process.")
def serve(bind, workers, threads, jobs):
    """Run the production web server (gunicorn, static files by whitenoise)."""
    django_ready()
    pending = _unapplied_migrations()
    if pending:
        fail(f"the database needs {len(pending)} migration(s); run `closedstacks migrate` first")
    _collect_static()
    _refresh_statistics()
    _serve_with_worker(bind, workers, threads, jobs)


@click.command()
@click.option("--check", is_flag=True, help="Only report whether migrations are waiting (exit 1 if so).")
def migrate(check):
    """Create or update the database tables."""
    django_ready()
    from django.core.management import call_command

    if check:
        pending = _unapplied_migrations()
        click.echo(f"{len(pending)} migration(s) waiting" if pending else "The database is up to date.")
        sys.exit(1 if pending else 0)
    call_command("migrate", interactive=False, verbosity=1)
    _refresh_statistics()


def _refresh_statistics() -> None:
    from closedstacks.conf.planner import refresh_statistics

    refresh_statistics()


@click.command()
@click.option("--deploy", is_flag=True, help="Also run Django's production-readiness checks.")
def check(deploy):
    """Validate the configuration and run Django's system checks."""
    django_ready()
    from django.core.management import call_command

    call_command("check", deploy=deploy)
    click.echo("Configuration is valid.")


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args):
    """Run a Django management command (for maintenance)."""
    django_ready()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["closedstacks manage", *args])


@click.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="Address and port to listen on.")
@click.option("--no-serve", is_flag=True, help="Set the demo up, print the accounts, and stop.")
@click.option("--reset", is_flag=True,
              help="Delete the demo's own files in the data directory and make the demo afresh.")
def demo(bind, no_serve, reset):
    """Set up a demo library on SQLite with accounts for every role, and serve it.

    The demo lives in demo.sqlite3 in the data directory (CLOSEDSTACKS_DATA_DIR, default ./var),
    apart from any real database. Its passwords are printed and public: never use it for real records.
    """
    from closedstacks.demo import reset as demo_reset

    data_dir = Path(os.environ.get("CLOSEDSTACKS_DATA_DIR", "var")).expanduser().resolve()
    if reset and (demo_reset.demo_exists(data_dir) or (data_dir / demo_reset.MARKER).exists()):
        try:
            removed = demo_reset.reset(data_dir)
        except demo_reset.NotADemo as exc:
            fail(f"cannot reset the demo: {exc}.")
        _progress(f"reset: deleted {', '.join(path.name for path in removed)}")
    fresh = not demo_reset.demo_exists(data_dir)
    alone = fresh and not demo_reset.shared(data_dir)
    os.environ["CLOSEDSTACKS_DEMO"] = "true"
    os.environ["CLOSEDSTACKS_DATA_DIR"] = str(data_dir)
    os.environ["CLOSEDSTACKS_DATABASE_URL"] = f"sqlite:///{data_dir / 'demo.sqlite3'}"
    django_ready()
    from django.core.management import call_command

    from closedstacks.audit.trail import cli_actor
    from closedstacks.demo.accounts import ensure_demo_accounts
    from closedstacks.demo.library_system import ensure_demo_library_system
    from closedstacks.demo.lived_in import ensure_demo_matters

    if fresh:
        _progress("making the demo library (the first start takes a minute or so)")
        demo_reset.mark(data_dir, alone=alone)
    _progress("database tables")
    call_command("migrate", interactive=False, verbosity=0)
    accounts = ensure_demo_accounts(by=cli_actor(), progress=_progress)
    ensure_demo_library_system(data_dir, by=cli_actor(), progress=_progress)
    if ensure_demo_matters(data_dir, progress=_progress):
        click.echo("Made the demo library's matters, reports, training and retention history.")
    _progress("static files")
    _collect_static()
    _refresh_statistics()
    host = bind.rsplit(":", 1)
    url = f"http://{'127.0.0.1' if host[0] in ('0.0.0.0', '') else host[0]}:{host[1]}/"
    rule = "=" * 72
    click.echo(rule)
    click.echo("CLOSED STACKS DEMO: sample data only. These passwords are public.")
    click.echo(rule)
    click.echo(f"{'ROLE':<20} {'USERNAME':<12} PASSWORD")
    for account in accounts:
        click.echo(f"{account.role_label:<20} {account.username:<12} {account.password}")
    click.echo(rule)
    click.echo(f"Data: {data_dir / 'demo.sqlite3'}")
    click.echo(f"Library system (Koha-shaped, made-up people): {data_dir / 'demo-koha.sqlite3'}")
    if no_serve:
        return
    click.echo(f"Open {url} and sign in with any account above. Press Ctrl+C to stop.")
    _serve_with_worker(bind, workers=2, threads=4, jobs=True)


def _progress(message: str) -> None:
    """What the demo is making, as it makes it (on standard error, so the accounts' table stays the output)."""
    click.echo(f"[demo] {message}…", err=True)
