"""The stories of the demo's problem reports: what, where, by whom, and what became of
each, as data (guichet.reports.demo tells them through the services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SEED = 2026
URGENT_HOURS = 4
# The category labels of each kind of problem: the DansMaRue leaf first, then the one of
# the small taxonomy the demo falls back on without the DansMaRue file.
TOPICS: dict[str, tuple[str, ...]] = {
    "pothole": (
        "Affaissement, trou, bosse, pavé arraché (Chaussées)",
        "Nid-de-poule sur la chaussée",
    ),
    "pavement": ("Affaissement, trou, bosse, pavé arraché (Trottoirs)", "Trottoir dégradé"),
    "light": ("Éclairage éteint la nuit", "Lampadaire éteint la nuit"),
    "lamp_post": ("Lampadaire en mauvais état",),
    "dumping": ("Meubles et éléments de décoration", "Dépôt sauvage"),
    "bags": ("Sacs de déchets ménagers", "Dépôt sauvage"),
    "appliance": ("Équipements électriques et électroniques", "Dépôt sauvage"),
    "rubble": ("Gravats ou déchets de chantier", "Dépôt sauvage"),
    "bike": ("Épave de vélo", "Dépôt sauvage"),
    "bin": ("Corbeille de rue débordante",),
    "graffiti": ("Graffitis sur immeuble, mur ou commerce", "Tags et graffitis"),
    "posters": ("Affiches ou autocollants sur immeuble, mur ou commerce", "Tags et graffitis"),
    "sign": ("Panneau endommagé", "Panneau de signalisation endommagé"),
    "marking": ("Marquage de passage piéton", "Panneau de signalisation endommagé"),
    "parking_marks": ("Marquage de stationnement", "Panneau de signalisation endommagé"),
    "bench": ("Banc", "Trottoir dégradé"),
    "drain": ("Avaloir, bouche ou grille d'égout", "Trottoir dégradé"),
    "tree": ("Arbre dangereux ou en mauvais état",),
    "plants": ("Végétaux en mauvais état", "Arbre dangereux ou en mauvais état"),
}
# The leaf made urgent: the first whose label says it is a danger.
DANGER_WORDS = ("presentant un danger", "dangereu", "danger")
# What the agent writes when the work is done, by kind of problem.
FIX_NOTES = {
    "pothole": "Trou rebouché à l'enrobé à froid ; une réfection complète est prévue au "
    "programme de voirie.",
    "pavement": "Dalles reposées et trottoir remis à niveau.",
    "light": "Lampe et ballast remplacés, l'éclairage fonctionne de nouveau.",
    "lamp_post": "Luminaire remplacé.",
    "graffiti": "Tags effacés par l'équipe de propreté.",
    "bike": "Épave retirée et déposée à la fourrière municipale.",
    "tree": "Branche coupée et évacuée, l'arbre a été contrôlé.",
    "dumping": "Dépôt enlevé ; une enquête est en cours pour retrouver son auteur.",
}
INVESTIGATE_NOTE = "Un agent passe constater sur place."
START_NOTE = "L'équipe est sur place, les travaux ont commencé."
SCHEDULE_NOTE = "Intervention programmée avec l'équipe du secteur."


@dataclass(frozen=True)
class Spec:
    """One demo report and its story."""

    key: str
    topic: str  # a key of TOPICS, or "danger" for the urgent leaf
    # A district's name; "commune" for a point in the commune outside every district;
    # "address" for an address typed without a point; "near" next to the `original`.
    where: str
    address: str
    age: float  # days before now (hours for the urgent reports)
    # open, investigating, scheduled, in_progress, fixed, closed, declined, urgent,
    # duplicate (of `original`), order_today, order_tomorrow, order_later, order_done
    status: str
    reporter: str  # "anonymous", "citizen" or an email address alone
    text: str
    followers: tuple[str, ...] = ()  # "me too": email addresses, or "citizen"
    photo: bool = False
    note: str = ""  # the public reason of a decline
    original: str = ""


CENTRE_VILLE, HAUTS, FAUBOURG, GARE = "Centre-ville", "Les Hauts", "Le Faubourg", "La Gare"
ANONYMOUS, CITIZEN_REPORTER = "anonymous", "citizen"

SPECS = (
    Spec("01", "pothole", CENTRE_VILLE, "12 rue Victor-Hugo", 38, "fixed", ANONYMOUS,
         "Nid-de-poule profond devant le n° 12, une roue de vélo s'y est prise ce matin.",
         photo=True),
    Spec("02", "light", CENTRE_VILLE, "place de la République", 33, "closed", CITIZEN_REPORTER,
         "Lampadaire éteint depuis trois jours à l'angle de la place, le passage est très "
         "sombre le soir."),
    Spec("03", "graffiti", CENTRE_VILLE, "5 rue Pasteur", 26, "fixed", "m.leroy@example.org",
         "Tags sur la façade de la boulangerie, côté rue Pasteur."),
    Spec("04", "bin", CENTRE_VILLE, "place du Marché", 4, "investigating", ANONYMOUS,
         "Corbeille qui déborde après le marché, les déchets s'envolent dans la rue.",
         followers=("v.marchand@example.org",)),
    Spec("05", "bench", CENTRE_VILLE, "2 rue de la Mairie", 15, "order_today", ANONYMOUS,
         "Banc dont une latte est cassée près de l'arrêt de bus, on peut se blesser."),
    Spec("06", "marking", CENTRE_VILLE, "avenue Jean-Jaurès", 20, "order_tomorrow",
         "p.bernard@example.fr",
         "Passage piéton presque effacé devant l'école, les voitures ne s'arrêtent plus."),
    Spec("07", "bags", CENTRE_VILLE, "3 rue de l'Église", 1, "open", ANONYMOUS,
         "Sacs poubelle déposés au pied de l'église depuis ce week-end.",
         followers=("a.petit@example.org",)),
    Spec("08", "danger", CENTRE_VILLE, "rue des Écoles", 7, "urgent", ANONYMOUS,
         "Tranchée ouverte sans barrière devant l'école, des enfants passent juste à côté.",
         followers=("o.simon@example.fr",)),
    Spec("09", "pavement", CENTRE_VILLE, "18 rue Émile-Zola", 10, "in_progress",
         "c.garnier@example.org",
         "Trottoir soulevé par les racines devant le n° 18, une dame âgée a trébuché."),
    Spec("10", "pothole", HAUTS, "45 avenue de la Libération", 5, "order_done", CITIZEN_REPORTER,
         "Trou dans la chaussée au niveau du n° 45, il s'agrandit à chaque pluie."),
    Spec("11", "tree", HAUTS, "allée des Tilleuls", 35, "fixed", ANONYMOUS,
         "Grosse branche cassée qui pend au-dessus du trottoir depuis l'orage.", photo=True),
    Spec("12", "light", HAUTS, "rue des Lilas", 9, "scheduled", CITIZEN_REPORTER,
         "Trois lampadaires éteints d'affilée rue des Lilas, entre le n° 2 et le n° 20."),
    Spec("13", "pothole", HAUTS, "8 rue Jules-Ferry", 6, "investigating", ANONYMOUS,
         "Nid-de-poule au milieu de la chaussée devant le n° 8, les voitures font des écarts.",
         followers=("s.moreau@example.fr", CITIZEN_REPORTER)),
    Spec("14", "pothole", "near", "10 rue Jules-Ferry", 4, "duplicate", "j.fabre@example.org",
         "Trou profond rue Jules-Ferry, près du n° 10. Dangereux pour les deux-roues.",
         original="13"),
    Spec("15", "sign", HAUTS, "boulevard Gambetta", 12, "order_today", ANONYMOUS,
         "Panneau stop tordu et tourné vers le trottoir, on ne le voit plus en arrivant."),
    Spec("16", "dumping", HAUTS, "impasse des Vignes", 22, "fixed", "l.roux@example.fr",
         "Un canapé et un matelas abandonnés au fond de l'impasse."),
    Spec("17", "drain", HAUTS, "rue du Stade", 2, "open", ANONYMOUS,
         "Grille d'égout bouchée par les feuilles, grosse flaque à chaque averse."),
    Spec("18", "graffiti", HAUTS, "7 rue Voltaire", 17, "declined", ANONYMOUS,
         "Tags sur le mur du garage de la résidence, au n° 7.",
         note="Ce mur appartient à une copropriété : son nettoyage revient au syndic, que nous "
         "avons prévenu."),
    Spec("19", "pavement", FAUBOURG, "rue du Moulin", 28, "closed", CITIZEN_REPORTER,
         "Dalles de trottoir descellées devant la pharmacie."),
    Spec("20", "bike", FAUBOURG, "rue des Forges", 19, "fixed", ANONYMOUS,
         "Épave de vélo attachée au poteau depuis des semaines, sans roue avant."),
    Spec("21", "pothole", FAUBOURG, "chemin des Prés", 8, "order_today", "r.lambert@example.org",
         "Ornière profonde à l'entrée du chemin des Prés, les bus la prennent de plein fouet."),
    Spec("22", "lamp_post", FAUBOURG, "31 rue Jean-Moulin", 3, "investigating", ANONYMOUS,
         "Lampadaire qui clignote toute la nuit devant le n° 31."),
    Spec("23", "danger", FAUBOURG, "rue des Acacias", 1.5, "urgent", "e.blanc@example.fr",
         "Chantier sans barrière ni panneau, un trou de plus d'un mètre au bord du trottoir."),
    Spec("24", "bin", FAUBOURG, "rue de Verdun", 2.5, "open", ANONYMOUS,
         "Corbeille pleine et renversée près de l'arrêt de bus."),
    Spec("25", "tree", FAUBOURG, "quai de l'Indre", 24, "in_progress", ANONYMOUS,
         "Arbre penché vers la chaussée sur le quai, ses racines soulèvent l'enrobé.",
         photo=True),
    Spec("26", "rubble", FAUBOURG, "rue des Jardins", 7, "scheduled", "n.girard@example.org",
         "Gravats et sacs de chantier déposés sur le trottoir."),
    Spec("27", "parking_marks", FAUBOURG, "rue Saint-Martin", 0.3, "open", ANONYMOUS,
         "Marquage du stationnement effacé, les voitures se garent n'importe comment."),
    Spec("28", "pothole", GARE, "rue de la Gare", 40, "fixed", ANONYMOUS,
         "Nid-de-poule devant la gare routière, plein d'eau depuis une semaine."),
    Spec("29", "graffiti", GARE, "rue Gustave-Eiffel", 11, "order_later", ANONYMOUS,
         "Graffitis sur le mur du passage souterrain de la gare."),
    Spec("30", "bench", GARE, "3 rue du Port", 16, "declined", "t.mercier@example.fr",
         "Banc de l'abri bus cassé, face au n° 3.",
         note="Cet abri bus et son banc appartiennent à la communauté d'agglomération "
         "(transports) : nous lui avons transmis votre signalement."),
    Spec("31", "light", GARE, "rue Louise-Michel", 14, "fixed", CITIZEN_REPORTER,
         "Lampadaire éteint devant l'école maternelle, le matin il fait encore nuit."),
    Spec("32", "bin", GARE, "rue Simone-Veil", 5, "in_progress", ANONYMOUS,
         "Corbeilles pleines tout le long du parking de la gare."),
    Spec("33", "pavement", GARE, "rue Pierre-et-Marie-Curie", 1.2, "open", "h.dupont@example.org",
         "Bordure de trottoir cassée, des morceaux de béton traînent sur la chaussée.",
         followers=("k.nguyen@example.fr",)),
    Spec("34", "sign", GARE, "avenue des Sports", 9, "order_tomorrow", ANONYMOUS,
         "Panneau de limitation à 30 couché au sol après un accrochage."),
    Spec("35", "appliance", GARE, "15 rue des Cerisiers", 6, "investigating", ANONYMOUS,
         "Réfrigérateur abandonné sur le trottoir devant le n° 15."),
    Spec("36", "pothole", "commune", "route de Châteauroux", 21, "declined", ANONYMOUS,
         "Nids-de-poule en série sur la route de Châteauroux après le rond-point.",
         note="La route de Châteauroux est une route départementale : nous avons transmis "
         "votre signalement au Département, qui en a la charge."),
    Spec("37", "dumping", "commune", "chemin de la Croix-Blanche", 3, "open", ANONYMOUS,
         "Dépôt sauvage de pneus et de bidons en bord de chemin.", photo=True),
    Spec("38", "plants", "commune", "rue des Peupliers", 10, "scheduled", CITIZEN_REPORTER,
         "Haie et branches qui débordent sur la piste cyclable, on doit passer sur la route."),
    Spec("39", "light", "address", "rue Marcel-Pagnol", 2, "open", "m.lefort@example.org",
         "Rue entièrement dans le noir depuis hier soir, aucun lampadaire ne fonctionne."),
    Spec("40", "pothole", "address", "7 rue George-Sand", 11, "fixed", ANONYMOUS,
         "Trou dans la chaussée devant le n° 7, à côté du passage piéton."),
    Spec("41", "posters", "address", "rue Anatole-France", 0.5, "open", ANONYMOUS,
         "Affiches collées sur tous les poteaux de la rue."),
)  # fmt: skip

# The work orders' teams: the first (which sorts first, so a manager's day list opens on
# it) takes today's and tomorrow's orders.
ROAD_TEAM = "Équipe chaussées et trottoirs"
CLEANING_TEAM = "Équipe propreté"
ORDER_TIMES = {
    "order_today": (dt.time(8, 30), dt.time(10, 0), dt.time(14, 0)),
    "order_tomorrow": (dt.time(9, 0), dt.time(13, 30)),
    "order_later": (dt.time(8, 0),),
    "order_done": (dt.time(8, 0),),
}
ORDER_DONE_COMMENT = (
    "Trou purgé et rebouché à l'enrobé à chaud, signalisation retirée. Chaussée à surveiller "
    "après les prochaines pluies."
)
