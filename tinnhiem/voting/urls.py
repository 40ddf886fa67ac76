from django.urls import path

from . import views

app_name = "voting"

urlpatterns = [
    path("hoi-nghi/<int:conference_id>/kiem-phieu/", views.counting_overview, name="overview"),
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/", views.form_counting, name="form"),
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/nhap/", views.entry, name="entry"),
    path("hoi-nghi/<int:conference_id>/ket-qua/", views.results, name="results"),
    path("hoi-nghi/<int:conference_id>/ket-qua.csv", views.results_csv, name="results_csv"),
    path("hoi-nghi/<int:conference_id>/ket-qua.xlsx", views.results_xlsx, name="results_xlsx"),
    path("hoi-nghi/<int:conference_id>/bien-ban.json", views.minutes_json, name="minutes_json"),
    path("hoi-nghi/<int:conference_id>/man-chieu/", views.projector, name="projector"),
    path("hoi-nghi/<int:conference_id>/man-chieu/noi-dung/", views.projector_content, name="projector_content"),
]
