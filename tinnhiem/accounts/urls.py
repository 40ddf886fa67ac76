from django.urls import path

from .roles import public
from .views import LockoutLoginView, logout_view, password_change

app_name = "accounts"

urlpatterns = [
    path(
        "dang-nhap/",
        public(LockoutLoginView.as_view()),
        name="login",
    ),
    path("dang-xuat/", public(logout_view), name="logout"),
    path("doi-mat-khau/", password_change, name="password"),
]
