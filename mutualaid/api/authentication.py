"""``Authorization: Token <secret>``: the portal's API tokens (mutualaid/api/tokens.py).

The tenant is known only once the token is: this class is the one place that turns a
secret into a user (``token_for_secret``); the view's ``initial`` then builds the actor.
A revoked or expired token answers 401 on its very next request (nothing is cached).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from mutualaid.api.tokens import token_for_secret


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as: Authorization: Token <secret>.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid: it is unknown, revoked or expired.")
            )
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
