"""Fatal problems. Findings about the data are not exceptions: see `core.findings`.

Every message is one Chinese sentence a clerk can act on; the CLI maps each class to an
exit code (CLI.md): usage or input errors → 2, nothing could be done → 3.
"""


class DubanError(Exception):
    """Base of every fatal duban error; `str(e)` is the Chinese message shown to the clerk."""

    exit_code = 2


class BadInputError(DubanError):
    """An input file cannot be used (not a table, encrypted, corrupt, no header …)."""


class ConfigError(DubanError):
    """The workspace or duban.toml is missing or wrong."""


class WorkspaceLocked(DubanError):
    """Another duban command holds the workspace lock."""

    exit_code = 3
