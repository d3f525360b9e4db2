from django.urls import path

from . import views_workspace as views

app_name = "assembly_workspace"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.assembly_home, name="assembly"),
    path("<slug:slug>/you-said-we-did/", views.you_said_we_did, name="you_said_we_did"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/add/", views.member_add, name="member_add"),
    path("<slug:slug>/members/add-facilitator/", views.facilitator_add, name="facilitator_add"),
    path("<slug:slug>/members/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("<slug:slug>/members/<int:pk>/new-link/", views.member_link, name="member_link"),
    path("<slug:slug>/sessions/add/", views.session_edit, name="session_add"),
    path("<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session"),
    path("<slug:slug>/sessions/<int:pk>/change/", views.session_edit, name="session_edit"),
    path("<slug:slug>/sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("<slug:slug>/sessions/<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("<slug:slug>/sessions/<int:pk>/papers/add/", views.paper_add, name="paper_add"),
    path("<slug:slug>/sessions/<int:pk>/recommendations/add/", views.recommendation_add, name="recommendation_add"),
    path("<slug:slug>/papers/<int:pk>/file/", views.paper_file, name="paper_file"),
    path("<slug:slug>/papers/<int:pk>/change/", views.paper_edit, name="paper_edit"),
    path("<slug:slug>/papers/<int:pk>/delete/", views.paper_delete, name="paper_delete"),
    path("<slug:slug>/recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("<slug:slug>/recommendations/<int:pk>/change/", views.recommendation_edit, name="recommendation_edit"),
    path("<slug:slug>/recommendations/<int:pk>/open/", views.recommendation_open, name="recommendation_open"),
    path("<slug:slug>/recommendations/<int:pk>/close/", views.recommendation_close, name="recommendation_close"),
    path("<slug:slug>/recommendations/<int:pk>/reopen/", views.recommendation_reopen, name="recommendation_reopen"),
    path("<slug:slug>/recommendations/<int:pk>/vote/", views.vote, name="vote"),
    path("<slug:slug>/recommendations/<int:pk>/response/", views.response_edit, name="response_edit"),
    path("<slug:slug>/recommendations/<int:pk>/response/publish/", views.response_publish, name="response_publish"),
    path("<slug:slug>/recommendations/<int:pk>/response/unpublish/", views.response_unpublish, name="response_unpublish"),
    # Last, so that an assembly whose slug is "welcome" keeps all its pages: the second part of
    # a welcome link is a number in base 64, never one of the words above.
    path("welcome/<str:uidb64>/<str:token>/", views.welcome, name="welcome"),
]
