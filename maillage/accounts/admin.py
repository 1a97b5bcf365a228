from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import NetworkRole, StructureMembership, User
from .rules import forget_roles
from .signals import staff_member_added


class StructureMembershipInline(admin.TabularInline):
    model = StructureMembership
    fk_name = "user"
    extra = 0
    readonly_fields = ["created_at", "created_by"]
    autocomplete_fields = ["structure"]


class NetworkRoleInline(admin.TabularInline):
    model = NetworkRole
    fk_name = "user"
    extra = 0
    readonly_fields = ["created_at", "created_by"]


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "language"]
    search_fields = ["email", "full_name"]
    inlines = [StructureMembershipInline, NetworkRoleInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "language"]}),
        (_("Status"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]},
        )
    ]
    filter_horizontal = []

    def save_formset(self, request, form, formset, change):
        """A membership added here is recorded as added by the platform admin, and the
        structure's administrators are told, as when it is added from the team page."""
        if formset.model is not StructureMembership:
            super().save_formset(request, form, formset, change)
            return
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.delete()
        added = []
        for membership in memberships:
            if membership.pk is None:
                membership.created_by = request.user
                added.append(membership)
            membership.save()
        formset.save_m2m()
        forget_roles(form.instance)
        for membership in added:
            staff_member_added.send(
                sender=StructureMembership, membership=membership, added_by=request.user
            )
