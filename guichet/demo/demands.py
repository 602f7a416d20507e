"""The demo's categories of demands, each with what people ask and what the town answers.

Every demand is a (subject, request, answer) triple so that the three read as one story;
`{placeholders}` are filled in by the generator. The silence rules are plausible examples
for a demo, not legal advice: an authority sets its own with its lawyers.
"""

from __future__ import annotations

from dataclasses import dataclass

from guichet.cases.enums import SilenceRule
from guichet.core.enums import Channel
from guichet.reports import taxonomy

NA = SilenceRule.NOT_APPLICABLE.value
ACCEPT = SilenceRule.ACCEPTANCE.value
REJECT = SilenceRule.REJECTION.value
Y = 365

PORTAL, COUNTER, PHONE, POST, EMAIL, SMS, API = (
    Channel.PORTAL.value,
    Channel.COUNTER.value,
    Channel.PHONE.value,
    Channel.POST.value,
    Channel.EMAIL.value,
    Channel.SMS.value,
    Channel.API.value,
)
ALL_BUT_API = (PORTAL, COUNTER, PHONE, POST, EMAIL)
# The channels of a street problem: the problem reports' own list.
STREET_CHANNELS = tuple(c.value for c in taxonomy.STREET_CHANNELS)

Demand = tuple[str, str, str]  # subject, request, answer


@dataclass(frozen=True)
class CategorySpec:
    label: str
    service: str
    weight: float  # relative yearly volume
    delay_days: int
    silence_rule: str
    channels: tuple[str, ...]
    retention_days: int
    demands: tuple[Demand, ...]
    description: str = ""
    silence_delay_days: int = 60
    is_public_space: bool = False
    reject_rate: float = 0.02
    reject_reasons: tuple[str, ...] = ("Demande ne relevant pas de la compétence de la commune.",)
    # Share of requests made by an organisation rather than a person.
    organisation_share: float = 0.0


COMMUNE_CATEGORIES = (
    CategorySpec(
        "Demande d'acte d'état civil",
        "État civil",
        14,
        5,
        NA,
        (PORTAL, COUNTER, POST, EMAIL),
        2 * Y,
        (
            (
                "Copie intégrale d'acte de naissance",
                "Bonjour, je souhaite obtenir une copie intégrale de mon acte de naissance "
                "(né{e} à "
                "Démo en {year_birth}) pour {motive}. Merci de me l'adresser à mon domicile, "
                "{address}.",
                "La copie intégrale de votre acte de naissance vous a été adressée ce jour par "
                "courrier.",
            ),
            (
                "Extrait d'acte de naissance avec filiation",
                "Pourriez-vous m'envoyer un extrait avec filiation de mon acte de naissance ? "
                "Je suis "
                "né{e} à Démo en {year_birth}. C'est pour {motive}.",
                "L'extrait demandé vous a été envoyé par voie postale ce jour.",
            ),
            (
                "Copie d'acte de mariage",
                "Madame, Monsieur, pourriez-vous m'envoyer une copie de l'acte de mariage de mes "
                "parents, mariés à Démo le {old_date} ? Il est demandé par le notaire.",
                "La copie de l'acte de mariage a été transmise directement au notaire par la "
                "plateforme COMEDEC.",
            ),
            (
                "Extrait d'acte de décès",
                "Je sollicite un extrait d'acte de décès de mon père, décédé à Démo le "
                "{recent_date}, pour les démarches de succession. Je vous remercie par avance.",
                "Nous vous adressons nos condoléances. Deux extraits d'acte de décès vous ont été "
                "envoyés ce jour.",
            ),
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
        (PORTAL, COUNTER, POST),
        6 * Y,
        (
            (
                "Inscription sur les listes électorales",
                "Bonjour, j'ai emménagé au {address} en {month} et je souhaite m'inscrire sur les "
                "listes électorales de la commune. Vous trouverez ci-joint mon justificatif de "
                "domicile et ma pièce d'identité.",
                "Votre inscription a été enregistrée dans le répertoire électoral unique. Vous "
                "recevrez votre carte électorale avant le prochain scrutin.",
            ),
            (
                "Vérification d'inscription électorale",
                "Je viens d'avoir 18 ans et je n'ai pas reçu ma carte électorale. Suis-je bien "
                "inscrit{e} ?",
                "Vous êtes bien inscrit{e} : votre bureau de vote est l'école Jules-Ferry. "
                "La carte "
                "sera envoyée avant le prochain scrutin.",
            ),
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
        (COUNTER, PHONE, EMAIL),
        Y,
        (
            (
                "Carte électorale perdue",
                "J'ai perdu ma carte électorale, comment puis-je voter dimanche ?",
                "Vous pouvez voter sans carte électorale, sur présentation d'une pièce d'identité.",
            ),
            (
                "Question sur une procuration",
                "Je serai absent{e} le jour du scrutin, comment donner procuration à ma sœur ?",
                "La procuration se fait en ligne sur maprocuration.gouv.fr, puis se valide en "
                "gendarmerie ou au commissariat.",
            ),
        ),
    ),
    CategorySpec(
        "Concession funéraire",
        "Cimetières",
        2,
        20,
        ACCEPT,
        (COUNTER, POST, PHONE),
        10 * Y,
        (
            (
                "Renouvellement de concession funéraire",
                "Bonjour, la concession de ma famille au cimetière du Centre (allée {num}) arrive "
                "à échéance. Je souhaite la renouveler pour trente ans.",
                "Le renouvellement de la concession est accordé ; le titre vous sera adressé "
                "après paiement auprès du Trésor public.",
            ),
            (
                "Achat d'une concession",
                "Suite au décès de ma mère, je souhaite acquérir une concession de quinze ans au "
                "cimetière de l'Est.",
                "Un emplacement vous est attribué, allée {num}. L'arrêté de concession est joint.",
            ),
            (
                "Demande de case au columbarium",
                "Nous souhaitons une case au columbarium pour y déposer l'urne de mon mari.",
                "Une case du columbarium vous est attribuée ; le conservateur vous contactera pour "
                "la date du dépôt.",
            ),
        ),
    ),
    CategorySpec(
        "Certificat d'urbanisme",
        "Urbanisme",
        3,
        20,
        ACCEPT,
        (PORTAL, COUNTER, POST, EMAIL),
        10 * Y,
        (
            (
                "Certificat d'urbanisme d'information",
                "Dans le cadre de la vente de la parcelle cadastrée {parcelle}, le notaire nous "
                "demande un certificat d'urbanisme d'information.",
                "Le certificat d'urbanisme est délivré : le terrain est situé en zone UB du plan "
                "local d'urbanisme.",
            ),
            (
                "Certificat d'urbanisme opérationnel",
                "Nous envisageons de construire une maison sur le terrain situé {address}. "
                "L'opération est-elle réalisable ?",
                "Certificat d'urbanisme opérationnel positif, sous réserve du raccordement aux "
                "réseaux.",
            ),
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
        (PORTAL, COUNTER, POST),
        10 * Y,
        tuple(
            (
                f"Déclaration préalable : {what}",
                f"Je dépose une déclaration préalable pour {what} au {{address}}. Le formulaire "
                "Cerfa et les plans sont joints.",
                "Non-opposition à votre déclaration préalable : l'arrêté est joint. Pensez à "
                "afficher l'autorisation sur le terrain.",
            )
            for what in (
                "la pose d'une clôture",
                "un abri de jardin de 12 m²",
                "le remplacement des fenêtres",
                "une piscine enterrée",
                "le ravalement de la façade",
            )
        ),
        silence_delay_days=30,
        reject_rate=0.06,
        reject_reasons=(
            "Opposition : le projet ne respecte pas les règles de hauteur du plan local "
            "d'urbanisme.",
        ),
    ),
    CategorySpec(
        "Réservation de salle municipale",
        "Vie associative et sports",
        4,
        10,
        ACCEPT,
        (PORTAL, COUNTER, PHONE, EMAIL),
        2 * Y,
        (
            (
                "Réservation de la salle des fêtes",
                "Bonjour, nous souhaiterions réserver la salle des fêtes le samedi {future_date} "
                "pour {event}. Environ {guests} personnes.",
                "La salle des fêtes vous est réservée à la date demandée. La convention et "
                "l'attestation d'assurance sont à nous retourner signées.",
            ),
            (
                "Réservation de la salle Jean-Moulin",
                "L'association souhaite disposer de la salle Jean-Moulin tous les mardis soir pour "
                "ses répétitions.",
                "La salle Jean-Moulin est mise à votre disposition le mardi de 19 h à 22 h, "
                "de septembre à juin.",
            ),
            (
                "Réservation du gymnase",
                "Nous organisons un tournoi de badminton le {future_date} et aurions besoin du "
                "gymnase toute la journée.",
                "Le gymnase vous est réservé ; le gardien vous remettra les clés la veille.",
            ),
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
        (PORTAL, EMAIL, PHONE),
        Y,
        (
            (
                "Prêt de barnums et de tables",
                "Pour notre vide-grenier du {future_date}, nous aurions besoin de 4 barnums, "
                "20 tables et 40 chaises.",
                "Le matériel sera livré par les services techniques la veille de la manifestation.",
            ),
            (
                "Prêt de grilles d'exposition",
                "Pour notre exposition de photographies, pourriez-vous nous prêter 15 grilles ?",
                "Les grilles sont à retirer au centre technique municipal le vendredi matin.",
            ),
        ),
        organisation_share=0.8,
    ),
    CategorySpec(
        "Demande de subvention",
        "Vie associative et sports",
        1,
        40,
        REJECT,
        (PORTAL, POST, EMAIL),
        10 * Y,
        (
            (
                "Demande de subvention de fonctionnement",
                "L'association sollicite une subvention de fonctionnement pour la saison. Le "
                "dossier complet (budget prévisionnel, rapport d'activité) est joint.",
                "Le conseil municipal a voté une subvention de {amount} euros à votre association.",
            ),
            (
                "Demande de subvention exceptionnelle",
                "Pour fêter nos 50 ans, nous organisons un week-end festif et sollicitons une aide "
                "exceptionnelle.",
                "Une subvention exceptionnelle de {amount} euros vous est accordée.",
            ),
        ),
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
        (PORTAL, COUNTER, EMAIL, POST),
        3 * Y,
        (
            (
                "Inscription en petite section",
                "Bonjour, je souhaite inscrire mon fils {boy} en petite section pour la rentrée "
                "de septembre. Nous habitons {address}.",
                "L'inscription est validée : votre enfant est affecté à l'école maternelle des "
                "Tilleuls. Le certificat d'inscription est à remettre à la directrice.",
            ),
            (
                "Inscription suite à un déménagement",
                "Nous arrivons à Démo pendant les vacances. Ma fille {girl} entre en CE2 : dans "
                "quelle école sera-t-elle affectée ?",
                "{girl} est inscrite à l'école élémentaire Jules-Ferry à la rentrée.",
            ),
            (
                "Demande de dérogation de secteur scolaire",
                "Je demande une dérogation pour que {child} reste à l'école Jules-Ferry, où est "
                "déjà scolarisé son frère.",
                "La dérogation est accordée pour l'année scolaire.",
            ),
            (
                "Inscription à la cantine et au périscolaire",
                "Je souhaite inscrire {child} à la cantine les lundis, mardis et jeudis.",
                "L'inscription à la restauration scolaire est enregistrée à compter de lundi.",
            ),
        ),
        reject_rate=0.05,
        reject_reasons=("Dérogation refusée : l'école demandée n'a plus de place dans ce niveau.",),
    ),
    CategorySpec(
        "Demande de place en crèche",
        "Petite enfance",
        2,
        30,
        NA,
        (PORTAL, COUNTER, PHONE),
        3 * Y,
        (
            (
                "Pré-inscription en multi-accueil",
                "Nous attendons un enfant pour {month} et souhaitons une place en crèche à temps "
                "plein à partir de septembre.",
                "Une place vous est proposée au multi-accueil Les Petits Pas à partir de "
                "septembre.",
            ),
            (
                "Demande d'accueil occasionnel",
                "Je cherche un accueil deux demi-journées par semaine pour mon fils de 18 mois.",
                "Un accueil occasionnel est possible le mardi et le jeudi matin.",
            ),
        ),
        reject_rate=0.1,
        reject_reasons=("Aucune place disponible : la demande reste sur liste d'attente.",),
    ),
    CategorySpec(
        "Demande d'aide sociale",
        "CCAS (Action sociale)",
        4,
        15,
        REJECT,
        (COUNTER, PHONE, POST),
        5 * Y,
        (
            (
                "Aide pour une facture d'énergie",
                "Je suis au chômage depuis {month} et je n'arrive plus à payer ma facture "
                "d'électricité. Puis-je avoir une aide ?",
                "La commission permanente du CCAS a accordé une aide de {amount} euros, versée "
                "directement au fournisseur d'énergie.",
            ),
            (
                "Demande de portage de repas à domicile",
                "Ma mère, 87 ans, ne peut plus cuisiner. Est-il possible de mettre en place le "
                "portage de repas ?",
                "Le portage de repas démarrera lundi ; la facturation sera mensuelle.",
            ),
            (
                "Demande de colis alimentaire",
                "Nous sommes une famille de quatre personnes et traversons une période difficile.",
                "Un rendez-vous vous est proposé avec la conseillère du CCAS pour l'aide "
                "alimentaire.",
            ),
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
        (COUNTER, POST, EMAIL),
        5 * Y,
        (
            (
                "Suivi de ma demande de logement",
                "Nous sommes quatre dans un deux-pièces. Notre numéro unique de demandeur est "
                "{nud}. Où en est notre dossier ?",
                "Votre dossier a été présenté à la commission d'attribution du bailleur.",
            ),
        ),
    ),
    CategorySpec(
        "Attestation d'accueil",
        "État civil",
        1.5,
        20,
        REJECT,
        (COUNTER,),
        2 * Y,
        (
            (
                "Attestation d'accueil d'un ressortissant étranger",
                "Je souhaite recevoir ma cousine pendant trois semaines en {month}.",
                "L'attestation d'accueil est validée ; vous pouvez la retirer à l'accueil de la "
                "mairie.",
            ),
        ),
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
        (PORTAL, PHONE, COUNTER),
        Y,
        (
            (
                "Rendez-vous pour une carte d'identité",
                "Bonjour, je voudrais un rendez-vous pour refaire ma carte d'identité, elle "
                "expire le {future_date}. J'ai fait la pré-demande en ligne.",
                "Rendez-vous fixé le {future_date} à 10 h 15 au service État civil. Pensez à votre "
                "numéro de pré-demande et à une photo de moins de six mois.",
            ),
            (
                "Retrait de passeport",
                "Mon passeport est-il arrivé ? Je l'ai demandé il y a un mois.",
                "Votre passeport est disponible : vous pouvez le retirer sans rendez-vous.",
            ),
        ),
    ),
    CategorySpec(
        "Recensement citoyen",
        "Élections",
        2,
        5,
        NA,
        (PORTAL, COUNTER),
        3 * Y,
        (
            (
                "Recensement citoyen obligatoire",
                "Mon fils {boy} a eu 16 ans le mois dernier, comment faire son recensement ?",
                "L'attestation de recensement vous a été remise. Conservez-la précieusement.",
            ),
        ),
    ),
    CategorySpec(
        "Occupation du domaine public",
        "Voirie",
        3,
        15,
        REJECT,
        (PORTAL, EMAIL, POST),
        3 * Y,
        (
            (
                "Permis de stationnement pour un déménagement",
                "Nous déménageons le {future_date} et aurions besoin de réserver deux places de "
                "stationnement devant le {address}.",
                "L'arrêté autorisant le stationnement est joint ; les panneaux seront posés par la "
                "police municipale 48 heures avant.",
            ),
            (
                "Pose d'un échafaudage sur trottoir",
                "Pour le ravalement de la façade, l'entreprise doit installer un échafaudage sur "
                "le trottoir pendant trois semaines.",
                "L'arrêté d'occupation du domaine public est joint ; un passage piéton protégé "
                "doit être maintenu.",
            ),
            (
                "Autorisation de terrasse",
                "Nous souhaitons installer une terrasse de six tables devant le café.",
                "L'autorisation de terrasse est accordée pour la saison, redevance comprise.",
            ),
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
        (PHONE, PORTAL, EMAIL, COUNTER),
        2 * Y,
        (
            (
                "Nuisances sonores",
                "Depuis plusieurs semaines, des nuisances sonores tous les soirs après 22 h au "
                "{address}. Pouvez-vous intervenir ?",
                "Une patrouille est passée à plusieurs reprises ; un rappel à la réglementation a "
                "été fait.",
            ),
            (
                "Aboiements répétés",
                "Le chien de mes voisins aboie toute la journée quand ils sont absents.",
                "Les propriétaires du chien ont été rencontrés et informés de la réglementation.",
            ),
        ),
    ),
    CategorySpec(
        "Stationnement gênant",
        "Police municipale",
        5,
        3,
        NA,
        (PHONE, PORTAL, SMS, API),
        Y,
        (
            (
                "Véhicule ventouse",
                "Une voiture est stationnée depuis plus de trois semaines devant le {address} "
                "sans bouger.",
                "Le véhicule a été verbalisé puis enlevé par la fourrière.",
            ),
            (
                "Stationnement sur trottoir",
                "Des véhicules se garent tous les matins sur le trottoir rue des Écoles : les "
                "poussettes doivent passer sur la route.",
                "Des contrôles renforcés sont programmés aux heures d'entrée de l'école.",
            ),
        ),
        is_public_space=True,
    ),
    CategorySpec(
        "Objets trouvés",
        "Police municipale",
        2,
        5,
        NA,
        (COUNTER, PHONE),
        Y,
        (
            (
                "Objet perdu au marché",
                "J'ai perdu {lost} samedi matin au marché. Quelqu'un l'a-t-il rapporté ?",
                "Votre objet a été rapporté : il est à retirer au poste de police municipale.",
            ),
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
            (
                "Réclamation : pas de réponse à mon courrier",
                "J'ai écrit il y a deux mois au sujet de {topic} et je n'ai toujours pas de "
                "réponse. Je trouve cela inadmissible.",
                "Nous vous prions de nous excuser pour ce délai. Le service concerné a traité "
                "votre demande et vous a répondu.",
            ),
            (
                "Contestation d'une facture de cantine",
                "La facture de cantine de {month} compte des repas alors que mon enfant était "
                "malade (certificat joint).",
                "Les repas d'absence pour maladie ont été déduits : un avoir figurera sur la "
                "prochaine facture.",
            ),
            (
                "Réclamation sur l'accueil",
                "J'ai été très mal reçu{e} à l'accueil de la mairie mardi dernier.",
                "Nous regrettons cet accueil ; la situation a été examinée avec l'équipe.",
            ),
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
        (*ALL_BUT_API, SMS),
        Y,
        (
            (
                "Renseignement sur une démarche",
                "Bonjour, pouvez-vous me dire {question} ? Merci.",
                "Voici les informations demandées : {answer}",
            ),
            (
                "Nouvel arrivant",
                "Bonjour, je viens d'arriver à Démo : quelles démarches dois-je faire en mairie ?",
                "Bienvenue ! Pensez à vous inscrire sur les listes électorales et, si vous avez "
                "des enfants, aux affaires scolaires. Le guide du nouvel arrivant est joint.",
            ),
        ),
    ),
    CategorySpec(
        "Candidature spontanée",
        "Ressources humaines",
        3,
        30,
        REJECT,
        (PORTAL, EMAIL, POST),
        2 * Y,
        (
            (
                "Candidature spontanée",
                "Madame, Monsieur, je me permets de vous adresser ma candidature pour un poste "
                "d'{job}. Vous trouverez ci-joint mon CV et ma lettre de motivation.",
                "Votre candidature a retenu notre attention : vous êtes convoqué{e} à un "
                "entretien.",
            ),
            (
                "Candidature pour un emploi saisonnier",
                "Étudiant{e}, je suis disponible en juillet et août pour un emploi saisonnier.",
                "Vous êtes retenu{e} pour un contrat saisonnier aux espaces verts en juillet.",
            ),
        ),
        reject_rate=0.55,
        reject_reasons=("Aucun poste correspondant à votre profil n'est ouvert actuellement.",),
    ),
    CategorySpec(
        "Entretien d'un bâtiment communal",
        "Bâtiments",
        2,
        10,
        NA,
        (PHONE, EMAIL, PORTAL),
        2 * Y,
        (
            (
                "Problème dans un bâtiment communal",
                "Signalé par l'association : {building} est inutilisable depuis lundi (fuite, "
                "chauffage en panne).",
                "Le technicien est intervenu ; la réparation est terminée.",
            ),
        ),
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
        (PORTAL, PHONE, EMAIL),
        Y,
        (
            (
                "Bac d'ordures ménagères cassé",
                "Le bac du {address} a été abîmé lors de la collecte de mardi.",
                "Un nouveau bac sera livré lors de la prochaine tournée.",
            ),
            (
                "Bac jaune volé",
                "Notre bac de tri a disparu depuis la dernière collecte.",
                "Un nouveau bac de tri vous sera livré sous huit jours.",
            ),
        ),
    ),
    CategorySpec(
        "Collecte non effectuée",
        "Collecte des déchets",
        3,
        3,
        NA,
        (PHONE, PORTAL, SMS),
        Y,
        (
            (
                "Poubelles non ramassées",
                "Les poubelles de la rue n'ont pas été ramassées ce matin ({address}).",
                "Le camion repassera demain matin. Nous vous prions de nous excuser.",
            ),
        ),
        is_public_space=True,
    ),
    CategorySpec(
        "Badge d'accès à la déchetterie",
        "Collecte des déchets",
        2,
        10,
        NA,
        (PORTAL, COUNTER),
        Y,
        (
            (
                "Demande de badge déchetterie",
                "Je viens d'emménager au {address} : comment obtenir un badge pour la "
                "déchetterie ?",
                "Votre badge vous a été envoyé par courrier.",
            ),
        ),
    ),
    CategorySpec(
        "Réclamation sur la facture d'eau",
        "Eau et assainissement",
        3,
        20,
        REJECT,
        (POST, EMAIL, PHONE),
        5 * Y,
        (
            (
                "Facture d'eau anormalement élevée",
                "Ma facture d'eau est trois fois plus élevée que d'habitude : "
                "y a-t-il une erreur ?",
                "Une fuite après compteur a été constatée : un écrêtement de la facture a été "
                "appliqué.",
            ),
        ),
        reject_rate=0.15,
        reject_reasons=("Le relevé du compteur est confirmé : la consommation est réelle.",),
    ),
    CategorySpec(
        "Fuite d'eau sur la voie publique",
        "Eau et assainissement",
        2,
        2,
        NA,
        (PHONE, PORTAL, SMS),
        Y,
        (
            (
                "Fuite d'eau sur la chaussée",
                "De l'eau sort de la chaussée devant le {address} depuis ce matin.",
                "L'équipe d'astreinte a réparé la canalisation.",
            ),
        ),
        is_public_space=True,
    ),
    CategorySpec(
        "Inscription au transport scolaire",
        "Transports",
        3,
        10,
        NA,
        (PORTAL, COUNTER),
        2 * Y,
        (
            (
                "Inscription au transport scolaire",
                "Je souhaite inscrire {child} au transport scolaire pour le collège.",
                "L'inscription est validée ; la carte de transport sera envoyée fin août.",
            ),
        ),
    ),
    CategorySpec(
        "Réclamation transport",
        "Transports",
        1.5,
        15,
        REJECT,
        (PORTAL, EMAIL, PHONE),
        2 * Y,
        (
            (
                "Bus non passé",
                "Le bus de 7 h 42 n'est pas passé à l'arrêt Mairie ce matin.",
                "Le transporteur a été rappelé à l'ordre ; nous vous prions de nous excuser.",
            ),
        ),
    ),
    CategorySpec(
        "Aide à l'implantation d'entreprise",
        "Développement économique",
        1,
        30,
        REJECT,
        (EMAIL, POST, PORTAL),
        5 * Y,
        (
            (
                "Recherche de local d'activité",
                "Notre entreprise cherche un local de 300 m² dans une zone d'activité.",
                "Trois locaux correspondant à votre recherche vous sont proposés.",
            ),
        ),
        organisation_share=1.0,
        reject_rate=0.1,
    ),
)
