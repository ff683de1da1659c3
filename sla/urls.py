from sla.reports import urls as report_urls

app_name = "sla"
urlpatterns = [*report_urls.urlpatterns]
