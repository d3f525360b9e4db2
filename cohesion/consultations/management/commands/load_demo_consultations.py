"""Load the demo consultations: a closed Stoke-on-Trent consultation on the cohesion strategy with
about 360 made-up answers, themes, weighting and a published "We asked, you said, we did", and an
open one residents can try. Its question on community grants has no linked agree/disagree
question but a code frame whose reasons are marked (for) and (against), so the agree/disagree
page can be tried. Everything here is made up. Run ``manage.py load_demo`` first.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cohesion.consultations import demo, services
from cohesion.consultations.models import Consultation, Question, Response
from cohesion.core.audit import snapshot
from cohesion.core.jobs import job_create
from cohesion.core.models import User, Ward
from cohesion.strategy.models import Measure

SLUG = "cohesion-strategy-have-your-say"
RESPONSES = 360
PLAN = "The draft strategy has the right priorities for Stoke-on-Trent"
SERVICES_Q = "How well do you think local services understand your community?"
SERVICES_OPTIONS = ["Very well", "Fairly well", "Not very well", "Not at all", "Don't know"]


class Command(BaseCommand):
    help = "Load the demo consultations (made-up answers)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if there are consultations already"
        )
        parser.add_argument(
            "--no-themes",
            action="store_true",
            help="Skip the theme analysis (it reads every answer with MiniLM)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Consultation.objects.exists():
            self.stdout.write("Consultations are already loaded.")
            return
        wards = list(Ward.objects.all())
        if len(wards) < 2:
            raise CommandError("Load the wards first: manage.py load_demo")
        officer = User.objects.filter(username="officer").first()
        rng = random.Random(2026)  # noqa: S311 - made-up demo data
        with transaction.atomic():
            consultation = self._closed(officer, wards, rng)
            self._open(officer)
        if not options["no_themes"]:
            text_q = consultation.questions.get(
                kind=Question.Kind.TEXT, stance_question__isnull=False
            )
            job = job_create(
                kind="consultation_themes", title="Demo themes", started_by=officer, total=100
            )
            self.stdout.write(
                "Finding themes in the free-text answers (MiniLM, about a minute the first time)…"
            )
            services.theme_analysis_run(
                job_id=str(job.pk), question_id=text_q.pk, user_id=officer.pk if officer else None
            )
            self._name_themes(text_q, officer)
            self._grants_frame(consultation, officer)
        services.pii_screen(consultation=consultation, actor=officer)
        services.pii_confirm(consultation=consultation, actor=officer)
        services.results_publish(consultation=consultation, actor=officer)
        measure = Measure.objects.filter(slug="services-understand-community").first()
        if measure is not None:
            question = consultation.questions.get(text=SERVICES_Q)
            try:
                services.measure_feed(
                    consultation=consultation,
                    question=question,
                    options=["Very well", "Fairly well"],
                    measure=measure,
                    period=f"{consultation.closes_on:%Y-%m}",
                    actor=officer,
                )
            except services.ConsultationError as exc:
                self.stdout.write(f"Not fed to the measure: {exc}")
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the demo consultations ({RESPONSES} made-up answers).")
        )

    def _grants_frame(self, consultation: Consultation, officer: User | None) -> None:
        """The grants question mapped to the officer's code frame, whose reasons are marked (for)
        and (against): agree and disagree come from the frame until someone labels answers."""
        question = consultation.questions.get(text=demo.GRANTS_QUESTION)
        before = snapshot(question)
        question.code_frame = [list(f) for f in services.code_frame_parse(text=demo.GRANTS_FRAME)]
        services.record_update(obj=question, before=before, actor=officer, via="command")
        job = job_create(
            kind="consultation_themes", title="Demo code frame", started_by=officer, total=100
        )
        services.code_frame_run(
            job_id=str(job.pk), question_id=question.pk, user_id=officer.pk if officer else None
        )

    def _name_themes(self, question: Question, officer: User | None) -> None:
        """What an officer would do next: give each theme a plain name (audited renames)."""
        from collections import Counter

        from cohesion.consultations.models import Theme

        theme_of = {item.text: item.theme for item in demo.free_text_answers(RESPONSES, seed=11)}
        used: set[str] = set()
        for theme in Theme.objects.filter(question=question):
            votes = Counter(
                next((name for text, name in theme_of.items() if a.text.startswith(text)), "")
                for a in theme.answers.all()
            )
            votes.pop("", None)
            if votes:
                name = votes.most_common(1)[0][0]
                if name not in used:
                    used.add(name)
                    services.theme_rename(theme=theme, label=name, actor=officer)

    def _closed(self, officer: User | None, wards: list[Ward], rng: random.Random) -> Consultation:
        today = timezone.localdate()
        consultation = services.record_create(
            obj=Consultation(
                title="Community Cohesion Strategy 2026-30: have your say",
                slug=SLUG,
                summary=(
                    "We are writing a plan to help everyone in Stoke-on-Trent feel they belong. "
                    "Tell us if we have the right priorities, and what would make the biggest difference where you live."
                ),
                opens_on=today - timedelta(days=90),
                closes_on=today - timedelta(days=30),
                created_by=officer,
            ),
            actor=officer,
            via="command",
        )
        plan = services.question_save(
            question=Question(consultation=consultation, kind="scale", text=PLAN, required=True),
            actor=officer,
        )
        services.question_save(
            question=Question(
                consultation=consultation, kind="single", text=SERVICES_Q, options=SERVICES_OPTIONS
            ),
            actor=officer,
        )
        services.question_save(
            question=Question(
                consultation=consultation,
                kind="multiple",
                text="Which of these would help people in your area get on well together?",
                options=[
                    "Community events",
                    "Youth clubs",
                    "Better parks",
                    "Safer streets",
                    "Cheaper buses",
                ],
            ),
            actor=officer,
        )
        text_q = services.question_save(
            question=Question(
                consultation=consultation,
                kind="text",
                text="What would make the biggest difference to people getting on where you live?",
                stance_question=plan,
            ),
            actor=officer,
        )
        grants_q = services.question_save(
            question=Question(consultation=consultation, kind="text", text=demo.GRANTS_QUESTION),
            actor=officer,
        )
        services.about_you_add(
            consultation=consultation,
            keys=["ward", "age_band", "gender", "ethnicity", "disability", "faith"],
            actor=officer,
        )
        before = services.consultation_snapshot(consultation)
        consultation.published_at = timezone.now() - timedelta(days=91)
        consultation.census_margins = {
            "age_band": demo.CENSUS_AGE,
            "gender": demo.CENSUS_GENDER,
            "ethnicity": demo.CENSUS_ETHNICITY,
        }
        consultation.weight_by = ["age_band", "gender", "ethnicity"]
        consultation.you_said = (
            "Most people agreed with the priorities. The most common themes were youth services, events that bring "
            "people together, parks and feeling safe. Many people told us they do not think the council listens."
        )
        consultation.what_changed = (
            "We cut the priorities from 13 to 10 and added one on youth activities. "
            "We will publish what we did after every consultation, and the Citizens' Assembly will check our progress."
        )
        services.record_update(obj=consultation, before=before, actor=officer, via="command")
        for question, response_text in [
            (
                plan,
                "We kept the priorities most people supported and cut three that few people chose.",
            ),
            (
                text_q,
                "Youth activities are now a priority, and the centenary events will be in all six towns.",
            ),
            (
                grants_q,
                "The grants go ahead. Groups of every size can apply, we publish who got money and "
                "what it did, and no group can get a grant two years running.",
            ),
        ]:
            question.council_response = response_text
            question.save(update_fields=["council_response"])

        questions = {q.order: q for q in consultation.questions.all()}
        about = {q.about: q for q in questions.values() if q.about}
        ward_weights = [w.population or 1 for w in wards]
        texts = demo.free_text_answers(RESPONSES, seed=11)
        grants = demo.grant_answers(RESPONSES, seed=5)
        grants_rng = random.Random(5)  # noqa: S311 - its own stream: the other answers stay as they were
        start = timezone.make_aware(datetime.combine(consultation.opens_on, datetime.min.time()))
        for i, item in enumerate(texts):
            age = demo.pick(rng, demo.SAMPLE_AGE)
            old = age in ("50 to 64", "65 or over")
            # Older people in the demo are less convinced, so the unweighted figure is lower.
            agrees = item.agrees and not (old and rng.random() < 0.25)
            plan_answer = (
                rng.choice(["Strongly agree", "Agree"])
                if agrees
                else rng.choice(["Disagree", "Strongly disagree", "Neither agree nor disagree"])
            )
            services_answer = rng.choices(
                SERVICES_OPTIONS, weights=[8, 24, 38, 26, 4] if old else [14, 32, 30, 18, 6]
            )[0]
            answers: dict[int, tuple[list[str], str]] = {
                plan.pk: ([plan_answer], ""),
                questions[2].pk: ([services_answer], ""),
                questions[3].pk: (rng.sample(questions[3].options, k=rng.choice([1, 2, 2, 3])), ""),
                text_q.pk: ([], item.text if rng.random() > 0.06 else ""),
                grants_q.pk: ([], grants[i].text if grants_rng.random() > 0.1 else ""),
                about["ward"].pk: (
                    [
                        rng.choices(wards, weights=ward_weights)[0].name
                        if rng.random() > 0.05
                        else "Prefer not to say"
                    ],
                    "",
                ),
                about["age_band"].pk: ([age], ""),
                about["gender"].pk: ([demo.pick(rng, demo.SAMPLE_GENDER)], ""),
                about["ethnicity"].pk: (
                    [
                        demo.pick(rng, demo.SAMPLE_ETHNICITY)
                        if rng.random() > 0.04
                        else "Prefer not to say"
                    ],
                    "",
                ),
                about["disability"].pk: (
                    [rng.choices(["Yes", "No", "Prefer not to say"], weights=[22, 72, 6])[0]],
                    "",
                ),
                about["faith"].pk: (
                    [rng.choices(about["faith"].options, weights=[38, 44, 8, 1, 1, 3, 5])[0]],
                    "",
                ),
            }
            if (
                i % 50 == 0
            ):  # a few people give personal details that must be taken out before publishing
                answers[text_q.pk] = (
                    [],
                    item.text + " Ring me on 07700 900" + f"{100 + i:03d} if you want to talk.",
                )
            channel = Response.Channel.PAPER if i % 9 == 0 else Response.Channel.ONLINE
            services.response_enter(
                consultation=consultation,
                answers=answers,
                channel=channel,
                source_reference=f"DEMO-{i:04d}",
                actor=officer,
                via="command",
                submitted_at=start + timedelta(minutes=int(rng.random() * 60 * 24 * 59)),
            )
        return consultation

    def _open(self, officer: User | None) -> Consultation:
        today = timezone.localdate()
        consultation = services.record_create(
            obj=Consultation(
                title="Centenary celebrations: what would you like?",
                slug="centenary-celebrations",
                summary="Stoke-on-Trent became a city 100 years ago. Tell us how you would like to celebrate in your town.",
                opens_on=today - timedelta(days=7),
                closes_on=max(today + timedelta(days=60), date(today.year, 12, 31)),
                created_by=officer,
            ),
            actor=officer,
            via="command",
        )
        services.question_save(
            question=Question(
                consultation=consultation,
                kind="multiple",
                text="Which events would you go to?",
                required=True,
                options=[
                    "Street parties",
                    "A festival in the park",
                    "Football club open days",
                    "Pottery and heritage tours",
                    "Music in the town centres",
                ],
            ),
            actor=officer,
        )
        services.question_save(
            question=Question(
                consultation=consultation, kind="text", text="Anything else you would like to see?"
            ),
            actor=officer,
        )
        services.about_you_add(consultation=consultation, keys=["ward", "age_band"], actor=officer)
        services.consultation_publish(consultation=consultation, actor=officer)
        return consultation
