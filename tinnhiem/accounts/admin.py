"""User accounts in the administration pages, in the words of tinnhiem's roles.

A person's rights come from their roles (``roles.ROLES``, Django groups), so the account page
offers the roles by name, ticked in a list, and not the hundred-odd permissions of Django's models
one by one. An account with the Administrator role may use these pages; that is kept in step with
the role when the account is saved, as the demo sets it. Each account made, changed (its password
too) or removed here is an audit event, as with ``tinnhiem account``. Permission names, stored by
Django in English, are shown through the catalog.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .roles import ROLES, role_label, roles_text
from .usecases import record_account, record_account_removed, sync_staff

MODEL_ACTIONS = {
    "add": pgettext_lazy("permission", "Add"),
    "change": pgettext_lazy("permission", "Change"),
    "delete": pgettext_lazy("permission", "Delete"),
    "view": pgettext_lazy("permission", "View"),
}


def group_label(group: Group) -> str:
    return role_label(group.name) if group.name in ROLES else group.name


def permission_label(permission: Permission) -> str:
    """``Xem: người dùng`` for Django's permissions on a model; a named permission through the catalog."""
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in MODEL_ACTIONS and model is not None and model_name == model._meta.model_name:
        return f"{MODEL_ACTIONS[action]}: {model._meta.verbose_name}"
    return gettext(permission.name)


class RoleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return group_label(obj)


class PermissionField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(key, role_label(key)) for key in ROLES]

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "email")}),  # họ, then tên
        (_("Roles"), {"fields": ("is_active", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (  # the roles at once, not on a second page
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Personal info"), {"fields": ("last_name", "first_name")}),
        (_("Roles"), {"fields": ("groups",)}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()
    list_display = ("username", "last_name", "first_name", "roles", "is_active")
    list_filter = ("is_active", RoleFilter)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:  # only a superuser grants superuser
            fieldsets = (*fieldsets, (_("Superuser"), {"fields": ("is_superuser",)}))
        return fieldsets

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            kwargs.update(
                form_class=RoleField,
                widget=forms.CheckboxSelectMultiple,
                queryset=Group.objects.filter(name__in=ROLES).order_by("name"),
                label=_("Roles"),
                help_text=_(
                    "What this person may do. A member of a counting committee needs the role of the committee."
                ),
            )
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)

    @admin.display(description=_("Roles"))
    def roles(self, user: User) -> str:
        return roles_text([g.name for g in user.groups.all()])

    def save_model(self, request, obj, form, change) -> None:
        obj.first_name, obj.last_name = (
            unicodedata.normalize("NFC", n.strip()) for n in (obj.first_name, obj.last_name)
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)  # the admin holds a transaction
        sync_staff(form.instance)
        user = form.instance
        record_account(request.user, user, created=not change, password_set=not change and user.has_usable_password())

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # saved
            with transaction.atomic():
                record_account(request.user, self.get_object(request, unquote(id)), created=False, password_set=True)
        return response

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            record_account_removed(request.user, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for user in queryset:
                record_account_removed(request.user, user)
            super().delete_queryset(request, queryset)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    list_display = ("label", "name")
    filter_horizontal = ()
    readonly_fields = ("label", "permission_list")

    def get_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return ("label", "name", "permission_list")
        return ("name", "permissions")

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "permissions":
            kwargs.update(form_class=PermissionField, widget=forms.CheckboxSelectMultiple)
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)

    @admin.display(description=_("role"))
    def label(self, group: Group) -> str:
        return group_label(group)

    @admin.display(description=_("permissions"))
    def permission_list(self, group: Group) -> Any:
        return "; ".join(sorted(permission_label(p) for p in group.permissions.select_related("content_type")))
