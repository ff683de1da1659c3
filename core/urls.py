from django.urls import path

from core import views
from core.messages import MessageListView

urlpatterns = [
    path("messages/", MessageListView.as_view(), name="messages"),
    path("account/", views.AccountView.as_view(), name="account"),
    # Replaces django.conf.urls.i18n, whose only route is this one, under the same name.
    path("i18n/setlang/", views.set_language, name="set_language"),
]
