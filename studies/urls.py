from django.urls import path, re_path

from studies import views as studies

app_name = "studies"

urlpatterns = [
    path("staff/cohorts/", studies.cohort_list, name="cohorts"),
    path("staff/cohorts/<slug:slug>/", studies.cohort_detail, name="cohort"),
    path("staff/cohorts/<slug:slug>/offerings/", studies.offerings_open, name="offerings_open"),
    path("staff/cohorts/<slug:slug>/results/", studies.cohort_results, name="cohort_results"),
    path("staff/cohorts/<slug:slug>/internships/", studies.internship_list, name="internships"),
    path(
        "staff/cohorts/<slug:slug>/internships/<int:pk>/",
        studies.internship_edit,
        name="internship",
    ),
    path("thesis/<str:token>/", studies.thesis_link, name="thesis_link"),
    path("staff/cohorts/<slug:slug>/students/new/", studies.student_add, name="student_add"),
    path(
        "staff/cohorts/<slug:slug>/students/import/", studies.student_import, name="student_import"
    ),
    path(
        "staff/cohorts/<slug:slug>/students/<int:pk>/status/",
        studies.student_status,
        name="student_status",
    ),
    re_path(
        r"^staff/cohorts/(?P<slug>[-\w]+)/juries/(?P<semester>\d+)/(?P<session>[NR])/$",
        studies.jury_detail,
        name="jury",
    ),
    re_path(
        r"^staff/cohorts/(?P<slug>[-\w]+)/juries/(?P<semester>\d+)/(?P<session>[NR])/(?P<action>close|publish|reopen)/$",
        studies.jury_action,
        name="jury_action",
    ),
    path("staff/grades/", studies.my_sheets, name="my_sheets"),
    path("staff/offerings/<int:pk>/sessions/", studies.offering_sessions, name="offering_sessions"),
    path("staff/sessions/<int:pk>/attendance/", studies.session_attendance, name="attendance"),
    path("calendar/<str:token>.ics", studies.calendar_feed, name="calendar"),
    path("me/calendar/", studies.calendar_feed_change, name="calendar_change"),
    path("staff/grades/<int:pk>/", studies.sheet_detail, name="sheet"),
    re_path(
        r"^staff/grades/(?P<pk>\d+)/export\.(?P<fmt>csv|xlsx)$",
        studies.sheet_export,
        name="sheet_export",
    ),
    path("me/programme/", studies.my_programme, name="my_programme"),
]
