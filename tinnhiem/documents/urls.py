from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("dot/<int:campaign_id>/bao-cao-tong-hop.pdf", views.summary_pdf, name="summary"),
    path("dot/<int:campaign_id>/bao-cao-tong-hop.docx", views.summary_docx, name="summary_docx"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/", views.documents, name="list"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/nguoi-ky/", views.signer, name="signer"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/phieu-<int:form_id>.pdf", views.ballot_pdf, name="ballots"),
    path(
        "hoi-nghi/<int:conference_id>/tai-lieu/giay-moi.pdf",
        views.letters_pdf,
        {"kind": "invitations"},
        name="invitations",
    ),
    path(
        "hoi-nghi/<int:conference_id>/tai-lieu/danh-sach-ky.pdf",
        views.letters_pdf,
        {"kind": "attendance"},
        name="attendance",
    ),
    path("hoi-nghi/<int:conference_id>/tai-lieu/danh-sach.pdf", views.letters_pdf, {"kind": "roster"}, name="roster"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/bien-ban.pdf", views.minutes_pdf, name="minutes"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/bien-ban.docx", views.minutes_docx, name="minutes_docx"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/bao-cao.pdf", views.report_pdf, name="report"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/bao-cao.docx", views.report_docx, name="report_docx"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/thong-bao-ket-qua.pdf", views.notices_pdf, name="notices"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/ho-so-hoi-nghi.zip", views.record_zip, name="record"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/nghi-quyet.pdf", views.resolution_pdf, name="resolution"),
    path("hoi-nghi/<int:conference_id>/tai-lieu/nghi-quyet.docx", views.resolution_docx, name="resolution_docx"),
]
