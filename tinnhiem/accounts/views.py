from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tinnhiem.text import typed_with_accents
from tinnhiem.voting import ratelimit

from .roles import VIEW, permission_required
from .usecases import save_account

LOGIN_FAILURES = 5  # then the account name is locked from this device for ratelimit.WINDOW seconds


def own_password_scope(user) -> str:
    """The rate limit of guesses of an open session's own password: the password's page and the
    backup's count them together (LOGIN_FAILURES)."""
    return "password:" + user.get_username()


class LockoutLoginView(LoginView):
    """Login with a lockout after repeated failures (per user name and client address)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from django.contrib.auth import get_user_model

        context = super().get_context_data(**kwargs)
        context["no_account"] = not get_user_model().objects.exists()  # a new site: say how to begin
        return context

    def _scope(self) -> str:
        return "login:" + (self.request.POST.get("username", "") or "").strip().lower()[:150]

    def post(self, request, *args, **kwargs):
        if ratelimit.blocked(self._scope(), request, limit=LOGIN_FAILURES):
            form = self.get_form()
            form.errors.clear()
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    locked=_("Too many failed attempts: this account is locked for a few minutes on this device."),
                ),
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.failure(self._scope(), self.request)
        # Unikey or EVKey left on changes what is typed in every field, a password's too
        typed = self.request.POST.get("username", "") + self.request.POST.get("password", "")
        return self.render_to_response(self.get_context_data(form=form, accents=typed_with_accents(typed)))


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@permission_required(VIEW)
def password_change(request):
    """Any account with a role changes its own password (the old one first)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    scope = own_password_scope(request.user)
    if request.method == "POST" and ratelimit.blocked(scope, request, limit=LOGIN_FAILURES):
        form.errors.clear()
        messages.error(request, _("Too many wrong old passwords: try again in a few minutes."))
        return render(request, "accounts/password.html", {"form": form}, status=429)
    if request.method == "POST" and not form.is_valid() and "old_password" in form.errors:
        ratelimit.failure(scope, request)  # guessing the old password from an open session
    elif request.method == "POST" and form.is_valid():
        try:
            user, _created = save_account(
                request.user, request.user.get_username(), password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, user)  # this session stays signed in
            messages.success(request, _("Your password was changed."))
            return redirect("conferences:home")
    return render(request, "accounts/password.html", {"form": form})
