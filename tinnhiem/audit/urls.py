from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("nhat-ky/", views.event_list, name="events"),
    path("ho-so-nhan/", views.received_records, name="received"),
    path("kiem-tra-ket-qua-cong-bo/", views.check_published, name="check_published"),
]
