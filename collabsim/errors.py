"""Errors that are the user's to fix: shown as one line, never as a traceback."""


class CollabsimError(Exception):
    """A mistake in user input (config, network file, command line) with a one-line message."""

    status = 2  # the command's exit status


class ConfigError(CollabsimError):
    """A configuration value is unknown, of the wrong type or out of range."""


class NetworkError(CollabsimError):
    """A network file or preset cannot be turned into providers and links."""


class OutputError(CollabsimError):
    """Results could not be written (a full disk, no permission): the machine's fault
    rather than the input's, so the exit status is 1."""

    status = 1


def os_error_text(exc: OSError) -> str:
    """An OSError in one line: ``<file>: <reason>``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {reason}" if exc.filename else reason
