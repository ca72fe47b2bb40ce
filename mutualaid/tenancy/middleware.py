from mutualaid.tenancy import context
from mutualaid.tenancy.scoping import actor_for


class ActorMiddleware:
    """Opens the request's tenant scope (``context``: the application role and the signed-in
    user's tenant on the database connection, restored when the response is made) and puts
    ``request.actor`` (tenant, node, roles, or None) on the request.

    The tenant comes first, from ``mutualaid_staff_tenant()`` (the one look-up allowed before
    a tenant is set, in the statement that sets it); the actor is then read under row-level
    security like everything else.
    An API call with a token has no user here yet: the API base view activates its tenant.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with context.user_scope(request.user, origin="request"):
            request.actor = actor_for(request.user)
            return self.get_response(request)
