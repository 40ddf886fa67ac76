from django.urls import path

from . import views

app_name = "scanning"

urlpatterns = [
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/quet/", views.scan_page, name="scan"),
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/quet/ngau-nhien/", views.spot_check, name="spot_check"),
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/thu-may-quet/", views.check, name="check"),
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/quet/mo/", views.open_ballot, name="open"),
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/quet/doc-truc-tiep/", views.by_hand, name="by_hand"),
    path("hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/quet/<uuid:ballot_id>/", views.review, name="review"),
    path(
        "hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/quet/<uuid:ballot_id>/khong-tinh/",
        views.withdraw,
        name="withdraw",
    ),
    path(
        "hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/quet/<uuid:ballot_id>/dong-<int:person>.png",
        views.crop,
        name="crop",
    ),
    path(
        "hoi-nghi/<int:conference_id>/kiem-phieu/<int:form_id>/quet/<uuid:ballot_id>/duoi-danh-sach-<int:page_number>.png",
        views.writing_crop,
        name="writing_crop",
    ),
]
