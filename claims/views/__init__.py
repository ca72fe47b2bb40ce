"""Claim pages, one module per page family: ``queue`` (the reviewer queue and the unit's
claims), ``reports`` (reporting an incident), ``claim`` (the claim page: application,
documents, submission, notice), ``review`` (the reviewer's steps on the claim page) and
``batches`` (payout batches, their bank files and notices).

Thin, like every page here: the access helper first (404 outside the subtree, for any
method), then the service; a service's ``DomainError`` goes back onto the form fields it
names (one validation path); POST-only views answer 405 to a GET after the access check.
Which buttons a page shows is ``claims.access.allowed_actions``, the table the services
check.
"""
