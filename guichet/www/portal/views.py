from django.http import HttpResponse


def home(request):
    return HttpResponse("Guichet")


def authority_home(request, authority_slug):
    return HttpResponse("Guichet")


def track(request, authority_slug, token):
    return HttpResponse("Guichet")
