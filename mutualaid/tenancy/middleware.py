from mutualaid.tenancy.scoping import actor_for


class ActorMiddleware:
    """Puts ``request.actor`` (tenant, node, roles of the logged-in user, or None) on each
    request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = actor_for(request.user)
        return self.get_response(request)
