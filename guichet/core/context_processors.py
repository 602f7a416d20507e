from django.conf import settings


def guichet(request):
    return {"GUICHET_DEMO": settings.GUICHET_DEMO}
