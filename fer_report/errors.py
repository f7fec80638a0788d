"""Errors a user can fix: the CLI prints them as one line, without a traceback."""


class UserError(Exception):
    """Bad input or settings. The message names the file/line/option, what was found and what was expected."""


class DataError(UserError):
    """A data file or folder that cannot be read as a dataset."""


class ConfigError(UserError):
    """A configuration file or option that is not valid."""
