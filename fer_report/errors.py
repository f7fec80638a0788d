"""Errors a user can fix: the CLI prints them as one line, without a traceback."""


class UserError(Exception):
    """Bad input or settings. The message names the file/line/option, what was found and what was expected."""


class DataError(UserError):
    """A data file or folder that cannot be read as a dataset."""


class ConfigError(UserError):
    """A configuration file or option that is not valid."""


def did_you_mean(name: str, choices, *, quote: str = "'") -> str:
    """'; did you mean 'x'?' for the closest of ``choices`` to ``name``, or '' when none is close."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1)
    return f"; did you mean {quote}{close[0]}{quote}?" if close else ""
