from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tinnhiem.voting import ratelimit

LOGIN_FAILURES = 5  # then the account name is locked from this device for ratelimit.WINDOW seconds


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
        return super().form_invalid(form)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")
