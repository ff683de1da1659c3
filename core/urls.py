from django.urls import path

from core import views

urlpatterns = [
    path("account/", views.AccountView.as_view(), name="account"),
    # Replaces django.conf.urls.i18n, whose only route is this one, under the same name.
    path("i18n/setlang/", views.set_language, name="set_language"),
]
