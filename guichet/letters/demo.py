"""Demo reply templates: what a town hall typically keeps ready."""

from __future__ import annotations

from guichet.letters.models import ReplyTemplate
from guichet.letters.services import reply_template_create

CLOSING = "Je vous prie d'agréer l'expression de mes salutations distinguées."

DEMO_TEMPLATES = (
    (
        "Prise en charge",
        "Votre demande {{ demande.reference }} est prise en charge",
        "{{ usager.civilite_nom }},\n\n"
        "Votre demande « {{ demande.objet }} », reçue le {{ demande.date_reception }}, "
        "est suivie par le service {{ service.nom }} sous la référence "
        "{{ demande.reference }}.\n\n"
        "{% if demande.echeance %}Nous nous engageons à vous répondre au plus tard le "
        "{{ demande.echeance }}.\n\n{% endif %}" + CLOSING,
    ),
    (
        "Pièces complémentaires",
        "Demande {{ demande.reference }} : pièces à nous transmettre",
        "{{ usager.civilite_nom }},\n\n"
        "Pour instruire votre demande « {{ demande.objet }} », nous avons besoin des pièces "
        "suivantes :\n- \n- \n\n"
        "Vous pouvez nous les adresser en répondant à ce message, en les déposant à "
        "l'accueil ou par courrier à l'adresse : {{ service.adresse }}.\n"
        "Le délai de traitement est suspendu jusqu'à leur réception.\n\n" + CLOSING,
    ),
    (
        "Intervention programmée",
        "Intervention prévue : demande {{ demande.reference }}",
        "{{ usager.civilite_nom }},\n\n"
        "À la suite de votre signalement « {{ demande.objet }} », une intervention de nos "
        "équipes est programmée le [date à préciser].\n\n"
        "Merci de nous avoir signalé ce problème.\n\n" + CLOSING,
    ),
    (
        "Réponse favorable",
        "Réponse à votre demande {{ demande.reference }}",
        "{{ usager.civilite_nom }},\n\n"
        "J'ai le plaisir de vous informer qu'une suite favorable est donnée à votre demande "
        "« {{ demande.objet }} ».\n\n"
        "Pour toute question, le service {{ service.nom }} reste à votre disposition au "
        "{{ service.telephone }}.\n\n" + CLOSING,
    ),
    (
        "Réorientation vers un autre organisme",
        "Votre demande {{ demande.reference }}",
        "{{ usager.civilite_nom }},\n\n"
        "Votre demande « {{ demande.objet }} » relève de la compétence de [organisme]. "
        "Nous lui avons transmis votre demande et vous en informons, comme le prévoit "
        "l'article L114-2 du code des relations entre le public et l'administration.\n\n"
        "Vous pouvez le joindre : [coordonnées].\n\n" + CLOSING,
    ),
)


def demo_seed(*, authority, actor) -> list[ReplyTemplate]:
    """Create the demo templates the authority does not have yet (by name); safe to run
    again. Returns the templates created."""
    existing = set(ReplyTemplate.objects.filter(authority=authority).values_list("name", flat=True))
    created = []
    for name, subject, body in DEMO_TEMPLATES:
        if name in existing:
            continue
        created.append(
            reply_template_create(
                actor=actor, authority=authority, name=name, subject=subject, body=body
            )
        )
    return created
