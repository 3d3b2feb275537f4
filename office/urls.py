from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from . import health, views, views_calendar, views_work

office_patterns = (
    [
        path("", views_work.inbox, name="home"),
        path("work/<int:pk>/", views_work.workitem_detail, name="workitem"),
        path("work/<int:pk>/complete/", views_work.workitem_complete, name="workitem_complete"),
        path("work/<int:pk>/urge/", views_work.workitem_urge, name="workitem_urge"),
        path("work/<int:pk>/pause/", views_work.workitem_pause, name="workitem_pause"),
        path("work/<int:pk>/resume/", views_work.workitem_resume, name="workitem_resume"),
        path("work/<int:pk>/extend/", views_work.workitem_extend, name="workitem_extend"),
        path("work/<int:pk>/cancel/", views_work.workitem_cancel, name="workitem_cancel"),
        path("notifications/", views_work.notification_list, name="notifications"),
        path(
            "notifications/<int:pk>/open/",
            views_work.notification_open,
            name="notification_open",
        ),
        path(
            "notifications/read-all/",
            views_work.notification_read_all,
            name="notifications_read_all",
        ),
        path("register/", views_work.register, name="register"),
        path("register/export.xlsx", views_work.register_export, name="register_export"),
        path("staff/", views.staff_list, name="staff_list"),
        path("about/", views.about, name="about"),
        path("calendar/", views_calendar.calendar_index, name="calendar"),
        path("calendar/<int:year>/", views_calendar.calendar_year, name="calendar_year"),
    ],
    "office",
)

admin.site.site_header = "政办 · 系统管理"
admin.site.site_title = "政办管理"
admin.site.index_title = "管理首页"
admin.site.login = views.admin_login

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/verify/", views.second_factor, name="second_factor"),
    path("accounts/new-password/", views.new_password, name="new_password"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include(office_patterns)),
    path("documents/", include("documents.urls")),
    path("petitions/", include("petitions.urls")),
    path("meetings/", include("meetings.urls")),
    path("supervision/", include("supervision.urls")),
    path("public/petitions/", include("petitions.public_urls")),
    path("public/", include("portal.urls")),
    path("service/", include("portal.urls_staff")),
    path("manage/", admin.site.urls),
]

handler403 = "office.views.error_403"
handler404 = "office.views.error_404"
handler500 = "office.views.error_500"
