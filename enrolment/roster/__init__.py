"""Roster files: reading uploads, the template, the errors file and the export.

The file side of enrolment only: values are judged by ``members.validation`` and the
set-based rules (eligibility, share rules, exclusive groups, existing cover) by the
enrolment service, which takes the rows this package reads.
"""

from .columns import Column
from .errors_file import build_errors_xlsx
from .export import ExportColumn, columns_from_resource, export_roster_xlsx, iter_values
from .reader import RosterFileError, RosterReadResult, read_roster
from .template import build_template_xlsx
from .validation import Problem, validate_rows

__all__ = [
    "Column",
    "ExportColumn",
    "Problem",
    "RosterFileError",
    "RosterReadResult",
    "build_errors_xlsx",
    "build_template_xlsx",
    "columns_from_resource",
    "export_roster_xlsx",
    "iter_values",
    "read_roster",
    "validate_rows",
]
