from django.urls import path

from accounts.api import carer_views, views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", views.DeviceTokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:pk>/", views.DeviceTokenView.as_view(), name="api-token-revoke"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="api-logout-all"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("carers/", carer_views.CarerListView.as_view(), name="api-carers"),
    path("carers/<int:pk>/", carer_views.CarerDetailView.as_view(), name="api-carer-detail"),
]
