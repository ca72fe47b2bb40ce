"""Sign-in: Django's login view with django-axes throttling and the portal's template."""

from django.contrib.auth import views as auth_views


class PortalLoginView(auth_views.LoginView):
    """Django's login view; django-axes counts failures and locks out repeated guessing."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
