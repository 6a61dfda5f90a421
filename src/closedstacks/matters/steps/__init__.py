"""The steps of the procedure, one module per stage. Only procedure.perform calls them."""

from closedstacks.matters.steps import branches, common, instruments, intake, productions, review, scopes  # noqa: F401
