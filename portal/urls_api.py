from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from channels_app import api as channels_api
from quality import api as quality_api
from sla import api as sla_api
from standards import api as standards_api
from surveys import api as surveys_api
from training import api as training_api

router = DefaultRouter()
for module in (channels_api, standards_api, sla_api, training_api, surveys_api, quality_api):
    module.register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Apps may add paths that are not viewsets (reports, public endpoints) in `extra_urls`.
    *[
        p
        for m in (standards_api, sla_api, training_api, surveys_api, quality_api)
        for p in getattr(m, "extra_urls", [])
    ],
    path("", include(router.urls)),
]
