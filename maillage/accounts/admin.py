from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import NetworkRole, StructureMembership, User


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
