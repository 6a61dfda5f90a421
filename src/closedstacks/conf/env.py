"""Reading configuration from the environment, with validation.

Every setting an operator can change is read here through a few small helpers.
A bad value raises :class:`ConfigError` naming the variable, so start-up stops
with a message an operator can act on. Secrets may also come from a file named
by ``<NAME>_FILE`` (Docker and systemd credentials), and are never echoed.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "CLOSEDSTACKS_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ImproperlyConfigured):
    """A configuration value is missing or malformed."""

    def __init__(self, name: str, problem: str):
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


def _raw(name: str) -> str | None:
    value = os.environ.get(PREFIX + name)
    return None if value is None else value.strip()


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(PREFIX + name, f"expected true or false, got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(PREFIX + name, f"expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(PREFIX + name, f"must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(PREFIX + name, f"must be at most {maximum}, got {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ConfigError(PREFIX + name, f"must be one of {', '.join(choices)}, got {value!r}")
    return value


_RATE = re.compile(r"[1-9][0-9]*/([1-9][0-9]*)?(s|sec|m|min|h|hour|d|day)")


def env_rate(name: str, default: str) -> str | None:
    """A rate limit as django-ninja's throttles read it: ``20/min`` (requests per s, min, hour or day, or per
    so many: ``100/5min``), or None for ``off``."""
    value = (env_str(name, default) or default).lower()
    if value == "off":
        return None
    if not _RATE.fullmatch(value):
        raise ConfigError(PREFIX + name, f"expected a rate such as 20/min (per s, min, hour or day), or off; "
                                         f"got {value!r}")
    return value


def env_secret(name: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE``.

    Setting both is an error: which one wins would be a guess.
    """
    direct = _raw(name)
    file_name = _raw(name + "_FILE")
    if direct and file_name:
        raise ConfigError(PREFIX + name, f"set either {PREFIX}{name} or {PREFIX}{name}_FILE, not both")
    if file_name:
        path = Path(file_name)
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(PREFIX + name + "_FILE", f"cannot read {path}: {exc.strerror}") from None
        if not value:
            raise ConfigError(PREFIX + name + "_FILE", f"{path} is empty")
        return value
    return direct or None


def generated_secret(data_dir: Path, file_name: str, make) -> str:
    """Read a secret kept in the data directory, creating it once if absent.

    The file is created with mode 0600 and exclusively, so two processes
    starting at once cannot write two different keys.
    """
    path = data_dir / file_name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(make() + "\n")
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ConfigError(str(path), "the generated secret file is empty; delete it to make a new one")
    return value


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)
