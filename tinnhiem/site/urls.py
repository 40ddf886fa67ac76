from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from tinnhiem.accounts.roles import public
from tinnhiem.site import views as site_views

admin.site.site_header = admin.site.site_title = "tinnhiem"  # not "Django site admin" in the tab

urlpatterns = [
    path("", include("tinnhiem.conferences.urls")),
    path("", include("tinnhiem.voting.urls")),
    path("", include("tinnhiem.documents.urls")),
    path("", include("tinnhiem.scanning.urls")),
    path("tai-khoan/", include("tinnhiem.accounts.urls")),
    path("", include("tinnhiem.audit.urls")),
    path("kiem-tra-may/", site_views.preflight, name="preflight"),
    path("sao-luu/", site_views.backup, name="backup"),
    path("ngon-ngu/", public(set_language), name="set_language"),
    path("quan-tri/", admin.site.urls),
    # what a browser asks for on a page without an icon link (the administration pages, errors)
    path("favicon.ico", public(RedirectView.as_view(url=static("tinnhiem/icon.svg"), permanent=True))),
    path("robots.txt", public(site_views.robots)),
]

handler400 = "tinnhiem.site.errors.bad_request"
handler403 = "tinnhiem.site.errors.forbidden"
handler404 = "tinnhiem.site.errors.not_found"
handler500 = "tinnhiem.site.errors.server_error"
