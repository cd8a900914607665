"""Domain errors with messages a user can act on."""

from __future__ import annotations


class KlyngekortError(Exception):
    """Base class: anything the user can fix (bad input, missing files)."""


class SourceDataError(KlyngekortError):
    """The source-data directory is missing, incomplete or malformed."""


class ValidationError(KlyngekortError):
    """A table failed validation; ``problems`` lists every problem found, one line each."""

    def __init__(self, table: str, problems: list[str]):
        self.table = table
        self.problems = list(problems)
        head = f"{table}: {len(self.problems)} problem(s)"
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in self.problems))
