"""Public pages (政务公开): no sign-in, their own URL space under /public/."""

from __future__ import annotations

from django.shortcuts import render

from office.models import Section, Unit, UnitKind


def home(request):
    sections = Section.objects.active()
    units = Unit.objects.filter(kind=UnitKind.SUBORDINATE)
    return render(request, "portal/home.html", {"sections": sections, "units": units})
