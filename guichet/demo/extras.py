"""What the demo adds once its year of demands exists: the front desk's knowledge base,
districts, routing rules and a trained suggestion, and the other areas' own demo rows."""

from __future__ import annotations

import importlib

from guichet.authorities.models import Authority, Service
from guichet.cases.models import Category
from guichet.demo.catalogue import CENTRE
from guichet.knowledge.enums import ArticleKind
from guichet.knowledge.services import article_create
from guichet.routing.models import RoutingRule, RoutingSettings
from guichet.routing.tasks import routing_models_train_all
from guichet.territories.services import territory_save

# (title, kind, service, categories, public, fields)
ARTICLES = (
    (
        "Réserver une salle municipale",
        ArticleKind.PROCEDURE,
        "Vie associative et sports",
        ("Réservation de salle municipale",),
        True,
        {
            "summary": "Salle des fêtes, salle polyvalente ou salle de réunion : réservation "
            "au moins deux mois à l'avance, pour les habitants et les associations.",
            "documents": "Formulaire de réservation ; attestation d'assurance responsabilité "
            "civile ; chèque de caution de 500 €.",
            "delays": "Réponse sous 15 jours ; la réservation est confirmée par écrit.",
            "fees": "Habitants : 150 € le week-end ; associations de la commune : gratuit "
            "une fois par an.",
            "where_when": "Accueil de la mairie, du lundi au vendredi de 8 h 30 à 17 h.",
            "keywords": "salle des fêtes, location, mariage, anniversaire, réunion, fête",
        },
    ),
    (
        "Se marier à la mairie",
        ArticleKind.PROCEDURE,
        "État civil",
        ("Demande d'acte d'état civil",),
        True,
        {
            "summary": "Dossier à déposer au service État civil au moins un mois avant la "
            "date, en présence des deux futurs époux.",
            "documents": "Pièces d'identité ; justificatifs de domicile ; copies intégrales "
            "d'acte de naissance de moins de trois mois ; liste des témoins.",
            "delays": "Publication des bans dix jours avant la cérémonie.",
            "fees": "Gratuit.",
            "keywords": "mariage, noces, bans, témoins, PACS",
        },
    ),
    (
        "Obtenir un acte de naissance, de mariage ou de décès",
        ArticleKind.PROCEDURE,
        "État civil",
        ("Demande d'acte d'état civil",),
        True,
        {
            "summary": "Copie intégrale ou extrait, gratuit ; par le portail, par courrier ou "
            "au guichet. Seule la commune où l'acte a été dressé peut le délivrer.",
            "documents": "Pièce d'identité pour une copie intégrale ; livret de famille si "
            "la demande porte sur un parent.",
            "delays": "Envoi sous 5 jours ouvrés.",
            "keywords": "acte de naissance, copie intégrale, extrait, livret de famille, décès",
        },
    ),
    (
        "Carte d'identité et passeport",
        ArticleKind.PROCEDURE,
        "État civil",
        ("Rendez-vous carte d'identité ou passeport",),
        True,
        {
            "summary": "Sur rendez-vous uniquement, après une pré-demande en ligne sur le "
            "site de l'ANTS.",
            "documents": "Numéro de pré-demande ; photo d'identité de moins de six mois ; "
            "justificatif de domicile ; ancien titre.",
            "fees": "Carte d'identité : gratuite (25 € en cas de perte) ; passeport : 86 €.",
            "delays": "Délai de fabrication de deux à six semaines selon la saison.",
            "keywords": "CNI, carte nationale d'identité, passeport, titre, ANTS",
        },
    ),
    (
        "Inscrire son enfant à l'école",
        ArticleKind.PROCEDURE,
        "Affaires scolaires",
        ("Inscription scolaire",),
        True,
        {
            "summary": "Inscription en mairie avant le 31 mars pour la rentrée suivante, "
            "puis admission par le directeur de l'école.",
            "documents": "Livret de famille ; justificatif de domicile ; carnet de santé.",
            "keywords": "école, maternelle, élémentaire, rentrée, périscolaire, cantine",
        },
    ),
    (
        "Signaler un problème sur la voirie",
        ArticleKind.INFORMATION,
        "Voirie",
        ("Dégradation du sol", "Voirie et déplacements"),
        True,
        {
            "summary": "Nid-de-poule, trottoir abîmé, marquage effacé : signalez-le en ligne "
            "avec une photo ; une équipe intervient sous cinq jours ouvrés, à l'heure en cas "
            "de danger.",
            "where_when": "Centre technique municipal, 12 rue des Ateliers.",
            "keywords": "nid de poule, trou, chaussée, trottoir, route, bosse",
        },
    ),
    (
        "Éclairage public en panne",
        ArticleKind.INFORMATION,
        "Éclairage public",
        ("Éclairage / Électricité",),
        True,
        {
            "summary": "Un lampadaire éteint ou qui clignote : indiquez le numéro inscrit "
            "sur le mât ou l'adresse la plus proche.",
            "delays": "Réparation sous dix jours ouvrés.",
            "keywords": "lampadaire, réverbère, lumière, éclairage, candélabre, ampoule",
        },
    ),
    (
        "Encombrants et dépôts sauvages",
        ArticleKind.INFORMATION,
        "Propreté urbaine",
        ("Objets abandonnés", "Propreté"),
        True,
        {
            "summary": "Les encombrants sont collectés sur rendez-vous ; un dépôt sauvage "
            "sur le trottoir se signale et peut être verbalisé (135 €).",
            "keywords": "encombrants, déchets, poubelle, sacs, matelas, déchetterie, ordures",
        },
    ),
    (
        "Demander un logement social",
        ArticleKind.PROCEDURE,
        "CCAS (Action sociale)",
        ("Demande de logement social",),
        True,
        {
            "summary": "Demande unique enregistrée en ligne ou au CCAS ; elle donne un "
            "numéro unique départemental, à renouveler chaque année.",
            "documents": "Pièce d'identité ; avis d'imposition ; justificatifs de ressources.",
            "keywords": "HLM, logement, bailleur, appartement, relogement",
        },
    ),
    (
        "Qui fait quoi : qui appeler pour un arbre dangereux ?",
        ArticleKind.DIRECTORY,
        "Espaces verts",
        ("Arbres, végétaux et animaux",),
        False,
        {
            "summary": "Arbre sur le domaine public : Espaces verts ; arbre d'un voisin qui "
            "dépasse : c'est un litige privé (conciliateur de justice) ; arbre tombé sur la "
            "route la nuit : astreinte technique.",
            "competent": "Espaces verts en journée ; l'astreinte technique hors des heures.",
            "keywords": "arbre, branche, élagage, haie, tempête, astreinte",
        },
    ),
    (
        "Procédure interne : courrier recommandé reçu",
        ArticleKind.INFORMATION,
        "Direction générale des services",
        (),
        False,
        {
            "summary": "Tout recommandé est enregistré au registre le jour même, scanné, et "
            "remis contre signature au service destinataire.",
            "keywords": "recommandé, accusé de réception, courrier, registre, AR",
        },
    ),
)


def _districts(authority: Authority) -> None:
    """Four simple districts around the town centre, and the commune around them, so that
    routing and problem reports have territories to place points in."""
    lat, lon = CENTRE
    d = 0.02

    def square(x0, y0, x1, y1):
        return {
            "type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
        }

    commune = territory_save(
        actor=None,
        authority=authority,
        name=authority.city or authority.name,
        kind="commune",
        code="36999",
        postal_codes=authority.postal_code,
        geometry=square(lon - 2 * d, lat - 2 * d, lon + 2 * d, lat + 2 * d),
    )
    for name, (x0, y0) in (
        ("Centre-ville", (lon - d, lat)),
        ("Les Hauts", (lon, lat)),
        ("Le Faubourg", (lon - d, lat - d)),
        ("La Gare", (lon, lat - d)),
    ):
        territory_save(
            actor=None,
            authority=authority,
            name=name,
            kind="district",
            parent=commune,
            geometry=square(x0, y0, x0 + d, y0 + d),
        )


def seed_extras(*, out=lambda message: None) -> None:
    commune = Authority.objects.filter(slug="ville-demo").first()
    if commune is None:
        return
    services = {s.name: s for s in Service.objects.filter(authority=commune)}
    categories = {c.label: c for c in Category.objects.filter(authority=commune)}
    admin = commune.memberships.filter(role="admin").select_related("user").first()
    actor = admin.user if admin else None
    for title, kind, service, labels, public, fields in ARTICLES:
        article_create(
            actor=actor,
            authority=commune,
            title=title,
            kind=kind,
            service=services.get(service),
            categories=[categories[label] for label in labels if label in categories],
            is_public=public,
            **fields,
        )
    _districts(commune)
    information = categories.get("Demande d'information")
    settings_ = RoutingSettings.objects.create(authority=commune, auto_threshold=None)
    if information is not None:
        settings_.qualification_categories.set([information])
    technical = services.get("Direction des services techniques")
    hauts = commune.territories.filter(name="Les Hauts").first()
    ground = categories.get("Dégradation du sol")
    if technical and hauts and ground:
        rule = RoutingRule.objects.create(
            authority=commune,
            name="Chantier des Hauts : voirie suivie par la direction technique",
            priority=10,
            service=technical,
        )
        rule.categories.set([ground])
        rule.territories.set([hauts])
    # Learning takes a while on a year of demands: the worker does it, as it does every
    # night, so that the demo is up at once and its suggestions follow within minutes.
    routing_models_train_all.enqueue()
    out(
        f"Knowledge base: {len(ARTICLES)} articles; 4 districts; routing rules and settings; "
        "the routing suggestion is being trained by the worker."
    )
    # The other areas' demo rows, each safe to run again.
    for module in (
        "guichet.letters.demo",
        "guichet.register.demo",
        "guichet.telephony.demo",
        "guichet.reports.demo",
    ):
        try:
            seed = importlib.import_module(module).demo_seed
        except (ImportError, AttributeError):
            continue
        seed(authority=commune, actor=actor)
