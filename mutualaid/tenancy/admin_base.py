"""Scoping for the Django admin: back-office power users see their subtree, like everywhere else.

Every admin user of tenant data is an actor with a node, and every admin queryset is
narrowed with ``for_actor`` (and by row-level security to the actor's tenant). Platform
operators (superusers without a staff membership, made with ``createsuperuser``) manage
only what is not tenant data (groups, tokens, login records): the web process has no
tenant for them and no way around row-level security, so tenant models answer them 403.
Work across tenants is done with operator commands (``operator_bypass``).
"""

from __future__ import annotations

from django.contrib import admin

from mutualaid.tenancy.scoping import actor_for


def is_platform_operator(request) -> bool:
    return request.user.is_superuser and actor_for(request.user) is None


class GatedAdminMixin:
    """Every admin permission also needs ``allowed(request)``, the subclass's rule."""

    def allowed(self, request) -> bool:
        return True

    def has_module_permission(self, request):
        return self.allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.allowed(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self.allowed(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.allowed(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.allowed(request) and super().has_delete_permission(request, obj)


class ScopedAdmin(GatedAdminMixin, admin.ModelAdmin):
    def allowed(self, request) -> bool:
        return not is_platform_operator(request)  # tenant rows: never without a tenant

    def get_queryset(self, request):
        if is_platform_operator(request):
            return self.model._base_manager.none()  # no tenant: nothing to show
        return super().get_queryset(request).for_actor(actor_for(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices of related tenant rows are scoped too, so a foreign id cannot be picked.
        related = db_field.related_model
        if hasattr(related, "tenant_table") and hasattr(related.objects.all(), "for_actor"):
            kwargs["queryset"] = related.objects.all().for_actor(actor_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OperatorOnlyMixin(GatedAdminMixin):
    """For admin models that are not tenant rows: platform operators only.

    API tokens (credentials of some tenant's users), django-axes login records (they
    name users of every tenant) and global permission groups cannot be scoped to a
    subtree, so a tenant user, even a superuser with a staff membership, gets 403.
    """

    def get_queryset(self, request):
        # Empty for tenant users, so no view (history included) tells a row from a missing id.
        qs = super().get_queryset(request)
        return qs if is_platform_operator(request) else qs.none()

    def allowed(self, request) -> bool:
        return is_platform_operator(request)


def restrict_to_operators(*models) -> None:
    for model in models:
        if not admin.site.is_registered(model):
            continue
        base = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        restricted = type(f"OperatorOnly{base.__name__}", (OperatorOnlyMixin, base), {})
        admin.site.register(model, restricted)


def _restrict_third_party_admins() -> None:
    # Import their admin modules first, so the order of INSTALLED_APPS cannot matter.
    import axes.admin  # noqa: F401
    import django.contrib.auth.admin  # noqa: F401
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group

    restrict_to_operators(Group, AccessAttempt, AccessLog, AccessFailureLog)


_restrict_third_party_admins()
