from django.urls import path, re_path

from grassroots.open311 import georeport, openapi, portal

FMT = r"(?P<fmt>xml|json)"

georeport_patterns = (
    [
        re_path(rf"^discovery\.{FMT}$", georeport.discovery, name="discovery"),
        re_path(rf"^services\.{FMT}$", georeport.service_list, name="services"),
        re_path(rf"^services/(?P<code>[^/]+)\.{FMT}$", georeport.service_definition, name="service"),
        re_path(rf"^requests\.{FMT}$", georeport.requests_resource, name="requests"),
        re_path(rf"^requests/(?P<number>[^/]+)\.{FMT}$", georeport.request_detail, name="request"),
        re_path(rf"^tokens/(?P<token>[^/]+)\.{FMT}$", georeport.token_detail, name="token"),
        re_path(r"^openapi\.json$", openapi.served, name="openapi"),
        # Anything else, even a path with a newline in it, is the spec's own 404.
        re_path(r"^(?P<rest>[\s\S]*?)(?:\.(?P<fmt>[a-z]+))?\Z", georeport.not_found),
    ],
    "open311",
)

portal_patterns = (
    [
        path("report/", portal.report, name="report"),
        path("report/questions/", portal.questions, name="questions"),
        path("report/villages/", portal.villages, name="villages"),
        path("report/map.geojson", portal.place_map, name="map"),
        path("report/received/", portal.received, name="received"),
        path("report/photos/<uuid:pk>/", portal.photo, name="photo"),
        path("track/", portal.track, name="track"),
        path("track/<str:number>/", portal.tracked, name="tracked"),
        path("track/<str:number>/rate/", portal.rate, name="rate"),
        path("track/<str:number>/review/", portal.review, name="review"),
    ],
    "portal",
)
