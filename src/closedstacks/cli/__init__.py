"""``closedstacks``: the one command line for everything an operator does.

Each group lives in its own module; Django is set up only when a command
needs it, so ``--help`` works without a database or configuration.
"""

from __future__ import annotations

import click

from closedstacks.cli import (
    audit,
    bench,
    connectors,
    deadlines,
    ils,
    jobs,
    privacy,
    procedure,
    retention,
    server,
    training,
    users,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="closedstacks")
def main() -> None:
    """Closed Stacks: keep the records that identify library users confidential.

    Configuration comes from CLOSEDSTACKS_* environment variables (see the README).
    """


main.add_command(server.serve)
main.add_command(server.demo)
main.add_command(server.migrate)
main.add_command(server.check)
main.add_command(server.manage)
main.add_command(users.user)
main.add_command(audit.audit)
main.add_command(jobs.jobs)
main.add_command(deadlines.deadlines)
main.add_command(training.training)
main.add_command(bench.bench)
main.add_command(ils.ils)
main.add_command(connectors.connector)
main.add_command(retention.retention)
main.add_command(privacy.privacy_audit)
main.add_command(procedure.procedure)
