"""The lessons' pages: the list, the presenter screen, its JSON endpoints, the Lesson tab's.

Joined into the root URLconf ahead of the dashboard's `clusters/<slug>/` include,
so the dashboard's own routes stay untouched.
"""

from django.urls import path

from clusterviz.lessons import classviews, studentviews, views

urlpatterns = [
    path("lessons/", views.lesson_list, name="lessons"),
    path("clusters/<slug:slug>/present", views.presenter, name="presenter"),
    path("clusters/<slug:slug>/lesson/goto", views.goto, name="lesson-goto"),
    path("clusters/<slug:slug>/lesson/run", views.run, name="lesson-run"),
    path("clusters/<slug:slug>/lesson/check", views.check, name="lesson-check"),
    path("clusters/<slug:slug>/lesson/reset", views.reset, name="lesson-reset"),
    # the student's Lesson tab on the dashboard (studentviews)
    path("clusters/<slug:slug>/lesson/data", studentviews.data, name="lesson-data"),
    path("clusters/<slug:slug>/lesson/at", studentviews.at, name="lesson-at"),
    # a class's teacher moves every student's Lesson tab (classviews, push)
    path("classes/<int:pk>/lesson/push", classviews.push_step, name="lesson-push"),
]
