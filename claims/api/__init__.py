"""API for incident reports, claims (with document upload and review) and payout batches
(SPEC §8, §10, §12), one module each: ``reports``, ``claims``, ``batches``.

Serializers translate; the services decide, and their messages come back as
``400 {field: [messages]}`` exactly as the pages show them. Every object is found through
an access helper (``claims.access``): another tenant's or a sibling unit's claim is a 404,
like a missing one. Lists page by keyset (``?cursor=`` from ``next``), with no COUNT(*).

Steps (submit, decide, approve a batch …) answer GET with what the caller may do now —
``claims.access.allowed_actions``, the table the services check and the pages' buttons
read — and take POST to do it; a retried POST that finds the step done changes nothing
(a batch approved twice stays approved once; lines paid twice are paid once, in the
database).
"""
