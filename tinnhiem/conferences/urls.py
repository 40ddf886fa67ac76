from django.urls import path

from . import day_views, views

app_name = "conferences"

urlpatterns = [
    path("", views.home, name="home"),
    path("dot/them/", views.campaign_create, name="campaign_create"),
    path("dot/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("dot/<int:campaign_id>/sua/", views.campaign_edit, name="campaign_edit"),
    path("co-quan/", views.body_list, name="bodies"),
    path("co-quan/<int:body_id>/sua/", views.body_edit, name="body_edit"),
    path("dot/<int:campaign_id>/hoi-nghi/them/", views.conference_create, name="conference_create"),
    path("hoi-nghi/<int:conference_id>/", views.conference_detail, name="conference"),
    path("hoi-nghi/<int:conference_id>/sua/", views.conference_edit, name="conference_edit"),
    path("hoi-nghi/<int:conference_id>/khoi-phuc/", views.conference_restore, name="conference_restore"),
    path("hoi-nghi/<int:conference_id>/nguoi-duoc-lay-phieu/", views.rated_list, name="rated"),
    path("hoi-nghi/<int:conference_id>/nguoi-duoc-lay-phieu/<int:person_id>/", views.rated_edit, name="rated_edit"),
    path("hoi-nghi/<int:conference_id>/nguoi-duoc-lay-phieu/nhap/", views.rated_import, name="rated_import"),
    path("hoi-nghi/<int:conference_id>/nguoi-duoc-lay-phieu/excel/", views.rated_export, name="rated_export"),
    path("hoi-nghi/<int:conference_id>/thanh-phan/", views.roster_view, name="roster"),
    path("hoi-nghi/<int:conference_id>/thanh-phan/them/", views.voter_add, name="voter_add"),
    path("hoi-nghi/<int:conference_id>/thanh-phan/nhap/", views.roster_import, name="roster_import"),
    path("hoi-nghi/<int:conference_id>/thanh-phan/xuat.xlsx", views.roster_export, name="roster_export"),
    path("hoi-nghi/<int:conference_id>/thanh-phan/<int:voter_id>/", views.voter_edit, name="voter_edit"),
    path("hoi-nghi/<int:conference_id>/thanh-phan/<int:voter_id>/xac-nhan/", views.voter_match, name="voter_match"),
    path("mau/danh-sach-nguoi-ghi-phieu.xlsx", views.roster_template, name="roster_template"),
    path("hoi-nghi/<int:conference_id>/ho-so/", views.dossier_list, name="dossiers"),
    path("hoi-nghi/<int:conference_id>/ho-so/gui/", views.dossiers_distribute, name="dossiers_distribute"),
    path("hoi-nghi/<int:conference_id>/ho-so/<int:dossier_id>/", views.dossier_download, name="dossier"),
    path("hoi-nghi/<int:conference_id>/ho-so/<int:dossier_id>/xoa/", views.dossier_remove, name="dossier_remove"),
    path("hoi-nghi/<int:conference_id>/y-kien/", views.opinion_list, name="opinions"),
    path("hoi-nghi/<int:conference_id>/y-kien.xlsx", views.opinions_xlsx, name="opinions_xlsx"),
    path("hoi-nghi/<int:conference_id>/y-kien/phan-loai/", views.opinions_classify, name="opinions_classify"),
    path("hoi-nghi/<int:conference_id>/y-kien/nhap/", views.opinions_import, name="opinions_import"),
    path("hoi-nghi/<int:conference_id>/y-kien/xoa/", views.opinions_remove, name="opinions_remove"),
    path("mau/bang-y-kien.xlsx", views.opinions_template, name="opinions_template"),
    path(
        "hoi-nghi/<int:conference_id>/y-kien/<uuid:opinion_id>/phan-loai/",
        views.opinion_classify,
        name="opinion_classify",
    ),
    path(
        "hoi-nghi/<int:conference_id>/y-kien/<uuid:opinion_id>/gui-toi/",
        views.opinion_address,
        name="opinion_address",
    ),
    path("hoi-nghi/<int:conference_id>/y-kien/chuyen/", views.requests_forward, name="requests_forward"),
    path("hoi-nghi/<int:conference_id>/giai-trinh/", views.explanation_list, name="explanations"),
    path("hoi-nghi/<int:conference_id>/giai-trinh/gui/", views.explanations_distribute, name="explanations_distribute"),
    path(
        "hoi-nghi/<int:conference_id>/giai-trinh/nguoi/<int:person_id>/",
        views.explanation_record,
        name="explanation_record",
    ),
    path(
        "hoi-nghi/<int:conference_id>/giai-trinh/<int:explanation_id>/", views.explanation_download, name="explanation"
    ),
    path(
        "hoi-nghi/<int:conference_id>/giai-trinh/<int:explanation_id>/xoa/",
        views.explanation_remove,
        name="explanation_remove",
    ),
    path("hoi-nghi/<int:conference_id>/giay-moi/", views.invitation_list, name="invitations"),
    path("hoi-nghi/<int:conference_id>/giay-moi/<int:voter_id>/qr.svg", views.invitation_qr, name="invitation_qr"),
    path(
        "hoi-nghi/<int:conference_id>/giay-moi/<int:voter_id>/thu-hoi/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("hoi-nghi/<int:conference_id>/diem-danh/", day_views.attendance, name="attendance"),
    path("hoi-nghi/<int:conference_id>/diem-danh/so-lieu/", day_views.attendance_count, name="attendance_count"),
    path("hoi-nghi/<int:conference_id>/dieu-hanh/", day_views.chair_panel, name="chair"),
    path("hoi-nghi/<int:conference_id>/ban-kiem-phieu/", day_views.committee, name="committee"),
    path("hoi-nghi/<int:conference_id>/mau-phieu/", day_views.ballot_forms, name="ballot_forms"),
    path("moi/<int:voter_id>/<str:mac>/", views.invitation, name="invitation"),
    path(
        "moi/<int:voter_id>/<str:mac>/<str:kind>/<int:doc_id>/", views.invitation_document, name="invitation_document"
    ),
    path("giai-trinh/<int:person_id>/<str:mac>/", views.explanation_link, name="explanation_link"),
    path(
        "giai-trinh/<int:person_id>/<str:mac>/<str:kind>/<int:doc_id>/",
        views.explanation_link_document,
        name="explanation_link_document",
    ),
]
