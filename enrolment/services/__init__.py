"""Writes of enrolments and policies: keyword-only, one transaction each, audited.

The modules, each importing only those listed after it (an import contract checks it):

- ``cover``: coming into force (policies, share tranches), ending a policy early;
- ``drafts``: creating and editing a draft (new, renewal, mid-term addition; funding);
- ``workflow``: the steps (submit, check, accept, send back, cancel, invoice) through
  ``access.TRANSITIONS``, and the submission checks;
- ``lines``: the roster's lines (import, add, change, remove);
- ``checks``: a batch of rows cleaned and checked by ``enrolment.rules.check_batch`` over
  set queries;
- ``common``: the plan rules of an enrolment, the row lock, the refusals.

Callers import the module they need (``from enrolment.services import lines``); this
package re-exports nothing.
"""
