from django.urls import path

from channels_app import views

app_name = "channels"

urlpatterns = [
    path("channels/", views.ChannelListView.as_view(), name="channel-list"),
    path("channels/new/", views.ChannelCreateView.as_view(), name="channel-create"),
    path("channels/<id:pk>/edit/", views.ChannelUpdateView.as_view(), name="channel-update"),
    path("channels/<id:pk>/delete/", views.ChannelDeleteView.as_view(), name="channel-delete"),
    path("calendars/", views.CalendarListView.as_view(), name="calendar-list"),
    path("calendars/new/", views.CalendarCreateView.as_view(), name="calendar-create"),
    path("calendars/<id:pk>/edit/", views.CalendarUpdateView.as_view(), name="calendar-update"),
    path("calendars/<id:pk>/delete/", views.CalendarDeleteView.as_view(), name="calendar-delete"),
    path(
        "calendars/<id:pk>/holidays/import/",
        views.CalendarImportHolidaysView.as_view(),
        name="calendar-import-holidays",
    ),
]
