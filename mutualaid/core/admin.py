"""Scoping for the Django admin: back-office power users see their subtree, like everywhere else.

Only platform operators (superusers without a staff membership, made with
``createsuperuser``) see across tenants; every other admin user is an actor with
a node, and every admin queryset is narrowed with ``for_actor``.
"""

from __future__ import annotations

from django.contrib import admin

from mutualaid.tenancy.scoping import actor_for


def is_platform_operator(request) -> bool:
    return request.user.is_superuser and actor_for(request.user) is None


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_platform_operator(request):
            return qs
        return qs.for_actor(actor_for(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices of related tenant rows are scoped too, so a foreign id cannot be picked.
        related = db_field.related_model
        if not is_platform_operator(request) and hasattr(related.objects.all(), "for_actor"):
            kwargs["queryset"] = related.objects.all().for_actor(actor_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
