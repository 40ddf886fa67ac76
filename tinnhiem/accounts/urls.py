from django.contrib.auth import views as auth_views
from django.urls import path

from .roles import public
from .views import logout_view

app_name = "accounts"

urlpatterns = [
    path(
        "dang-nhap/",
        public(auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)),
        name="login",
    ),
    path("dang-xuat/", public(logout_view), name="logout"),
]
