"""Member self-service (会员服务, issue 17): a member's own door into the portal.

- ``models``: the one-time codes (hashed, per tenant and member);
- ``codes``: hashing, generating, the rate limits counted in the shared cache;
- ``services``: sign-in (request a code, check it), changing the phone number;
- ``session``: the member's session (who, in which tenant, since when), ``MemberActor``
  and the ``member_required`` decorator that every page under ``/me/`` wears;
- ``views``/``urls``: the sign-in pages, the phone change; the apps above add their own
  member pages (enrolment: my cover; premiums: my certificate; claims: my claims).

Decisions: docs/decisions.md, "Member self-service (issue 17)".
"""
