from django.conf import settings


def guichet(request):
    context = {"GUICHET_DEMO": settings.GUICHET_DEMO}
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and request.path.startswith("/agents/")
        and len(user.scope.authority_ids) > 1
    ):
        from guichet.authorities.models import Authority

        context["agent_authorities"] = Authority.objects.filter(
            pk__in=user.scope.authority_ids
        ).order_by("name")
        context["agent_authority_id"] = request.session.get("authority_id")
    return context
