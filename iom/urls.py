from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "IOM Partnership Tracker administration"
admin.site.site_title = "IOM administration"

urlpatterns = [
    # Before the admin site: its own login page would skip the second factor (web/two_factor/).
    path("django-admin/login/", include("web.two_factor.admin_urls")),
    path("django-admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("web.urls")),
]

# Pages get the service's error pages, paths under /api/ the API's JSON error shape (web/errors.py).
handler400 = "web.errors.bad_request"
handler404 = "web.errors.page_not_found"
handler500 = "web.errors.server_error"
