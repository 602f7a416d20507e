"""What the demo instance is made of: organisation, categories and the words people use.

Everything here is invented for a fictional commune, "Ville de Démo", and its
intercommunality. Email addresses of residents use the reserved `.example` top-level
domain so that a demo instance wired to a real mail server never writes to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guichet.cases.enums import SilenceRule
from guichet.core.enums import Channel

DEMO_PASSWORD = "Guichet-Demo-2026!"
USER_DOMAIN = "demo.guichet.fr"

COMMUNE = {
    "name": "Ville de Démo",
    "slug": "ville-demo",
    "kind": "commune",
    "siren": "213699996",
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
    "siren": "200099993",
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

DIGITAL = (Channel.PORTAL, Channel.EMAIL)
STAFFED = (Channel.COUNTER, Channel.PHONE)
ALL_BUT_API = (Channel.PORTAL, Channel.COUNTER, Channel.PHONE, Channel.POST, Channel.EMAIL)
STREET_CHANNELS = (
    Channel.PORTAL,
    Channel.COUNTER,
    Channel.PHONE,
    Channel.EMAIL,
    Channel.SMS,
    Channel.API,
)


@dataclass(frozen=True)
class CategorySpec:
    label: str
    service: str
    weight: float  # relative yearly volume
    delay_days: int
    silence_rule: str
    channels: tuple[str, ...]
    retention_days: int
    subjects: tuple[str, ...]
    bodies: tuple[str, ...]
    replies: tuple[str, ...]
    description: str = ""
    silence_delay_days: int = 60
    is_public_space: bool = False
    reject_rate: float = 0.02
    reject_reasons: tuple[str, ...] = ("Demande ne relevant pas de la compétence de la commune.",)
    # Share of requests made by an organisation rather than a person.
    organisation_share: float = 0.0


NA = SilenceRule.NOT_APPLICABLE.value
ACCEPT = SilenceRule.ACCEPTANCE.value
REJECT = SilenceRule.REJECTION.value
Y = 365

COMMUNE_CATEGORIES = (
    CategorySpec(
        "Demande d'acte d'état civil",
        "État civil",
        14,
        5,
        NA,
        (Channel.PORTAL, Channel.COUNTER, Channel.POST, Channel.EMAIL),
        2 * Y,
        (
            "Copie intégrale d'acte de naissance",
            "Extrait d'acte de naissance avec filiation",
            "Copie d'acte de mariage",
            "Extrait d'acte de décès",
            "Acte de naissance pour dossier de passeport",
        ),
        (
            "Bonjour, je souhaite obtenir {copies} de mon acte de naissance (né{e} à Démo en "
            "{year_birth}) pour {motive}. Merci de me l'adresser à mon domicile, {address}.",
            "Madame, Monsieur, pourriez-vous m'envoyer une copie de l'acte de mariage de mes "
            "parents, mariés à Démo le {old_date} ? Il est demandé par le notaire.",
            "Je sollicite un extrait d'acte de décès de mon père, décédé à Démo le {recent_date}, "
            "pour les démarches de succession. Je vous remercie par avance.",
        ),
        (
            "L'acte demandé vous a été adressé ce jour par courrier à l'adresse indiquée.",
            "Votre acte est disponible : il vous a été envoyé par voie postale ce jour.",
            "L'acte a été transmis directement au notaire par la plateforme COMEDEC.",
        ),
        reject_rate=0.03,
        reject_reasons=(
            "Acte non détenu par la commune : la naissance a eu lieu dans une autre commune.",
            "Copie intégrale réservée à la personne concernée et à sa famille proche.",
        ),
    ),
    CategorySpec(
        "Inscription sur les listes électorales",
        "Élections",
        5,
        5,
        NA,
        (Channel.PORTAL, Channel.COUNTER, Channel.POST),
        6 * Y,
        ("Inscription sur les listes électorales", "Changement d'adresse sur la liste électorale"),
        (
            "Bonjour, j'ai emménagé au {address} en {month} et je souhaite m'inscrire sur les "
            "listes électorales de la commune. Vous trouverez ci-joint mon justificatif de "
            "domicile et ma pièce d'identité.",
            "Je viens d'avoir 18 ans et je n'ai pas reçu ma carte électorale. Suis-je bien "
            "inscrit{e} ?",
        ),
        (
            "Votre inscription a été enregistrée dans le répertoire électoral unique. "
            "Vous recevrez votre carte électorale avant le prochain scrutin.",
            "Vous êtes bien inscrit{e} : votre bureau de vote est l'école Jules-Ferry.",
        ),
        reject_rate=0.04,
        reject_reasons=("Justificatif de domicile de plus de trois mois : dossier incomplet.",),
    ),
    CategorySpec(
        "Demande de procuration ou carte électorale",
        "Élections",
        3,
        3,
        NA,
        (Channel.COUNTER, Channel.PHONE, Channel.EMAIL),
        Y,
        ("Carte électorale perdue", "Question sur une procuration"),
        (
            "J'ai perdu ma carte électorale, comment puis-je voter dimanche ?",
            "Je serai absent{e} le jour du scrutin, comment donner procuration à ma sœur ?",
        ),
        (
            "Vous pouvez voter sans carte électorale, sur présentation d'une pièce d'identité.",
            "La procuration se fait en ligne sur maprocuration.gouv.fr puis en gendarmerie ou "
            "au commissariat.",
        ),
    ),
    CategorySpec(
        "Concession funéraire",
        "Cimetières",
        2,
        20,
        ACCEPT,
        (Channel.COUNTER, Channel.POST, Channel.PHONE),
        10 * Y,
        (
            "Renouvellement de concession funéraire",
            "Achat d'une concession au cimetière de l'Est",
            "Demande de case au columbarium",
        ),
        (
            "Bonjour, la concession de ma famille au cimetière du Centre (allée {num}) arrive à "
            "échéance. Je souhaite la renouveler pour trente ans.",
            "Suite au décès de ma mère, je souhaite acquérir une concession de quinze ans.",
        ),
        (
            "Le renouvellement de la concession est accordé ; le titre de concession vous sera "
            "adressé après paiement auprès du Trésor public.",
            "Un emplacement vous est attribué, allée {num}. L'arrêté de concession est joint.",
        ),
    ),
    CategorySpec(
        "Certificat d'urbanisme",
        "Urbanisme",
        3,
        20,
        ACCEPT,
        (Channel.PORTAL, Channel.COUNTER, Channel.POST, Channel.EMAIL),
        10 * Y,
        ("Certificat d'urbanisme d'information", "Certificat d'urbanisme opérationnel"),
        (
            "Dans le cadre de la vente de la parcelle cadastrée {parcelle}, le notaire nous "
            "demande un certificat d'urbanisme d'information.",
            "Nous envisageons de construire une maison sur le terrain situé {address}. "
            "L'opération est-elle réalisable ?",
        ),
        (
            "Le certificat d'urbanisme est délivré : le terrain est situé en zone UB du PLU.",
            "Certificat d'urbanisme opérationnel positif, sous réserve du raccordement "
            "aux réseaux.",
        ),
        silence_delay_days=30,
        reject_rate=0.05,
        reject_reasons=("Terrain en zone agricole (A) du plan local d'urbanisme.",),
        organisation_share=0.3,
    ),
    CategorySpec(
        "Déclaration préalable de travaux",
        "Urbanisme",
        3,
        20,
        ACCEPT,
        (Channel.PORTAL, Channel.COUNTER, Channel.POST),
        10 * Y,
        (
            "Déclaration préalable : pose d'une clôture",
            "Déclaration préalable : abri de jardin",
            "Déclaration préalable : remplacement des fenêtres",
            "Déclaration préalable : piscine",
        ),
        (
            "Je dépose une déclaration préalable pour {works} au {address}. Le formulaire "
            "Cerfa et les plans sont joints.",
        ),
        (
            "Non-opposition à votre déclaration préalable : l'arrêté est joint. Pensez à "
            "afficher l'autorisation sur le terrain.",
            "Votre dossier est complet ; l'arrêté de non-opposition vous est adressé.",
        ),
        silence_delay_days=30,
        reject_rate=0.06,
        reject_reasons=("Opposition : la hauteur de clôture dépasse celle autorisée par le PLU.",),
    ),
    CategorySpec(
        "Réservation de salle municipale",
        "Vie associative et sports",
        4,
        10,
        ACCEPT,
        (Channel.PORTAL, Channel.COUNTER, Channel.PHONE, Channel.EMAIL),
        2 * Y,
        (
            "Réservation de la salle des fêtes",
            "Réservation de la salle Jean-Moulin",
            "Réservation du gymnase pour un tournoi",
        ),
        (
            "Bonjour, nous souhaiterions réserver la salle des fêtes le samedi {future_date} "
            "pour {event}. Environ {guests} personnes.",
            "L'association souhaite disposer de la salle Jean-Moulin tous les mardis soir pour "
            "ses répétitions.",
        ),
        (
            "La salle est réservée à la date demandée. La convention de mise à disposition et "
            "l'attestation d'assurance sont à retourner signées.",
            "La salle n'est plus libre à cette date ; nous vous proposons la salle Jean-Moulin.",
        ),
        reject_rate=0.06,
        reject_reasons=("La salle est déjà réservée à cette date.",),
        organisation_share=0.5,
    ),
    CategorySpec(
        "Prêt de matériel",
        "Vie associative et sports",
        1.5,
        10,
        NA,
        (Channel.PORTAL, Channel.EMAIL, Channel.PHONE),
        Y,
        ("Prêt de barnums et de tables", "Prêt de grilles d'exposition"),
        (
            "Pour notre vide-grenier du {future_date}, nous aurions besoin de 4 barnums, "
            "20 tables et 40 chaises.",
        ),
        ("Le matériel sera livré par les services techniques la veille de la manifestation.",),
        organisation_share=0.8,
    ),
    CategorySpec(
        "Demande de subvention",
        "Vie associative et sports",
        1,
        40,
        REJECT,
        (Channel.PORTAL, Channel.POST, Channel.EMAIL),
        10 * Y,
        ("Demande de subvention de fonctionnement", "Demande de subvention exceptionnelle"),
        (
            "L'association sollicite une subvention de fonctionnement pour la saison. Le "
            "dossier complet (budget prévisionnel, rapport d'activité) est joint.",
        ),
        ("Le conseil municipal a voté une subvention de {amount} euros à votre association.",),
        reject_rate=0.15,
        reject_reasons=("Le dossier est arrivé après la date limite de dépôt.",),
        organisation_share=1.0,
    ),
    CategorySpec(
        "Inscription scolaire",
        "Affaires scolaires",
        6,
        10,
        NA,
        (Channel.PORTAL, Channel.COUNTER, Channel.EMAIL, Channel.POST),
        3 * Y,
        (
            "Inscription en petite section",
            "Inscription suite à un déménagement",
            "Demande de dérogation de secteur scolaire",
            "Inscription à la cantine et au périscolaire",
        ),
        (
            "Bonjour, je souhaite inscrire mon fils {child} en petite section pour la rentrée "
            "de septembre. Nous habitons {address}.",
            "Nous arrivons à Démo pendant les vacances. Ma fille {child} entre en CE2 : "
            "dans quelle école sera-t-elle affectée ?",
            "Je demande une dérogation pour que {child} reste à l'école Jules-Ferry, où est "
            "déjà scolarisé son frère.",
        ),
        (
            "L'inscription est validée : votre enfant est affecté à l'école maternelle "
            "des Tilleuls. Le certificat d'inscription est à remettre à la directrice.",
            "La dérogation est accordée pour l'année scolaire.",
        ),
        reject_rate=0.05,
        reject_reasons=("Dérogation refusée : l'école demandée n'a plus de place en CE2.",),
    ),
    CategorySpec(
        "Demande de place en crèche",
        "Petite enfance",
        2,
        30,
        NA,
        (Channel.PORTAL, Channel.COUNTER, Channel.PHONE),
        3 * Y,
        ("Pré-inscription en multi-accueil", "Demande d'accueil occasionnel"),
        (
            "Nous attendons un enfant pour {month} et souhaitons une place en crèche à temps "
            "plein à partir de septembre.",
        ),
        (
            "Votre demande sera examinée par la commission d'attribution des places de juin.",
            "Une place vous est proposée au multi-accueil Les Petits Pas à partir de septembre.",
        ),
        reject_rate=0.1,
        reject_reasons=("Aucune place disponible ; la demande reste sur liste d'attente.",),
    ),
    CategorySpec(
        "Demande d'aide sociale",
        "CCAS (Action sociale)",
        4,
        15,
        REJECT,
        (Channel.COUNTER, Channel.PHONE, Channel.POST),
        5 * Y,
        (
            "Demande d'aide facultative",
            "Aide pour une facture d'énergie",
            "Demande de colis alimentaire",
            "Demande de portage de repas à domicile",
        ),
        (
            "Je suis au chômage depuis {month} et je n'arrive plus à payer ma facture "
            "d'électricité. Puis-je avoir une aide ?",
            "Ma mère, 87 ans, ne peut plus cuisiner. Est-il possible de mettre en place le "
            "portage de repas ?",
        ),
        (
            "La commission permanente du CCAS a accordé une aide de {amount} euros, versée "
            "directement au fournisseur d'énergie.",
            "Le portage de repas démarrera lundi ; la facturation sera mensuelle.",
        ),
        reject_rate=0.12,
        reject_reasons=("Ressources supérieures au barème de l'aide facultative.",),
    ),
    CategorySpec(
        "Demande de logement social",
        "CCAS (Action sociale)",
        2,
        20,
        NA,
        (Channel.COUNTER, Channel.POST, Channel.EMAIL),
        5 * Y,
        ("Demande de logement social", "Suivi de ma demande de logement"),
        (
            "Nous sommes quatre dans un deux-pièces. Notre numéro unique de demandeur est "
            "{nud}. Où en est notre dossier ?",
        ),
        ("Votre dossier a été présenté à la commission d'attribution du bailleur.",),
    ),
    CategorySpec(
        "Attestation d'accueil",
        "État civil",
        1.5,
        20,
        REJECT,
        (Channel.COUNTER,),
        2 * Y,
        ("Attestation d'accueil d'un ressortissant étranger",),
        ("Je souhaite recevoir ma cousine pendant trois semaines en {month}.",),
        ("L'attestation d'accueil est validée ; vous pouvez la retirer à l'accueil de la mairie.",),
        silence_delay_days=30,
        reject_rate=0.08,
        reject_reasons=("Les conditions d'hébergement ne sont pas réunies.",),
    ),
    CategorySpec(
        "Rendez-vous carte d'identité ou passeport",
        "État civil",
        9,
        3,
        NA,
        (Channel.PORTAL, Channel.PHONE, Channel.COUNTER),
        Y,
        (
            "Rendez-vous pour une carte d'identité",
            "Rendez-vous pour un passeport",
            "Retrait de titre d'identité",
        ),
        (
            "Bonjour, je voudrais un rendez-vous pour refaire ma carte d'identité, elle expire "
            "le {future_date}. J'ai fait la pré-demande en ligne.",
            "Mon passeport est-il arrivé ? Je l'ai demandé il y a un mois.",
        ),
        (
            "Rendez-vous fixé le {future_date} à 10 h 15 au service État civil. Pensez à votre "
            "numéro de pré-demande et à une photo de moins de six mois.",
            "Votre titre est disponible : vous pouvez le retirer sans rendez-vous.",
        ),
    ),
    CategorySpec(
        "Recensement citoyen",
        "Élections",
        2,
        5,
        NA,
        (Channel.PORTAL, Channel.COUNTER),
        3 * Y,
        ("Recensement citoyen obligatoire",),
        ("Mon fils {child} a eu 16 ans le mois dernier, comment faire son recensement ?",),
        ("L'attestation de recensement vous a été remise. Conservez-la précieusement.",),
    ),
    CategorySpec(
        "Occupation du domaine public",
        "Voirie",
        3,
        15,
        REJECT,
        (Channel.PORTAL, Channel.EMAIL, Channel.POST),
        3 * Y,
        (
            "Demande de permis de stationnement pour un déménagement",
            "Autorisation de terrasse",
            "Pose d'un échafaudage sur trottoir",
        ),
        (
            "Nous déménageons le {future_date} et aurions besoin de réserver deux places de "
            "stationnement devant le {address}.",
            "Pour le ravalement de la façade, l'entreprise doit installer un échafaudage sur le "
            "trottoir pendant trois semaines.",
        ),
        (
            "L'arrêté autorisant l'occupation du domaine public est joint ; les panneaux seront "
            "posés par la police municipale 48 heures avant.",
        ),
        reject_rate=0.05,
        reject_reasons=("Demande déposée moins de dix jours avant la date souhaitée.",),
        organisation_share=0.5,
    ),
    CategorySpec(
        "Nuisances et tranquillité publique",
        "Police municipale",
        4,
        10,
        NA,
        (Channel.PHONE, Channel.PORTAL, Channel.EMAIL, Channel.COUNTER),
        2 * Y,
        ("Nuisances sonores", "Aboiements répétés", "Rassemblements nocturnes bruyants"),
        (
            "Depuis plusieurs semaines, des nuisances sonores tous les soirs après 22 h au "
            "{address}. Pouvez-vous intervenir ?",
            "Le chien de mes voisins aboie toute la journée quand ils sont absents.",
        ),
        (
            "Une patrouille est passée à plusieurs reprises ; un rappel à la réglementation a "
            "été fait.",
        ),
    ),
    CategorySpec(
        "Stationnement gênant",
        "Police municipale",
        5,
        3,
        NA,
        (Channel.PHONE, Channel.PORTAL, Channel.SMS, Channel.API),
        Y,
        ("Véhicule ventouse", "Stationnement sur trottoir", "Véhicule épave"),
        (
            "Une voiture est stationnée depuis plus de trois semaines devant le {address} "
            "sans bouger.",
            "Des véhicules se garent tous les matins sur le trottoir rue des Écoles : les "
            "poussettes doivent passer sur la route.",
        ),
        (
            "Le véhicule a été verbalisé puis enlevé par la fourrière.",
            "Des contrôles renforcés sont programmés aux heures d'entrée de l'école.",
        ),
        is_public_space=True,
    ),
    CategorySpec(
        "Objets trouvés",
        "Police municipale",
        2,
        5,
        NA,
        (Channel.COUNTER, Channel.PHONE),
        Y,
        ("Perte de clés", "Portefeuille perdu", "Téléphone perdu au marché"),
        ("J'ai perdu {lost} samedi matin au marché. Quelqu'un l'a-t-il rapporté ?",),
        (
            "Votre objet a été rapporté : il est à retirer au poste de police municipale.",
            "Aucun objet correspondant n'a été déposé pour le moment.",
        ),
    ),
    CategorySpec(
        "Réclamation",
        "Direction générale des services",
        3,
        20,
        REJECT,
        ALL_BUT_API,
        5 * Y,
        (
            "Réclamation sur l'accueil",
            "Contestation d'une facture de cantine",
            "Réclamation : pas de réponse à mon courrier",
        ),
        (
            "J'ai écrit il y a deux mois au sujet de {topic} et je n'ai toujours pas de "
            "réponse. Je trouve cela inadmissible.",
            "La facture de cantine de {month} compte des repas alors que mon enfant était "
            "malade (certificat joint).",
        ),
        (
            "Nous vous prions de nous excuser pour ce délai. Votre demande a été traitée et "
            "la facture rectifiée.",
        ),
        reject_rate=0.1,
        reject_reasons=("Après vérification, la facturation est conforme au règlement.",),
    ),
    CategorySpec(
        "Demande d'information",
        "Accueil",
        12,
        5,
        NA,
        ALL_BUT_API + (Channel.SMS,),
        Y,
        (
            "Horaires de la mairie",
            "Renseignement sur une démarche",
            "Question sur le marché",
            "Où se trouve la déchetterie ?",
            "Inscription à la newsletter municipale",
        ),
        (
            "Bonjour, pouvez-vous me dire {question} ? Merci.",
            "Bonjour, je viens d'arriver à Démo : quelles démarches dois-je faire en mairie ?",
        ),
        ("Voici les informations demandées : {answer}",),
    ),
    CategorySpec(
        "Candidature spontanée",
        "Ressources humaines",
        3,
        30,
        REJECT,
        (Channel.PORTAL, Channel.EMAIL, Channel.POST),
        2 * Y,
        ("Candidature spontanée", "Candidature pour un emploi saisonnier", "Demande de stage"),
        (
            "Madame, Monsieur, je me permets de vous adresser ma candidature pour un poste "
            "d'{job}. Vous trouverez ci-joint mon CV et ma lettre de motivation.",
        ),
        ("Votre candidature a retenu notre attention : vous êtes convoqué{e} à un entretien.",),
        reject_rate=0.55,
        reject_reasons=("Aucun poste correspondant à votre profil n'est ouvert actuellement.",),
    ),
    CategorySpec(
        "Entretien d'un bâtiment communal",
        "Bâtiments",
        2,
        10,
        NA,
        (Channel.PHONE, Channel.EMAIL, Channel.PORTAL),
        2 * Y,
        (
            "Fuite dans la salle des fêtes",
            "Chauffage en panne à l'école",
            "Porte du gymnase cassée",
        ),
        ("Signalé par l'association : {building} est inutilisable depuis lundi.",),
        ("Le technicien est intervenu ; la réparation est terminée.",),
        organisation_share=0.4,
    ),
)

EPCI_CATEGORIES = (
    CategorySpec(
        "Bac de collecte cassé ou volé",
        "Collecte des déchets",
        4,
        10,
        NA,
        (Channel.PORTAL, Channel.PHONE, Channel.EMAIL),
        Y,
        ("Bac d'ordures ménagères cassé", "Bac jaune volé", "Couvercle de bac cassé"),
        ("Le bac de {address} a été abîmé lors de la collecte de mardi.",),
        ("Un nouveau bac sera livré lors de la prochaine tournée.",),
    ),
    CategorySpec(
        "Collecte non effectuée",
        "Collecte des déchets",
        3,
        3,
        NA,
        (Channel.PHONE, Channel.PORTAL, Channel.SMS),
        Y,
        ("Poubelles non ramassées", "Collecte sélective oubliée"),
        ("Les poubelles de la rue n'ont pas été ramassées ce matin.",),
        ("Le camion repassera demain matin. Nous vous prions de nous excuser.",),
        is_public_space=True,
    ),
    CategorySpec(
        "Badge d'accès à la déchetterie",
        "Collecte des déchets",
        2,
        10,
        NA,
        (Channel.PORTAL, Channel.COUNTER),
        Y,
        ("Demande de badge déchetterie",),
        ("Je viens d'emménager au {address} : comment obtenir un badge pour la déchetterie ?",),
        ("Votre badge vous a été envoyé par courrier.",),
    ),
    CategorySpec(
        "Réclamation sur la facture d'eau",
        "Eau et assainissement",
        3,
        20,
        REJECT,
        (Channel.POST, Channel.EMAIL, Channel.PHONE),
        5 * Y,
        ("Facture d'eau anormalement élevée", "Contestation de relevé de compteur"),
        ("Ma facture d'eau est trois fois plus élevée que d'habitude : y a-t-il une erreur ?",),
        ("Un écrêtement de la facture a été appliqué suite à la fuite après compteur.",),
        reject_rate=0.15,
        reject_reasons=("Le relevé du compteur est confirmé : la consommation est réelle.",),
    ),
    CategorySpec(
        "Fuite d'eau sur la voie publique",
        "Eau et assainissement",
        2,
        2,
        NA,
        (Channel.PHONE, Channel.PORTAL, Channel.SMS),
        Y,
        ("Fuite d'eau sur la chaussée", "Bouche à clé qui fuit"),
        ("De l'eau sort de la chaussée devant le {address} depuis ce matin.",),
        ("L'équipe d'astreinte a réparé la canalisation.",),
        is_public_space=True,
    ),
    CategorySpec(
        "Inscription au transport scolaire",
        "Transports",
        3,
        10,
        NA,
        (Channel.PORTAL, Channel.COUNTER),
        2 * Y,
        ("Inscription au transport scolaire",),
        ("Je souhaite inscrire {child} au transport scolaire pour le collège.",),
        ("L'inscription est validée ; la carte de transport sera envoyée fin août.",),
    ),
    CategorySpec(
        "Réclamation transport",
        "Transports",
        1.5,
        15,
        REJECT,
        (Channel.PORTAL, Channel.EMAIL, Channel.PHONE),
        2 * Y,
        ("Bus en retard", "Arrêt non desservi"),
        ("Le bus de 7 h 42 n'est pas passé à l'arrêt Mairie ce matin.",),
        ("Le transporteur a été rappelé à l'ordre ; nous vous prions de nous excuser.",),
    ),
    CategorySpec(
        "Aide à l'implantation d'entreprise",
        "Développement économique",
        1,
        30,
        REJECT,
        (Channel.EMAIL, Channel.POST, Channel.PORTAL),
        5 * Y,
        ("Recherche de local d'activité", "Demande d'aide à l'immobilier d'entreprise"),
        ("Notre entreprise cherche un local de 300 m² dans une zone d'activité.",),
        ("Trois locaux correspondant à votre recherche vous sont proposés.",),
        organisation_share=1.0,
        reject_rate=0.1,
    ),
)

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
CHILD_NAMES = (
    "Léo",
    "Jade",
    "Louis",
    "Emma",
    "Gabriel",
    "Louise",
    "Raphaël",
    "Alice",
    "Arthur",
    "Lina",
    "Jules",
    "Chloé",
    "Adam",
    "Mia",
    "Hugo",
    "Rose",
    "Nathan",
)
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
TRANSFER_REASONS = (
    "Mauvais service : relève des espaces verts (arbre sur l'espace public).",
    "Compétence de la propreté urbaine, pas de la voirie.",
    "À traiter par le service qui gère les salles municipales.",
    "Relève de la police municipale (stationnement).",
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
REJECT_GENERIC = "Demande rejetée : {reason}"


@dataclass
class Texts:
    """The words of one category, resolved from the catalogue or made up for a custom one."""

    subjects: tuple[str, ...]
    bodies: tuple[str, ...]
    replies: tuple[str, ...]
    reject_rate: float = 0.02
    reject_reasons: tuple[str, ...] = ("Demande ne relevant pas de la compétence de la commune.",)
    organisation_share: float = 0.0
    weight: float = 1.0
    extra: dict = field(default_factory=dict)
