from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "IOM Partnership Tracker administration"
admin.site.site_title = "IOM administration"

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("web.urls")),
]
