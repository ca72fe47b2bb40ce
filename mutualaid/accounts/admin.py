"""Admin of tenants, the organisation tree and users: tenants and users for platform
operators only; the tree and staff read-only, scoped like every admin page."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from mutualaid.tenancy.admin_base import ReadOnlyAdmin, is_platform_operator
from mutualaid.tenancy.models import Organisation, Staff, Tenant, User
from mutualaid.tenancy.scoping import actor_for


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "four_eyes_threshold", "created_at"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_platform_operator(request):
            return qs
        actor = actor_for(request.user)
        return qs.filter(pk=actor.tenant.pk) if actor else qs.none()

    def has_add_permission(self, request):
        return is_platform_operator(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    """Read-only here: the tree changes through the organisation pages, which audit every change."""

    list_display = ["name", "kind", "code", "depth"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Staff)
class StaffAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "roles"]
    search_fields = ["user__username", "user__display_name"]
    list_select_related = ["user", "organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "is_active", "is_staff"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Portal", {"fields": ("display_name", "phone")}),)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_platform_operator(request):
            return qs
        actor = actor_for(request.user)
        if actor is None:
            return qs.none()
        return qs.filter(staff__in=Staff.objects.for_actor(actor))

    def has_change_permission(self, request, obj=None):
        # Staff and roles change through the user pages (audited); only operators edit here.
        return is_platform_operator(request)

    def has_delete_permission(self, request, obj=None):
        return False
