from django.urls import path

from .views import lists, meeting

app_name = "meetings"

urlpatterns = [
    path("", lists.index, name="index"),
    path("calendar/", lists.calendar, name="calendar"),
    path("feed/", lists.feed, name="feed"),
    path("feed/reset/", lists.feed_reset, name="feed_reset"),
    path("feed/<str:token>.ics", lists.ical, name="ical"),
    path("new/", meeting.meeting_new, name="meeting_new"),
    path("items/new/", meeting.item_submit, name="item_submit"),
    path("check-in/<str:token>/", meeting.check_in_self, name="check_in_self"),
    path("<int:pk>/", meeting.meeting_detail, name="meeting"),
    path("<int:pk>/check-in/", meeting.check_in_code, name="check_in_code"),
    path("<int:pk>/sign-in-sheet.pdf", meeting.signin_sheet, name="signin_sheet"),
    path("<int:pk>/minutes.pdf", meeting.minutes_pdf, name="minutes_pdf"),
    # POST-only transitions
    path("<int:pk>/recorders/", meeting.meeting_recorders, name="meeting_recorders"),
    path("<int:pk>/cancel/", meeting.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/agenda/approve/", meeting.agenda_approve, name="agenda_approve"),
    path("<int:pk>/notify/", meeting.meeting_notify, name="meeting_notify"),
    path("<int:pk>/respond/", meeting.attendance_respond, name="attendance_respond"),
    path("<int:pk>/check-in/door/", meeting.check_in_at_door, name="check_in_at_door"),
    path("<int:pk>/record/close/", meeting.close_record, name="close_record"),
    path("<int:pk>/minutes/draft/", meeting.minutes_draft, name="minutes_draft"),
    path("<int:pk>/minutes/check/", meeting.minutes_check, name="minutes_check"),
    path("<int:pk>/minutes/sign/", meeting.minutes_sign, name="minutes_sign"),
    path("<int:pk>/minutes/issue/", meeting.minutes_issue, name="minutes_issue"),
    path("items/<int:pk>/legal-review/", meeting.item_legal_review, name="item_legal_review"),
    path("items/<int:pk>/check/", meeting.item_check, name="item_check"),
    path("items/<int:pk>/approve-late/", meeting.item_approve_late, name="item_approve_late"),
    path("items/<int:pk>/agenda/add/", meeting.agenda_add, name="agenda_add"),
    path("items/<int:pk>/agenda/remove/", meeting.agenda_remove, name="agenda_remove"),
    path("items/<int:pk>/notes/", meeting.record_note, name="record_note"),
    path("items/<int:pk>/outcome/", meeting.item_outcome, name="item_outcome"),
    path("items/<int:pk>/decisions/", meeting.decision_add, name="decision_add"),
]
