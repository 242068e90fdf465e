from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from grassroots.accounts.views import LoginView, LogoutView, TokenView
from grassroots.open311.urls import georeport_patterns, portal_patterns
from grassroots.stats.api import BreakdownView, MetricListView, StatsView
from grassroots.stats.views import briefing_page, dashboard, export_stats, hot, hotspots, my_work
from grassroots.triage.views import SuggestView
from grassroots.web import views as web_views

api_v1: list[URLPattern | URLResolver] = [
    path("", include("grassroots.org.api.urls")),
    path("", include("grassroots.cases.api.urls")),
    path("", include("grassroots.activities.api.urls")),
    path("", include("grassroots.research.api.urls")),
    path("", include("grassroots.linkage.api.urls")),
    path("stats/", StatsView.as_view(), name="api-stats"),
    path("triage/suggest/", SuggestView.as_view(), name="api-triage-suggest"),
    path("stats/metrics/", MetricListView.as_view(), name="api-stats-metrics"),
    path("stats/breakdown/", BreakdownView.as_view(), name="api-stats-breakdown"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", web_views.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("org/", include("grassroots.org.urls")),
    path("cases/", include("grassroots.cases.urls")),
    path("activities/", include("grassroots.activities.urls")),
    path("research/", include("grassroots.research.urls")),
    path("linkage/", include("grassroots.linkage.urls")),
    path("triage/", include("grassroots.triage.urls")),
    path("briefing/", briefing_page, name="briefing"),
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/mine/", my_work, name="my-work"),
    path("dashboard/hot/", hot, name="hot-issues"),
    path("dashboard/hotspots/", hotspots, name="hotspots"),
    path("dashboard/export/", export_stats, name="stats-export"),
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include(georeport_patterns)),
    path("", include(portal_patterns)),
    path("admin/", admin.site.urls),
]

# The database being away is the client's cue to retry (503), not our bug (500).
handler500 = "grassroots.web.failures.server_error"
