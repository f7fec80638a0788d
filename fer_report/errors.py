"""Errors a user can fix: the CLI prints them as one line, without a traceback."""


class UserError(ValueError):
    """Bad input or settings. The message names the file/line/option, what was found and what was expected.
    A ``ValueError``, so notebook code that already catches bad values (``fer_report.Report``) catches it too."""


class DataError(UserError):
    """A data file or folder that cannot be read as a dataset."""


class ConfigError(UserError):
    """A configuration file or option that is not valid."""


def closest(name: str, choices, *, cutoff: float = 0.6) -> str | None:
    """The choice most like ``name`` (a typo's intended word), or None when none is close enough."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(name: str, choices, *, cutoff: float = 0.6, suffix: str = "") -> str:
    """"; did you mean 'x'?" for the closest of ``choices`` to ``name``, or '' when none is close."""
    close = closest(name, choices, cutoff=cutoff)
    return f"; did you mean '{close}{suffix}'?" if close else ""


def aside(name: str, choices, *, cutoff: float = 0.6) -> str:
    """" (did you mean x?)" after a name in a list of several, or ''."""
    close = closest(name, choices, cutoff=cutoff)
    return f" (did you mean {close}?)" if close else ""
