"""Errors that are the user's to fix: shown as one line, never as a traceback."""


class CollabsimError(Exception):
    """A mistake in user input (config, network file, command line) with a one-line message."""


class ConfigError(CollabsimError):
    """A configuration value is unknown, of the wrong type or out of range."""


class NetworkError(CollabsimError):
    """A network file or preset cannot be turned into providers and links."""
