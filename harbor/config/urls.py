from functools import partial

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from ninja.openapi.views import openapi_view

from harbor.config.api import api
from harbor.core import views as core_views

handler400 = "harbor.core.views.bad_request"
handler403 = "harbor.core.views.permission_denied"
handler404 = "harbor.core.views.page_not_found"
handler500 = "harbor.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics_view, name="metrics"),
    path("api/v1/", api.urls),
    path("api/docs", partial(openapi_view, api=api), name="api_docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("", include("harbor.core.urls")),
    path("", include("harbor.directory.urls")),
    path("", include("harbor.sharing.urls")),
    path("", include("harbor.trade.urls")),
    path("", include("harbor.language.urls")),
]
