"""Roster files: reading uploads, the template, the errors file and the export's columns.

The file side of enrolment only: values are judged by ``members.validation`` and the
set-based rules (eligibility, share rules, exclusive groups, existing cover) by the
enrolment service, which takes the rows this package reads.
"""
