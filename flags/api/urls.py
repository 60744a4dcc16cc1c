from django.urls import path

from flags.api import views

urlpatterns = [
    path("flags/", views.FlagListView.as_view(), name="api-flags"),
    path(
        "flags/<int:pk>/acknowledge/",
        views.FlagAcknowledgeView.as_view(),
        name="api-flag-acknowledge",
    ),
    path("flags/<int:pk>/resolve/", views.FlagResolveView.as_view(), name="api-flag-resolve"),
    path("flags/<int:pk>/respond/", views.FlagRespondView.as_view(), name="api-flag-respond"),
    path(
        "flags/<int:pk>/contacts/",
        views.FlagContactCreateView.as_view(),
        name="api-flag-contacts",
    ),
]
