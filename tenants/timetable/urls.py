from django.urls import path

from tenants.timetable import views

app_name = "timetable"

urlpatterns = [
    path("emploi-du-temps/", views.my_timetable, name="mine"),
    path("emploi-du-temps/classes/<int:class_id>/", views.class_timetable, name="class"),
    path("emploi-du-temps/enseignants/<int:teacher_id>/", views.teacher_timetable, name="teacher"),
    path("emploi-du-temps/salles/<int:room_id>/", views.room_timetable, name="room"),
    path("emploi-du-temps/cours/<int:lesson_id>/deplacer", views.lesson_move, name="lesson_move"),
    path("emploi-du-temps/generation/", views.generation_page, name="generation"),
    path("emploi-du-temps/generation/<int:run_id>/", views.generation_detail, name="generation_detail"),
    path("emploi-du-temps/generation/<int:run_id>/arreter", views.generation_stop, name="generation_stop"),
    path("emploi-du-temps/import/", views.import_page, name="import"),
    path("emploi-du-temps/import/<int:run_id>/", views.import_detail, name="import_detail"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical_feed"),
]
