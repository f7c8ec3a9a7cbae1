from django.urls import path, re_path

from studies import (
    announcement_views,
    appeal_views,
    evaluation_views,
    identity_views,
    jury_member_views,
    justification_views,
    material_views,
    teaching_views,
)
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
    re_path(
        r"^staff/cohorts/(?P<slug>[-\w]+)/years/(?P<year>\d+)/$",
        studies.year_jury_detail,
        name="year_jury",
    ),
    re_path(
        r"^staff/cohorts/(?P<slug>[-\w]+)/years/(?P<year>\d+)/(?P<action>close|publish|reopen)/$",
        studies.year_jury_action,
        name="year_jury_action",
    ),
    path("staff/grades/", studies.my_sheets, name="my_sheets"),
    path("staff/offerings/<int:pk>/sessions/", studies.offering_sessions, name="offering_sessions"),
    path("staff/sessions/<int:pk>/attendance/", studies.session_attendance, name="attendance"),
    path("calendar/<str:token>.ics", studies.calendar_feed, name="calendar"),
    path("me/calendar/", studies.calendar_feed_change, name="calendar_change"),
    path("staff/grades/<int:pk>/", studies.sheet_detail, name="sheet"),
    path("staff/grades/<int:pk>/submit/", studies.sheet_submit, name="sheet_submit"),
    re_path(
        r"^staff/grades/(?P<pk>\d+)/export\.(?P<fmt>csv|xlsx)$",
        studies.sheet_export,
        name="sheet_export",
    ),
    path("me/programme/", studies.my_programme, name="my_programme"),
]

# Consultation of marks and appeals (academic-rules.md §1.11)
urlpatterns += [
    path("me/marks/", appeal_views.my_marks, name="consultation_marks"),
    path("me/marks/<int:pk>/appeal/", appeal_views.appeal_file, name="appeal_file"),
    path(
        "me/marks/appeals/<int:pk>/withdraw/",
        appeal_views.appeal_withdraw,
        name="appeal_withdraw",
    ),
    path(
        "staff/grades/<int:pk>/consultation/",
        appeal_views.consultation_set,
        name="consultation_set",
    ),
    path("staff/appeals/", appeal_views.appeal_list, name="appeal_list"),
    path("staff/appeals/<int:pk>/", appeal_views.appeal_detail, name="appeal_detail"),
]

# The members of a jury, printed on its record (PV)
urlpatterns += [
    path(
        "staff/juries/<int:pk>/members/",
        jury_member_views.jury_member_add,
        name="jury_member_add",
    ),
    path(
        "staff/juries/members/<int:pk>/remove/",
        jury_member_views.jury_member_remove,
        name="jury_member_remove",
    ),
]

# The identity a student's documents print, completed by the coordination
urlpatterns += [
    path(
        "staff/cohorts/<slug:slug>/students/<int:pk>/identity/",
        identity_views.student_identity,
        name="student_identity",
    ),
]

# Announcements to a cohort, a group or a module's students (#14)
urlpatterns += [
    path("staff/announcements/", announcement_views.announcement_list, name="announcements"),
    path(
        "staff/announcements/new/",
        announcement_views.announcement_new,
        name="announcement_new",
    ),
    path("me/announcements/", announcement_views.my_announcements, name="my_announcements"),
    path(
        "announcements/<int:pk>/attachment/",
        announcement_views.announcement_attachment,
        name="announcement_attachment",
    ),
]

# Teaching operations (#14): rooms, booking, moving and cancelling sessions, hours taught
urlpatterns += [
    path("staff/rooms/", teaching_views.room_list, name="rooms"),
    path("staff/rooms/new/", teaching_views.room_edit, name="room_add"),
    path("staff/rooms/<int:pk>/", teaching_views.room_edit, name="room"),
    path("staff/cohorts/<slug:slug>/timetable/", teaching_views.timetable, name="timetable"),
    path(
        "staff/cohorts/<slug:slug>/timetable/new/",
        teaching_views.session_book,
        name="session_book",
    ),
    path("staff/sessions/<int:pk>/move/", teaching_views.session_move, name="session_move"),
    path("staff/sessions/<int:pk>/cancel/", teaching_views.session_cancel, name="session_cancel"),
    path("staff/hours/", teaching_views.hours_page, name="hours"),
]

# Anonymous module evaluations (#14)
urlpatterns += [
    path(
        "staff/cohorts/<slug:slug>/evaluations/",
        evaluation_views.evaluation_list,
        name="evaluations",
    ),
    path(
        "staff/evaluations/<int:pk>/",
        evaluation_views.questionnaire_detail,
        name="questionnaire",
    ),
    path(
        "staff/evaluations/questions/<int:pk>/delete/",
        evaluation_views.question_delete,
        name="question_delete",
    ),
    path("staff/evaluations/", evaluation_views.staff_evaluations, name="staff_evaluations"),
    path(
        "staff/evaluations/<int:pk>/offerings/<int:offering>/",
        evaluation_views.evaluation_results,
        name="evaluation_results",
    ),
    re_path(
        r"^staff/evaluations/(?P<pk>\d+)/offerings/(?P<offering>\d+)/export\.(?P<fmt>csv|xlsx)$",
        evaluation_views.evaluation_results_export,
        name="evaluation_results_export",
    ),
    path("me/evaluations/", evaluation_views.my_evaluations, name="my_evaluations"),
    path(
        "me/evaluations/<int:pk>/<int:offering>/",
        evaluation_views.evaluation_answer,
        name="evaluation_answer",
    ),
]

# Materials of a module offering (#14): sections, links and files with their versions
urlpatterns += [
    path(
        "staff/offerings/<int:pk>/materials/",
        material_views.materials_manage,
        name="materials_manage",
    ),
    path(
        "staff/offerings/<int:pk>/materials/sections/new/",
        material_views.section_new,
        name="material_section_new",
    ),
    path(
        "staff/offerings/<int:pk>/materials/new/",
        material_views.material_new,
        name="material_new",
    ),
    path(
        "staff/materials/sections/<int:pk>/",
        material_views.section_edit,
        name="material_section_edit",
    ),
    path(
        "staff/materials/sections/<int:pk>/move/",
        material_views.section_move,
        name="material_section_move",
    ),
    path(
        "staff/materials/sections/<int:pk>/delete/",
        material_views.section_delete,
        name="material_section_delete",
    ),
    path(
        "staff/materials/<int:pk>/version/",
        material_views.material_version_new,
        name="material_version_new",
    ),
    path("staff/materials/<int:pk>/move/", material_views.material_move, name="material_move"),
    path(
        "staff/materials/<int:pk>/delete/",
        material_views.material_delete,
        name="material_delete",
    ),
    path("me/modules/<int:pk>/materials/", material_views.my_materials, name="my_materials"),
    path(
        "materials/versions/<int:pk>/",
        material_views.material_download,
        name="material_download",
    ),
]

# Absence justifications (#14): sent by the student, decided by the coordinators
urlpatterns += [
    path("me/absences/", justification_views.my_absences, name="my_absences"),
    path(
        "me/absences/<int:pk>/justify/",
        justification_views.justification_new,
        name="justification_new",
    ),
    path("staff/justifications/", justification_views.justification_list, name="justifications"),
    path(
        "staff/justifications/<int:pk>/",
        justification_views.justification_detail,
        name="justification",
    ),
    path(
        "justifications/<int:pk>/file/",
        justification_views.justification_file,
        name="justification_file",
    ),
]
