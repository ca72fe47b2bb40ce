"""Writes of claims and payout batches (SPEC §8, §10): keyword-only, one transaction each,
audited, saving the fields they name. One module per part of the work:

- ``reports``: an incident reported (deadline, lateness) and the late report decided;
- ``applications``: the application's facts and payee, its documents, its submission;
- ``assessment``: the plans engine run against the policy in force on the event date;
- ``review``: the reviewer's decisions (four-eyes), and a new assessment after exclusions;
- ``payouts``: batches built, approved, paid or failed; a payee corrected after a failure;
- ``daily``: expiry, reminders and the payout-limit flags (``claims.tasks``);
- ``steps``: what they share — "today", the claim's row lock, the record of a step.

Who may take which step in which state is ``claims.access``'s action table: each service
calls ``require_action`` with the row locked. Raw values come in (form data, JSON,
strings); ``mutualaid.core.cleaning`` (and ``claims.cleaning`` for facts) reads them
and every refusal is a ``DomainError`` with field-keyed messages, so pages and API show
the same. Money is Decimal yuan; dates are Asia/Shanghai.
"""
