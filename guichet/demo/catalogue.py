"""What the demo instance is made of: organisation, categories and the words people use.

Everything here is invented for a fictional commune, "Ville de Démo", and its
intercommunality. Email addresses of residents use the reserved `.example` top-level
domain so that a demo instance wired to a real mail server never writes to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PASSWORD = "Guichet-Demo-2026!"
USER_DOMAIN = "demo.guichet.fr"

COMMUNE = {
    "name": "Ville de Démo",
    "slug": "ville-demo",
    "kind": "commune",
    "siren": "213699994",
    "address": "1 place de l'Hôtel de Ville",
    "postal_code": "36999",
    "city": "Démo",
    "email": "mairie@ville-demo.example",
    "phone": "02 54 99 00 00",
    "website": "https://www.ville-demo.example",
    "display_name": "Mairie de Démo",
    "primary_color": "#1f4e79",
    "accent_color": "#c0392b",
}
EPCI = {
    "name": "Communauté d'agglomération de Démo",
    "slug": "agglo-demo",
    "kind": "epci",
    "siren": "200099992",
    "address": "3 avenue de l'Europe",
    "postal_code": "36999",
    "city": "Démo",
    "email": "contact@agglo-demo.example",
    "phone": "02 54 99 10 00",
    "website": "https://www.agglo-demo.example",
    "display_name": "Agglo de Démo",
    "primary_color": "#2e7d32",
    "accent_color": "#f9a825",
}
# The town centre, around which problem reports are placed.
CENTRE = (46.8103, 1.6913)

MAIRIE_HOURS = (
    "Du lundi au vendredi de 8 h 30 à 12 h et de 13 h 30 à 17 h 30.\n"
    "Le samedi de 9 h à 12 h (accueil et état civil)."
)
CTM_ADDRESS = "Centre technique municipal, 12 rue des Ateliers, 36999 Démo"
CTM_HOURS = "Du lundi au vendredi de 7 h 30 à 12 h et de 13 h à 16 h 30."
MAIRIE_ADDRESS = "1 place de l'Hôtel de Ville, 36999 Démo"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    kind: str
    parent: str | None
    email: str
    phone: str
    keywords: str
    address: str = MAIRIE_ADDRESS
    hours: str = MAIRIE_HOURS
    # Job titles given to the agents generated for this service.
    titles: tuple[str, ...] = ("Agent administratif", "Agente administrative")
    extra_agents: int = 2


COMMUNE_SERVICES = (
    ServiceSpec(
        "Direction générale des services",
        "direction",
        None,
        "dgs",
        "02 54 99 00 01",
        "direction générale, DGS, secrétariat général, courrier du maire",
        titles=("Assistant de direction", "Assistante de direction"),
        extra_agents=1,
    ),
    ServiceSpec(
        "Direction des services techniques",
        "direction",
        "Direction générale des services",
        "dst",
        "02 54 99 02 00",
        "services techniques, DST, travaux, centre technique municipal",
        address=CTM_ADDRESS,
        hours=CTM_HOURS,
        titles=("Assistant technique", "Assistante technique"),
        extra_agents=1,
    ),
    ServiceSpec(
        "Voirie",
        "service",
        "Direction des services techniques",
        "voirie",
        "02 54 99 02 10",
        "voirie, chaussée, trottoir, nid-de-poule, signalisation, marquage, stationnement",
        address=CTM_ADDRESS,
        hours=CTM_HOURS,
        titles=("Technicien voirie", "Technicienne voirie", "Agent d'exploitation de la voirie"),
        extra_agents=3,
    ),
    ServiceSpec(
        "Propreté urbaine",
        "service",
        "Direction des services techniques",
        "proprete",
        "02 54 99 02 20",
        "propreté, dépôt sauvage, encombrants, tags, graffitis, déjections",
        address=CTM_ADDRESS,
        hours=CTM_HOURS,
        titles=("Agent de propreté urbaine", "Cheffe d'équipe propreté"),
        extra_agents=3,
    ),
    ServiceSpec(
        "Espaces verts",
        "service",
        "Direction des services techniques",
        "espaces-verts",
        "02 54 99 02 30",
        "espaces verts, arbres, élagage, tonte, parcs, jardins, aires de jeux",
        address=CTM_ADDRESS,
        hours=CTM_HOURS,
        titles=("Jardinier", "Jardinière", "Technicien espaces verts"),
        extra_agents=2,
    ),
    ServiceSpec(
        "Éclairage public",
        "unit",
        "Direction des services techniques",
        "eclairage",
        "02 54 99 02 40",
        "éclairage public, lampadaire, candélabre, illuminations, feux",
        address=CTM_ADDRESS,
        hours=CTM_HOURS,
        titles=("Électricien éclairage public", "Technicienne réseaux"),
        extra_agents=1,
    ),
    ServiceSpec(
        "Bâtiments",
        "service",
        "Direction des services techniques",
        "batiments",
        "02 54 99 02 50",
        "bâtiments communaux, entretien, salles, écoles, chauffage",
        address=CTM_ADDRESS,
        hours=CTM_HOURS,
        titles=("Technicien bâtiment", "Agent de maintenance des bâtiments"),
        extra_agents=2,
    ),
    ServiceSpec(
        "Direction de la population",
        "direction",
        "Direction générale des services",
        "population",
        "02 54 99 01 00",
        "population, formalités administratives, citoyenneté",
        titles=("Responsable administratif", "Responsable administrative"),
        extra_agents=0,
    ),
    ServiceSpec(
        "État civil",
        "service",
        "Direction de la population",
        "etat-civil",
        "02 54 99 01 10",
        "état civil, acte de naissance, mariage, PACS, décès, reconnaissance, livret de famille",
        titles=("Officier d'état civil", "Agente d'état civil"),
        extra_agents=2,
    ),
    ServiceSpec(
        "Élections",
        "service",
        "Direction de la population",
        "elections",
        "02 54 99 01 20",
        "élections, listes électorales, carte électorale, procuration, recensement citoyen",
        titles=("Agent du service élections", "Agente du service élections"),
        extra_agents=1,
    ),
    ServiceSpec(
        "Cimetières",
        "unit",
        "Direction de la population",
        "cimetieres",
        "02 54 99 01 30",
        "cimetière, concession funéraire, inhumation, columbarium, reprise de concession",
        titles=("Conservateur des cimetières", "Agente funéraire"),
        extra_agents=1,
    ),
    ServiceSpec(
        "Urbanisme",
        "service",
        "Direction générale des services",
        "urbanisme",
        "02 54 99 03 00",
        "urbanisme, permis de construire, déclaration préalable, certificat d'urbanisme, PLU",
        titles=("Instructeur du droit des sols", "Instructrice du droit des sols"),
        extra_agents=2,
    ),
    ServiceSpec(
        "CCAS (Action sociale)",
        "service",
        "Direction générale des services",
        "ccas",
        "02 54 99 04 00",
        "CCAS, aide sociale, logement, seniors, portage de repas, précarité",
        hours="Du lundi au vendredi de 9 h à 12 h et de 14 h à 17 h, sur rendez-vous l'après-midi.",
        titles=("Travailleur social", "Conseillère en économie sociale et familiale"),
        extra_agents=2,
    ),
    ServiceSpec(
        "Enfance-Éducation",
        "direction",
        "Direction générale des services",
        "education",
        "02 54 99 05 00",
        "enfance, éducation, écoles, périscolaire, restauration scolaire",
        titles=("Coordinateur enfance", "Coordinatrice enfance"),
        extra_agents=0,
    ),
    ServiceSpec(
        "Affaires scolaires",
        "service",
        "Enfance-Éducation",
        "scolaire",
        "02 54 99 05 10",
        "inscription scolaire, cantine, périscolaire, dérogation, transport scolaire",
        titles=("Agent des affaires scolaires", "Agente des affaires scolaires"),
        extra_agents=2,
    ),
    ServiceSpec(
        "Petite enfance",
        "service",
        "Enfance-Éducation",
        "petite-enfance",
        "02 54 99 05 20",
        "crèche, multi-accueil, relais petite enfance, assistantes maternelles",
        titles=("Éducatrice de jeunes enfants", "Coordinatrice petite enfance"),
        extra_agents=1,
    ),
    ServiceSpec(
        "Vie associative et sports",
        "service",
        "Direction générale des services",
        "associations",
        "02 54 99 06 00",
        "associations, subventions, salles municipales, prêt de matériel, équipements sportifs",
        titles=("Chargé de la vie associative", "Chargée de la vie associative"),
        extra_agents=1,
    ),
    ServiceSpec(
        "Accueil",
        "service",
        "Direction générale des services",
        "accueil",
        "02 54 99 00 00",
        "accueil, standard, renseignements, orientation, objets trouvés",
        titles=("Chargé d'accueil", "Chargée d'accueil"),
        extra_agents=3,
    ),
    ServiceSpec(
        "Police municipale",
        "service",
        "Direction générale des services",
        "police",
        "02 54 99 07 00",
        "police municipale, stationnement, nuisances, tranquillité publique, fourrière",
        hours="Accueil du public du lundi au samedi de 8 h à 19 h.",
        titles=(
            "Policier municipal",
            "Policière municipale",
            "Agent de surveillance de la voie publique",
        ),
        extra_agents=2,
    ),
    ServiceSpec(
        "Ressources humaines",
        "service",
        "Direction générale des services",
        "rh",
        "02 54 99 08 00",
        "ressources humaines, recrutement, candidature, stage, emploi saisonnier",
        titles=("Chargé de recrutement", "Gestionnaire RH"),
        extra_agents=1,
    ),
)

EPCI_ADDRESS = "3 avenue de l'Europe, 36999 Démo"
EPCI_HOURS = "Du lundi au vendredi de 8 h 30 à 12 h 30 et de 13 h 30 à 17 h."
EPCI_SERVICES = (
    ServiceSpec(
        "Collecte des déchets",
        "service",
        None,
        "dechets",
        "02 54 99 10 10",
        "déchets, collecte, bacs, déchetterie, tri, encombrants",
        EPCI_ADDRESS,
        EPCI_HOURS,
        titles=("Agent de la collecte", "Ambassadrice du tri"),
        extra_agents=2,
    ),
    ServiceSpec(
        "Eau et assainissement",
        "service",
        None,
        "eau",
        "02 54 99 10 20",
        "eau potable, assainissement, facture d'eau, compteur, fuite",
        EPCI_ADDRESS,
        EPCI_HOURS,
        titles=("Technicien réseaux d'eau", "Gestionnaire abonnés eau"),
        extra_agents=2,
    ),
    ServiceSpec(
        "Transports",
        "service",
        None,
        "transports",
        "02 54 99 10 30",
        "transports, bus, transport scolaire, abonnement, transport à la demande",
        EPCI_ADDRESS,
        EPCI_HOURS,
        titles=("Chargé des transports", "Agente transports"),
        extra_agents=1,
    ),
    ServiceSpec(
        "Développement économique",
        "service",
        None,
        "eco",
        "02 54 99 10 40",
        "développement économique, entreprises, zones d'activité, commerce",
        EPCI_ADDRESS,
        EPCI_HOURS,
        titles=("Chargé de développement économique", "Chargée de mission commerce"),
        extra_agents=1,
    ),
)


@dataclass(frozen=True)
class NamedUser:
    email: str
    first_name: str
    last_name: str
    job_title: str
    # (authority slug, service name or None, role)
    memberships: tuple[tuple[str, str | None, str], ...]
    is_staff: bool = False


NAMED_USERS = (
    NamedUser(
        "accueil@demo.guichet.fr",
        "Nadia",
        "Benali",
        "Chargée d'accueil",
        (("ville-demo", None, "front_desk"), ("ville-demo", "Accueil", "front_desk")),
    ),
    NamedUser(
        "voirie@demo.guichet.fr",
        "Julien",
        "Morel",
        "Technicien voirie",
        (("ville-demo", "Voirie", "agent"),),
    ),
    NamedUser(
        "etat-civil@demo.guichet.fr",
        "Sophie",
        "Lambert",
        "Officière d'état civil",
        (("ville-demo", "État civil", "agent"),),
    ),
    NamedUser(
        "dst@demo.guichet.fr",
        "Philippe",
        "Garnier",
        "Directeur des services techniques",
        (("ville-demo", "Direction des services techniques", "manager"),),
    ),
    NamedUser(
        "admin@demo.guichet.fr",
        "Claire",
        "Fontaine",
        "Administratrice de Guichet",
        (("ville-demo", None, "admin"), ("agglo-demo", None, "admin")),
        is_staff=True,
    ),
    NamedUser(
        "dpo@demo.guichet.fr",
        "Marc",
        "Lefèvre",
        "Délégué à la protection des données",
        (("ville-demo", None, "dpo"), ("agglo-demo", None, "dpo")),
    ),
)
CITIZEN = {"email": "usager@demo.guichet.fr", "first_name": "Camille", "last_name": "Rousseau"}

# Directions whose head is a generated manager (the DST has the named one above).
GENERATED_MANAGERS = {
    "Direction de la population": "Directrice de la population",
    "Enfance-Éducation": "Directeur de l'enfance et de l'éducation",
    "Collecte des déchets": "Responsable du service déchets",
    "Eau et assainissement": "Responsable du service de l'eau",
}


# Categories -----------------------------------------------------------------------------

# Street problems: texts by root of the DansMaRue taxonomy, and the service in charge found by
# keywords of the root label (first match wins).
STREET_SERVICE_KEYWORDS = (
    (("éclairage", "électricité"), "Éclairage public"),
    (("arbre", "végéta", "vert"), "Espaces verts"),
    (("propreté", "graffiti", "tag", "abandonné", "objets"), "Propreté urbaine"),
    (("voirie", "chantier", "sol", "mobilier", "eau", "assainissement"), "Voirie"),
)
STREET_DEFAULT_SERVICE = "Voirie"
STREET_WEIGHT = 40.0  # share of all cases made of street problem reports, spread over leaves
STREET_BODIES = (
    "{leaf_cap} au niveau du {address}. Merci d'intervenir rapidement.",
    "Bonjour, je signale : {leaf}, {address}, depuis plusieurs jours.",
    "{leaf_cap} devant chez moi ({address}). C'est dangereux pour les piétons.",
    "Signalement : {leaf}. Adresse : {address}. Photo prise ce matin.",
    "Bonjour, {leaf} au {address}, près de l'arrêt de bus. Cordialement.",
)
STREET_REPLIES = (
    "L'équipe est intervenue le {past_date} : le problème est résolu. Merci de votre signalement.",
    "Votre signalement a été transmis à l'équipe de secteur, qui est intervenue ce jour.",
    "Intervention réalisée. N'hésitez pas à nous signaler tout nouveau problème.",
    "Les travaux nécessaires sont programmés ; un bon d'intervention a été émis.",
)
# Used when the taxonomy file is not available.
FALLBACK_STREET = (
    (
        "Voirie et déplacements",
        ("Nid-de-poule sur la chaussée", "Trottoir dégradé", "Panneau de signalisation endommagé"),
    ),
    ("Propreté", ("Dépôt sauvage", "Corbeille de rue débordante", "Tags et graffitis")),
    ("Éclairage / Électricité", ("Lampadaire éteint la nuit", "Lampadaire en mauvais état")),
    ("Arbres, végétaux et animaux", ("Arbre dangereux ou en mauvais état", "Présence de rongeurs")),
)


# Words for the texts -------------------------------------------------------------------

STREETS = (
    "rue Victor-Hugo",
    "avenue Jean-Jaurès",
    "place de la République",
    "rue des Écoles",
    "rue de la Gare",
    "boulevard Gambetta",
    "rue Pasteur",
    "rue du Général-de-Gaulle",
    "allée des Tilleuls",
    "rue des Lilas",
    "impasse des Vignes",
    "rue Jules-Ferry",
    "chemin des Prés",
    "rue de la Mairie",
    "avenue de la Libération",
    "rue du Moulin",
    "rue Jean-Moulin",
    "place du Marché",
    "rue des Acacias",
    "rue de l'Église",
    "rue Émile-Zola",
    "rue Anatole-France",
    "avenue du Maréchal-Foch",
    "rue de Verdun",
    "rue des Jardins",
    "rue du Stade",
    "rue de la Fontaine",
    "rue des Peupliers",
    "route de Châteauroux",
    "rue Voltaire",
    "rue Gustave-Eiffel",
    "rue Louise-Michel",
    "rue Simone-Veil",
    "rue de la Paix",
    "rue du Château",
    "rue des Rosiers",
    "allée des Marronniers",
    "rue Marcel-Pagnol",
    "rue George-Sand",
    "quai de l'Indre",
    "rue du Port",
    "rue des Forges",
    "chemin de la Croix-Blanche",
    "rue des Cerisiers",
    "avenue des Sports",
    "rue Pierre-et-Marie-Curie",
    "rue Saint-Martin",
    "rue Nationale",
    "rue des Tanneurs",
    "place Jeanne-d'Arc",
    "rue du 8-Mai-1945",
    "rue du 11-Novembre",
    "résidence Les Hauts-de-Démo",
    "rue Jean-Monnet",
    "rue Albert-Camus",
    "rue des Bleuets",
)
ADDRESS_COMPLEMENTS = (
    "Bâtiment B",
    "Appartement 12",
    "Résidence Les Tilleuls",
    "Escalier 3",
    "2e étage",
    "Lieu-dit La Garenne",
    "Boîte 4",
)
EMAIL_DOMAINS = (
    ("orange.example", 24),
    ("gmail.example", 30),
    ("laposte.example", 8),
    ("free.example", 10),
    ("sfr.example", 7),
    ("wanadoo.example", 7),
    ("hotmail.example", 8),
    ("yahoo.example", 4),
    ("outlook.example", 2),
)
ASSOCIATION_NAMES = (
    "Comité des fêtes de Démo",
    "Association sportive de Démo",
    "Les Amis du patrimoine",
    "Club de l'amitié",
    "Union musicale de Démo",
    "Amicale des locataires des Tilleuls",
    "Parents d'élèves de l'école Jules-Ferry",
    "Judo-club démopolitain",
    "Les Jardins partagés",
    "Théâtre de la Fontaine",
    "Association des commerçants du centre-ville",
    "Restos du cœur - antenne de Démo",
    "Club de randonnée Les Godillots",
    "Football club de Démo",
    "Tennis club de Démo",
    "Chorale À travers chants",
    "Secours populaire - comité de Démo",
    "Les Petits Débrouillards de l'Indre",
    "Amicale des sapeurs-pompiers",
    "Atelier photo démopolitain",
)
CLUB_KINDS = ("de pétanque", "de scrabble", "de yoga", "de basket", "de danse", "d'échecs")
SHOP_KINDS = (
    "Boulangerie",
    "Pharmacie",
    "Boucherie",
    "Café",
    "Fleuriste",
    "Librairie",
    "Coiffure",
    "Pressing",
    "Épicerie",
    "Garage",
    "Opticien",
    "Restaurant",
)
COMPANY_SUFFIXES = ("SARL", "SAS", "SA", "EURL", "SCI")
ORG_ROLES = {
    "association": ("Président", "Présidente", "Trésorier", "Trésorière", "Secrétaire"),
    "company": ("Gérant", "Gérante", "Directeur", "Responsable administrative"),
    "shop": ("Gérant", "Gérante", "Exploitant"),
}
CHILD_NAMES = ("Camille", "Sacha", "Charlie", "Eden", "Noa", "Alix", "Lou", "Maël")
BOY_NAMES = ("Léo", "Louis", "Gabriel", "Raphaël", "Arthur", "Jules", "Adam", "Hugo", "Nathan")
GIRL_NAMES = ("Jade", "Emma", "Louise", "Alice", "Lina", "Chloé", "Mia", "Rose", "Léa")
QUESTIONS = (
    (
        "les horaires d'ouverture de la mairie le samedi",
        "la mairie est ouverte le samedi de 9 h à 12 h.",
    ),
    (
        "comment obtenir une carte d'identité",
        "faites la pré-demande en ligne puis prenez rendez-vous au service État civil.",
    ),
    ("où se trouve la déchetterie", "la déchetterie est route de Châteauroux, badge obligatoire."),
    ("quand a lieu le marché", "le marché a lieu le mercredi et le samedi matin place du Marché."),
    (
        "comment inscrire mon enfant à la cantine",
        "l'inscription se fait sur le portail famille ou au service des affaires scolaires.",
    ),
    (
        "si la piscine est ouverte pendant les vacances",
        "la piscine est ouverte tous les jours de 10 h à 19 h pendant les vacances.",
    ),
)
TOPICS = (
    "l'élagage d'un arbre",
    "la facture de cantine",
    "un stationnement gênant",
    "la réfection du trottoir",
    "le bruit de la salle des fêtes",
)
WORKS = (
    "la pose d'une clôture",
    "un abri de jardin de 12 m²",
    "le remplacement des fenêtres",
    "une piscine enterrée",
    "le ravalement de la façade",
)
EVENTS = (
    "un mariage",
    "un anniversaire",
    "un loto",
    "l'assemblée générale de l'association",
    "un repas de quartier",
)
LOST = (
    "un trousseau de clés",
    "mon portefeuille",
    "mon téléphone",
    "une paire de lunettes",
    "le doudou de ma fille",
)
JOBS = (
    "agent d'entretien",
    "animateur périscolaire",
    "jardinier",
    "agent d'accueil",
    "auxiliaire de puériculture",
    "maître-nageur",
)
BUILDINGS = (
    "la salle des fêtes",
    "le gymnase Jean-Moulin",
    "l'école des Tilleuls",
    "le club-house du stade",
    "la salle Jean-Moulin",
)
MOTIVES = (
    "un dossier de passeport",
    "un mariage",
    "une succession",
    "un dossier de retraite",
    "une demande de nationalité",
)

NOTES = (
    "Appelé l'usager pour préciser le lieu exact : il s'agit du côté pair de la rue.",
    "Vu avec le chef d'équipe : intervention programmée en début de semaine prochaine.",
    "Pièce justificative reçue par courrier, ajoutée au dossier papier.",
    "Déjà signalé par un riverain la semaine dernière, même secteur.",
    "Attente du retour du prestataire (devis demandé).",
    "Usager rappelé, message laissé sur le répondeur.",
    "Dossier vérifié, complet. À valider par la responsable.",
    "Passé sur place : constat fait, photos prises.",
    "Relance de l'usager au téléphone, lui indiquer le délai.",
    "Attention, usager déjà reçu deux fois à l'accueil pour ce sujet.",
)
FOLLOW_UPS_IN = (
    "Bonjour, où en est ma demande ? Je n'ai pas eu de nouvelles.",
    "Je vous transmets la pièce manquante.",
    "Merci pour votre retour. Une précision : c'est au niveau du numéro {num}.",
    "Le problème est toujours là ce matin.",
    "Pouvez-vous me rappeler ? Je suis joignable après 17 h.",
    "Je confirme ma disponibilité pour le rendez-vous proposé.",
)
FOLLOW_UPS_OUT = (
    "Nous avons bien reçu votre message ; votre demande est en cours de traitement.",
    "Pouvez-vous nous préciser l'adresse exacte ?",
    "Votre demande est toujours en cours, nous revenons vers vous dès que possible.",
    "Merci, la pièce a bien été ajoutée à votre dossier.",
    "L'intervention est planifiée dans les prochains jours.",
)
WAIT_REQUESTS = (
    "Pour compléter votre dossier, merci de nous transmettre un justificatif de domicile de "
    "moins de trois mois.",
    "Pourriez-vous nous envoyer une photo du lieu et l'adresse exacte ?",
    "Il manque la copie de votre pièce d'identité pour instruire votre demande.",
)
WAIT_THIRD_PARTY = (
    "Devis demandé au prestataire.",
    "Avis des Bâtiments de France sollicité.",
    "Attente du retour du bailleur.",
    "Attente de l'intervention d'Enedis.",
)
STANDALONE_TOPICS = (
    ("Horaires de la mairie", "Horaires d'ouverture donnés.", "answered"),
    (
        "Renseignement carte d'identité",
        "Expliqué la pré-demande en ligne et la prise de rendez-vous.",
        "answered",
    ),
    (
        "Question sur la taxe foncière",
        "Orienté vers le centre des finances publiques.",
        "redirected",
    ),
    ("Demande de numéro de la CAF", "Numéro et adresse de la CAF donnés.", "redirected"),
    ("Inscription à la cantine", "Formulaire remis, à déposer aux affaires scolaires.", "answered"),
    ("Objet trouvé déposé", "Objet enregistré et remis à la police municipale.", "answered"),
    ("Renseignement sur le marché", "Jours et horaires du marché donnés.", "answered"),
    ("Question sur une facture d'eau", "Orienté vers la communauté d'agglomération.", "redirected"),
    ("Plan de la ville", "Plan remis à l'usager.", "answered"),
    ("Démarche de permis de conduire", "Orienté vers le site de l'ANTS.", "redirected"),
    ("Légalisation de signature", "Signature légalisée sur place.", "answered"),
    ("Certificat de vie", "Expliqué la démarche auprès de la caisse de retraite.", "answered"),
    (
        "Permanence du conciliateur de justice",
        "Date de la prochaine permanence donnée.",
        "answered",
    ),
    ("Aide pour une démarche en ligne", "Accompagné sur le poste en libre-service.", "answered"),
)


@dataclass
class Texts:
    """The words of one category, from `demands.py`, the street-problem sentences, or made up
    for a category created by the authority itself."""

    demands: tuple[tuple[str, str, str], ...]  # subject, request, answer
    reject_rate: float = 0.02
    reject_reasons: tuple[str, ...] = ("Demande ne relevant pas de la compétence de la commune.",)
    organisation_share: float = 0.0
    weight: float = 1.0
    extra: dict = field(default_factory=dict)
