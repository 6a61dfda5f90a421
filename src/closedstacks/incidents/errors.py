class ReportError(Exception):
    """A change to a report the rules do not allow now; the message says why, in words for the person."""


class StaleReport(ReportError):
    """Someone else changed the report since the form was shown."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise ReportError(message)
