"""The one error a connector raises, at the bottom of the library-system layer (the drivers raise it too)."""


class ConnectorError(Exception):
    """The library system could not answer; the message says why in words an administrator can act on
    (unreachable, wrong password, missing table or column, wrong schema). It never contains a user's data."""
