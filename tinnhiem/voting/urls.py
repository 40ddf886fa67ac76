from django.urls import path

from . import evote_views, views

app_name = "voting"

urlpatterns = [
    path("hoi-nghi/<int:conference_id>/kiem-phieu/", views.counting_overview, name="overview"),
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/", views.form_counting, name="form"),
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/nhap/", views.entry, name="entry"),
    path("dot/<int:campaign_id>/ket-qua/", views.campaign_results, name="campaign_results"),
    path("dot/<int:campaign_id>/ket-qua.xlsx", views.campaign_results_xlsx, name="campaign_results_xlsx"),
    path("hoi-nghi/<int:conference_id>/ket-qua/", views.results, name="results"),
    path("hoi-nghi/<int:conference_id>/ket-qua/luu-giu-phieu/", views.ballots_retention, name="retention"),
    path("hoi-nghi/<int:conference_id>/ket-qua/bo-phieu-tin-nhiem/", views.prepare_follow_up, name="follow_up"),
    path("hoi-nghi/<int:conference_id>/ket-qua.csv", views.results_csv, name="results_csv"),
    path("hoi-nghi/<int:conference_id>/ket-qua.xlsx", views.results_xlsx, name="results_xlsx"),
    path("hoi-nghi/<int:conference_id>/bien-ban.json", views.minutes_json, name="minutes_json"),
    path("hoi-nghi/<int:conference_id>/man-chieu/", views.projector, name="projector"),
    path("hoi-nghi/<int:conference_id>/man-chieu/noi-dung/", views.projector_content, name="projector_content"),
    path("hoi-nghi/<int:conference_id>/the-ma/", evote_views.cards, name="cards"),
    path("hoi-nghi/<int:conference_id>/the-ma/so-lieu/", evote_views.turnout_fragment, name="turnout"),
    path("bo-phieu/<int:conference_id>/", evote_views.vote, name="vote"),
    path("bo-phieu/<int:conference_id>/trang-thai/", evote_views.vote_status, name="vote_status"),
    path("bo-phieu/<int:conference_id>/bien-nhan/", evote_views.receipt_check, name="receipt"),
    path("cong-khai/<int:conference_id>/", evote_views.public_list, name="public"),
    path("cong-khai/<int:conference_id>/phieu-<int:form_id>.csv", evote_views.public_ballots, name="public_ballots"),
]
