"""How fast the knowledge base answers while an agent types: builds N articles, runs
typed prefixes, whole words, a typo and whole sentences, and prints the percentiles.
Everything is rolled back at the end.

Articles draw their words from about 1,600 French words with a Zipf distribution, as real
prose does: a few words are everywhere, most are in a handful of articles."""

from __future__ import annotations

import random
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from guichet.authorities.models import Authority
from guichet.knowledge.models import Article
from guichet.knowledge.search import article_search, document_for

WORDS = (
    "salle fêtes location mariage naissance acte décès livret famille passeport carte "
    "identité inscription école cantine périscolaire crèche logement social aide CCAS "
    "voirie trottoir chaussée nid poule éclairage lampadaire déchets encombrants "
    "propreté tags graffitis arbre élagage espaces verts parc jardin cimetière "
    "concession urbanisme permis construire déclaration travaux cadastre stationnement "
    "marché forain association subvention matériel prêt sport gymnase piscine "
    "bibliothèque médiathèque musée culture recensement élections procuration liste "
    "électorale police municipale bruit nuisances animaux chien fourrière objets trouvés "
    "eau assainissement facture compteur fuite transport bus scolaire ramassage"
).split()


class Command(BaseCommand):
    help = "Measure knowledge search latency (p50/p95) on N generated articles."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=5000)
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, articles, queries, seed, **options):
        rng = random.Random(seed)
        with transaction.atomic():
            authority = Authority.objects.create(
                name="Banc d'essai", slug=f"banc-essai-{rng.randint(0, 10**9)}", kind="commune"
            )
            started = time.perf_counter()
            self._build(authority, articles, rng)
            built = time.perf_counter() - started
            self.stdout.write(
                f"{articles} articles indexed in {built:.1f} s on {connection.vendor}."
            )
            base = Article.objects.filter(authority=authority)
            kinds = {
                "typed prefix (3-6 letters)": lambda: rng.choice(WORDS)[: rng.randint(3, 6)],
                "two whole words": lambda: f"{rng.choice(WORDS)} {rng.choice(WORDS)} ",
                "one typo": lambda: _typo(rng.choice([w for w in WORDS if len(w) > 6]), rng),
                "a person's sentence": lambda: " ".join(rng.choice(WORDS) for _ in range(10)),
            }
            self.stdout.write(f"{'query':30}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
            for name, make in kinds.items():
                every = name != "a person's sentence"
                timings = []
                for _ in range(queries):
                    text = make()
                    begin = time.perf_counter()
                    article_search(base, text, authority_id=authority.pk, every=every)
                    timings.append((time.perf_counter() - begin) * 1000)
                timings.sort()
                p95 = timings[int(len(timings) * 0.95) - 1]
                self.stdout.write(
                    f"{name:30}{statistics.median(timings):>10.1f}{p95:>10.1f}{timings[-1]:>10.1f}"
                )
            transaction.set_rollback(True)

    def _build(self, authority, count, rng):
        from faker.providers.lorem.fr_FR import Provider

        from guichet.knowledge.search import FTS_TABLE

        vocabulary = list(dict.fromkeys([*WORDS, *Provider.word_list]))
        rng.shuffle(vocabulary)
        weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

        def words(n):
            return " ".join(rng.choices(vocabulary, weights=weights, k=n))

        now = timezone.now()
        rows = []
        for n in range(count):
            article = Article(
                authority=authority,
                title=f"{words(4).capitalize()} {n}",
                summary=words(25),
                body=words(120),
                keywords=words(5),
                updated_at=now,
            )
            article.search_document = document_for(article)
            rows.append(article)
        Article.objects.bulk_create(rows, batch_size=500)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, document) VALUES (%s, %s)",
                    list(
                        Article.objects.filter(authority=authority).values_list(
                            "pk", "search_document"
                        )
                    ),
                )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE knowledge_article")


def _typo(word: str, rng) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] + " "
