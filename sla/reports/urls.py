"""Report pages, mounted by sla/urls.py under the "sla" namespace."""

urlpatterns: list = []
