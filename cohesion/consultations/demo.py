"""Made-up answers for the demo consultation (and the tests): free text with real themes, and
"about you" answers skewed against the census, so that weighting matters. Nothing here is real."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Theme -> sentences people might write. Each answer picks one theme and mixes its phrases.
THEMES: dict[str, list[str]] = {
    "Parks and green spaces": [
        "The parks need looking after, the play equipment is broken",
        "More trees and green spaces would bring people together",
        "Our local park is a mess, clean it up and people will use it",
        "Keep the parks open and safe for children to play",
        "A community garden in the park would help neighbours meet",
        "Central Forest Park is lovely but the paths need fixing",
    ],
    "Buses and getting about": [
        "The buses are too infrequent to get to events in Hanley",
        "Cheaper bus fares would help older people get out and about",
        "There is no bus on a Sunday so I cannot get to anything",
        "Transport between the six towns is poor and slow",
        "Better bus routes would let young people reach the city centre",
        "I do not drive and the buses stop too early in the evening",
    ],
    "Events that bring people together": [
        "More community festivals where different cultures can mix",
        "Street parties and fun days help people get to know each other",
        "Free events for families in every town, not just Hanley",
        "Celebrate the centenary with events in every neighbourhood",
        "Food festivals bring different communities together",
        "Football club events in the community work well, do more",
    ],
    "Feeling safe": [
        "I do not feel safe walking home at night, more street lights please",
        "Antisocial behaviour on our estate stops people going out",
        "More police on the streets would make people feel safer",
        "Drug dealing near the shops makes the area feel unsafe",
        "Young lads on bikes intimidate older residents",
        "CCTV and better lighting in the alleys would help",
    ],
    "The council does not listen": [
        "The council never listens, this consultation will change nothing",
        "We have been asked before and nothing happened",
        "Decisions are made in advance and residents are ignored",
        "I do not trust the council to act on what we say",
        "Services do not understand what our community needs",
        "Show us what you did last time before asking again",
    ],
    "Youth services and activities": [
        "Bring back the youth clubs, kids have nowhere to go",
        "Teenagers need somewhere to go in the evenings",
        "More sport and music for young people would keep them out of trouble",
        "Youth workers used to make a real difference on our estate",
        "Free activities for children in the school holidays",
        "Young people from different backgrounds should do things together",
    ],
}
ENDINGS = [
    "",
    "",
    " Thank you.",
    " That is what matters most to me.",
    " Please do something about it.",
    " It would make a big difference.",
]
STANCE_BY_THEME = {  # how people who wrote about each theme tended to answer the plan question
    "Parks and green spaces": 0.7,
    "Buses and getting about": 0.55,
    "Events that bring people together": 0.85,
    "Feeling safe": 0.45,
    "The council does not listen": 0.15,
    "Youth services and activities": 0.75,
}


@dataclass
class DemoAnswer:
    theme: str
    text: str
    agrees: bool


def free_text_answers(n: int, *, seed: int = 7) -> list[DemoAnswer]:
    rng = random.Random(seed)  # noqa: S311 - made-up demo data, not security
    names = list(THEMES)
    out = []
    for _ in range(n):
        theme = rng.choice(names)
        phrases = rng.sample(THEMES[theme], k=rng.choice([1, 1, 2]))
        text = ". ".join(phrases) + "." + rng.choice(ENDINGS)
        out.append(DemoAnswer(theme=theme, text=text, agrees=rng.random() < STANCE_BY_THEME[theme]))
    return out


# The community grants question: no agree/disagree question is linked to it, so stance comes from
# the officer's labels and from the code frame below, which marks each reason (for) or (against).
GRANTS_QUESTION = "What do you think of spending £600,000 on community grants? Please tell us why."
GRANT_REASONS: dict[str, tuple[str, str, list[str]]] = {
    "Brings people together": (
        "for",
        "grants for events and projects that bring people from different backgrounds together",
        [
            "Grants for local events bring people from different backgrounds together",
            "Community projects are the best way for neighbours to meet",
            "A small grant for our street party made a real difference last year",
            "Money for shared projects helps people get to know each other",
        ],
    ),
    "Helps small groups": (
        "for",
        "small volunteer and faith groups who know their area and need a little money",
        [
            "Small volunteer groups know their area and just need a bit of money",
            "Our faith group could run a food club with a small grant",
            "Local groups do great work on a shoestring, support them",
            "Volunteers give their time for free, a grant helps with the costs",
        ],
    ),
    "Waste of money": (
        "against",
        "the money will be wasted on projects that change nothing",
        [
            "It is a waste of money, these projects never change anything",
            "Nobody checks what the money is spent on",
            "Grants like this disappear and nothing changes on our estate",
            "I do not see the point, it is money thrown away",
        ],
    ),
    "Spend it on basics": (
        "against",
        "the money should go on potholes, bins, police and other basic services",
        [
            "Spend the money on potholes and bins instead",
            "Fix the basic services first, we need more police not grants",
            "The roads are falling apart and you want to give money away",
            "Put it into care for older people, that matters more",
        ],
    ),
    "Same groups always get it": (
        "against",
        "the same well-connected groups always win the grants",
        [
            "The same groups always get the money, the rest of us never hear about it",
            "It goes to people who know how to fill in forms, not those who need it",
            "Only the groups with friends at the council will get a grant",
        ],
    ),
}
GRANTS_FRAME = "\n".join(
    f"{name} ({side}): {description}" for name, (side, description, _p) in GRANT_REASONS.items()
)


def grant_answers(n: int, *, seed: int = 5) -> list[DemoAnswer]:
    """Answers to the grants question. Most give reasons on one side; about one in six weigh
    both ("It would help..., but ..."), and those lean against, as such answers do."""
    rng = random.Random(seed)  # noqa: S311 - made-up demo data, not security
    by_side = {
        side: [name for name, (s, _d, _p) in GRANT_REASONS.items() if s == side]
        for side in ("for", "against")
    }
    out = []
    for _ in range(n):
        agrees = rng.random() < 0.55
        own = rng.choice(by_side["for" if agrees else "against"])
        phrases = rng.sample(GRANT_REASONS[own][2], k=rng.choice([1, 1, 2]))
        if rng.random() < 0.17:
            other = rng.choice(by_side["against" if agrees else "for"])
            first = rng.choice(GRANT_REASONS[other][2])
            text = f"{first}, but {phrases[0][0].lower()}{phrases[0][1:]}."
        else:
            text = ". ".join(phrases) + "."
        out.append(DemoAnswer(theme=own, text=text + rng.choice(ENDINGS), agrees=agrees))
    return out


# Stoke-like census margins (rounded, made up in the shape of the 2021 census, aged 16 and over).
CENSUS_AGE = {
    "16 to 24": 30000,
    "25 to 34": 36000,
    "35 to 49": 46000,
    "50 to 64": 47000,
    "65 or over": 43000,
}
CENSUS_GENDER = {"Woman": 102000, "Man": 99000, "In another way": 1000}
CENSUS_ETHNICITY = {
    "White": 165000,
    "Asian or Asian British": 23000,
    "Black, Black British, Caribbean or African": 6000,
    "Mixed or multiple ethnic groups": 5000,
    "Other ethnic group": 3000,
}
# Who answers consultations: older, more women, more White British than the city.
SAMPLE_AGE = {
    "16 to 24": 0.05,
    "25 to 34": 0.10,
    "35 to 49": 0.22,
    "50 to 64": 0.31,
    "65 or over": 0.32,
}
SAMPLE_GENDER = {"Woman": 0.62, "Man": 0.37, "In another way": 0.01}
SAMPLE_ETHNICITY = {
    "White": 0.90,
    "Asian or Asian British": 0.06,
    "Black, Black British, Caribbean or African": 0.015,
    "Mixed or multiple ethnic groups": 0.015,
    "Other ethnic group": 0.01,
}


def pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]
