from django.http import HttpResponse

from mutualaid.tenancy.access import staff_required


@staff_required()
def year_view(request):
    return HttpResponse("calendar")
