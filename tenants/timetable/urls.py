from django.urls import path

from tenants.timetable import setup_views, views

app_name = "timetable"

SETUP = "emploi-du-temps/parametrage/"

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
    # Paramétrage: one page per section, and for each kind of row its add, edit and delete actions.
    path(SETUP, setup_views.home, name="setup"),
    path(
        f"{SETUP}cours/<int:course_id>/retirer-seances",
        setup_views.course_lessons_remove,
        name="setup_course_lessons_remove",
    ),
]
for section in setup_views.SECTIONS:
    urlpatterns.append(
        path(
            f"{SETUP}{section.slug}/",
            setup_views.section_page,
            {"section": section.slug},
            name=f"setup_{section.slug}",
        )
    )
for block in setup_views.BLOCKS:
    one = f"{SETUP}{block.slug}/<int:{block.id_name}>/"
    urlpatterns += [
        path(
            f"{SETUP}{block.slug}/ajouter",
            setup_views.block_create,
            {"block": block.slug},
            name=f"setup_{block.slug}_create",
        ),
        path(
            f"{one}supprimer",
            setup_views.block_delete,
            {"block": block.slug},
            name=f"setup_{block.slug}_delete",
        ),
    ]
    if block.update is not None:
        urlpatterns.append(
            path(one, setup_views.block_edit, {"block": block.slug}, name=f"setup_{block.slug}_edit")
        )
    for tool in block.tools:
        urlpatterns.append(
            path(
                f"{SETUP}{block.slug}/{tool.slug}",
                setup_views.block_tool,
                {"block": block.slug, "tool": tool.slug},
                name=f"setup_{block.slug}_{tool.slug}",
            )
        )
