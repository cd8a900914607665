"""Domain errors with messages a user can act on."""

from __future__ import annotations


class KlyngekortError(Exception):
    """Base class: anything the user can fix (bad input, missing files)."""


class SourceDataError(KlyngekortError):
    """The source-data directory is missing, incomplete or malformed."""


class ValidationError(KlyngekortError):
    """A table failed validation; ``problems`` lists the problems found, one line each, and
    ``more`` counts those left out of a long list."""

    def __init__(self, table: str, problems: list[str], more: int = 0):
        self.table = table
        self.problems = list(problems)
        self.more = more
        head = f"{table}: {len(self.problems) + more} problem(s)"
        lines = [*self.problems, *([f"and {more} more problem(s)"] if more else [])]
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in lines))
