"""The Stoke-on-Trent Community Cohesion Strategy 2026-30 as demo content.

Real: the vision, the five named priorities and the consultation baseline of 36%.
Everything marked demo=True is made up for the demonstration.
"""

from __future__ import annotations

from typing import Any

STRATEGY = {
    "title": "Community Cohesion Strategy 2026-30",
    "council_name": "Stoke-on-Trent City Council",
    "vision": (
        "Towards a city where everyone feels they belong and where trust between residents and the "
        "institutions that serve them is strong and visible."
    ),
    "introduction": (
        "The council approved this strategy in January 2026 after a public consultation that more "
        "than 1,300 residents took part in. It is delivered by the One Stoke-on-Trent coalition of "
        "partners, with £600,000 of government funding: £240,000 for community grants, training in "
        "schools and an awareness campaign led by the city's football clubs. A Citizens' Assembly of "
        "40 to 50 residents gives people a direct say on how it is delivered."
    ),
    "starts_on": "2026-01-01",
    "ends_on": "2030-03-31",
    "approved_on": "2026-01-21",
}

# (number, slug, title, summary, demo wording?)
PRIORITIES = [
    (1, "taking-part-in-community-life", "Helping people take part in community life",
     "We will make it easier for everyone to join in with local groups, events and volunteering.", False),
    (2, "tackling-misinformation", "Tackling disinformation and misinformation",
     "We will find false stories early and answer them with clear facts people can trust.", False),
    (3, "spotting-tensions-early", "Spotting community tensions early",
     "Partners will share what they see so we can calm tensions before they grow.", False),
    (4, "local-enterprise-and-opportunity", "Supporting local enterprises and opportunity",
     "We will help local businesses and give people in every part of the city a fair chance.", False),
    (5, "city-pride", "City pride: the centenary legacy",
     "We will build on the city's centenary so that people feel proud of where they live.", False),
    (6, "trust-in-services", "Building trust between residents and services",
     "Services will listen, explain what they do and show what changed because people spoke up.", True),
    (7, "welcoming-new-residents", "Welcoming new residents",
     "People who move here will get a warm welcome and help to settle in.", True),
    (8, "young-people-and-schools", "Young people and schools",
     "Schools and youth groups will help children from different backgrounds mix and learn together.", True),
    (9, "tackling-hate", "Tackling hate and supporting victims",
     "We will make it easier to report hate crime and give victims the support they need.", True),
    (10, "shared-safe-spaces", "Safe and shared public spaces",
     "Parks, high streets and community buildings will feel safe and open to everyone.", True),
]

# Every measure: slug, title, definition, kind, unit, source, frequency, direction, level,
# baseline (value, date, note), target (value, date), priority numbers, generator settings.
# "trend" is the generated yearly change; "noise" the spread; "sample" the survey sample size.
MEASURES: list[dict[str, Any]] = [
    {"slug": "feel-they-belong", "title": "People who feel they belong to their neighbourhood",
         "definition": "The share of adults in the residents' survey who say they feel they belong to their neighbourhood very or fairly strongly.",
         "kind": "percentage", "unit": "%", "source": "Stoke-on-Trent residents' survey (demo figures)", "frequency": "annual",
         "direction": "increase", "level": "city", "baseline": (58.0, "2024-03-31", ""), "target": (66.0, "2030-03-31"),
         "priorities": [1, 5], "gen": {"trend": 1.6, "sample": 1100}},
    {"slug": "get-on-well-together", "title": "People who agree that people from different backgrounds get on well together",
         "definition": "The share of adults in the residents' survey who agree that their local area is a place where people from different backgrounds get on well together.",
         "kind": "percentage", "unit": "%", "source": "Stoke-on-Trent residents' survey (demo figures)", "frequency": "annual",
         "direction": "increase", "level": "city", "baseline": (64.0, "2024-03-31", ""), "target": (72.0, "2030-03-31"),
         "priorities": [1, 3, 7], "gen": {"trend": -0.8, "sample": 1100}},
    {"slug": "influence-local-decisions", "title": "People who feel they can influence decisions in their area",
         "definition": "The share of adults in the residents' survey who agree they can influence decisions affecting their local area.",
         "kind": "percentage", "unit": "%", "source": "Stoke-on-Trent residents' survey (demo figures)", "frequency": "annual",
         "direction": "increase", "level": "city", "baseline": (21.0, "2024-03-31", ""), "target": (30.0, "2030-03-31"),
         "priorities": [6], "gen": {"trend": 1.2, "sample": 1100}},
    {"slug": "services-understand-community", "title": "People who say local services understand their community's needs",
         "definition": "The share of people answering the cohesion consultation who say local services understand their community's needs very or fairly well.",
         "kind": "percentage", "unit": "%", "source": "Community cohesion consultation 2025 (baseline); residents' survey after that (demo figures)", "frequency": "annual",
         "direction": "increase", "level": "city", "baseline": (36.0, "2025-06-30", "64% said “not very well” or “not at all” in the consultation"), "target": (50.0, "2030-03-31"),
         "priorities": [6], "gen": {"trend": 2.5, "sample": 900}},
    {"slug": "hate-crimes-per-1000", "title": "Police-recorded hate crimes per 1,000 residents",
         "definition": "Hate crimes recorded by Staffordshire Police in the 12 months to the end of each quarter, per 1,000 residents, by ward.",
         "kind": "rate", "unit": "per 1,000 residents", "source": "Staffordshire Police recorded crime (demo figures)", "frequency": "quarterly",
         "direction": "decrease", "level": "ward", "baseline": (2.5, "2024-03-31", "12 months to March 2024"), "target": (2.0, "2030-03-31"),
         "priorities": [3, 9], "gen": {"trend": -0.04, "rate": 2.5}},
    {"slug": "community-activity-participants", "title": "Residents taking part in community activities",
         "definition": "The number of residents who took part in activities listed by coalition partners during the quarter.",
         "kind": "count", "unit": "people", "source": "Coalition partners' attendance records (demo figures)", "frequency": "quarterly",
         "direction": "increase", "level": "city", "baseline": (4200, "2024-03-31", ""), "target": (6500, "2030-03-31"),
         "priorities": [1], "gen": {"trend": 420}},
    {"slug": "community-grants-awarded", "title": "Community grants awarded",
         "definition": "The number of community grants awarded from the cohesion fund, by the ward where the project takes place.",
         "kind": "count", "unit": "grants", "source": "Cohesion fund grant records (demo figures)", "frequency": "quarterly",
         "direction": "increase", "level": "ward", "baseline": (0, "2025-12-31", "The fund opened in January 2026"), "target": (40, "2027-03-31"),
         "priorities": [1, 4], "gen": {"grants": True}},
    {"slug": "volunteering-monthly", "title": "People who volunteer at least once a month",
         "definition": "The share of adults in the residents' survey who gave unpaid help to a group or club at least once a month in the last year.",
         "kind": "percentage", "unit": "%", "source": "Stoke-on-Trent residents' survey (demo figures)", "frequency": "annual",
         "direction": "increase", "level": "city", "baseline": (16.0, "2024-03-31", ""), "target": (20.0, "2030-03-31"),
         "priorities": [1], "gen": {"trend": 0.1, "sample": 1100}},
    {"slug": "proud-of-the-city", "title": "People who are proud of Stoke-on-Trent",
         "definition": "The share of adults in the residents' survey who say they are proud to live in Stoke-on-Trent.",
         "kind": "percentage", "unit": "%", "source": "Stoke-on-Trent residents' survey (demo figures)", "frequency": "annual",
         "direction": "increase", "level": "city", "baseline": (52.0, "2024-03-31", ""), "target": (62.0, "2030-03-31"),
         "priorities": [5], "gen": {"trend": 2.4, "sample": 1100}},
    {"slug": "schools-trained", "title": "Schools that have taken part in cohesion training",
         "definition": "The number of schools and colleges whose staff have completed the cohesion training, counted from the start.",
         "kind": "count", "unit": "schools", "source": "Training records (demo figures)", "frequency": "quarterly",
         "direction": "increase", "level": "city", "baseline": (0, "2025-12-31", "Training started in 2026"), "target": (80, "2028-03-31"),
         "priorities": [8], "gen": {"cumulative": 7}},
    {"slug": "campaign-reach", "title": "People reached by the awareness campaign",
         "definition": "The number of people who saw or took part in the joint awareness campaign led by the football clubs, counted from the start.",
         "kind": "count", "unit": "people", "source": "Campaign partners (demo figures)", "frequency": "quarterly",
         "direction": "increase", "level": "city", "baseline": (0, "2025-12-31", "The campaign started in 2026"), "target": (120000, "2028-03-31"),
         "priorities": [2, 5], "gen": {"cumulative": 9000}},
    {"slug": "rumours-rebutted", "title": "Harmful rumours answered in public",
         "definition": "The number of harmful rumours the coalition has answered with a published myth-buster, counted from the start.",
         "kind": "count", "unit": "rumours", "source": "Rumour desk (demo figures)", "frequency": "quarterly",
         "direction": "increase", "level": "city", "baseline": (0, "2025-12-31", ""), "target": (40, "2030-03-31"),
         "priorities": [2], "gen": {"cumulative": 2}},
    {"slug": "days-to-rebuttal", "title": "Days from first hearing a rumour to answering it",
         "definition": "The median number of days between the first report of a harmful rumour and its published myth-buster.",
         "kind": "value", "unit": "days", "source": "Rumour desk (demo figures)", "frequency": "quarterly",
         "direction": "decrease", "level": "city", "baseline": (9.0, "2025-12-31", ""), "target": (3.0, "2028-03-31"),
         "priorities": [2], "gen": {"trend": -1.0, "value_noise": 0.8}},
    {"slug": "tension-reports-acted-on", "title": "Tension reports acted on within two days",
         "definition": "The share of tension reports from partners that an officer assessed and acted on within two working days.",
         "kind": "percentage", "unit": "%", "source": "Tension monitoring records (demo figures)", "frequency": "quarterly",
         "direction": "increase", "level": "city", "baseline": (70.0, "2025-12-31", ""), "target": (95.0, "2027-03-31"),
         "priorities": [3], "gen": {"trend": 4.0, "sample": 60}},
    {"slug": "feel-safe-after-dark", "title": "People who feel safe in their area after dark",
         "definition": "The share of adults in the residents' survey who feel very or fairly safe walking alone in their area after dark.",
         "kind": "percentage", "unit": "%", "source": "Stoke-on-Trent residents' survey (demo figures)", "frequency": "annual",
         "direction": "increase", "level": "city", "baseline": (48.0, "2024-03-31", ""), "target": (58.0, "2030-03-31"),
         "priorities": [10], "gen": {"trend": 1.7, "sample": 1100}},
    {"slug": "assembly-recommendations-carried-out", "title": "Citizens' Assembly recommendations the council has carried out",
         "definition": "Of the recommendations the Citizens' Assembly agreed, the share the council has finished carrying out.",
         "kind": "percentage", "unit": "%", "source": "Citizens' Assembly “you said, we did” records", "frequency": "quarterly",
         "direction": "increase", "level": "city", "baseline": (0.0, "2026-06-30", "The assembly first met in 2026"), "target": (75.0, "2028-03-31"),
         "priorities": [6], "gen": {"none": True}},
    {"slug": "local-enterprises-supported", "title": "Local enterprises supported",
         "definition": "The number of local social enterprises and small businesses given advice or a grant through the strategy, counted from the start.",
         "kind": "count", "unit": "enterprises", "source": "Economic development team (demo figures)", "frequency": "quarterly",
         "direction": "increase", "level": "city", "baseline": (0, "2025-12-31", ""), "target": (150, "2030-03-31"),
         "priorities": [4], "gen": {"cumulative": 11}},
]

# (name, type, description)
PARTNERS = [
    ("Stoke-on-Trent City Council", "council", "Leads the strategy and the coalition."),
    ("Staffordshire Police", "police", "Shares community tension and hate crime information."),
    ("Staffordshire Fire and Rescue Service", "fire", "Works in neighbourhoods and community buildings."),
    ("NHS Staffordshire and Stoke-on-Trent", "nhs", "Health services across the city."),
    ("Stoke City FC Community Trust", "football_club", "Leads the joint awareness campaign (demo description)."),
    ("Port Vale Foundation", "football_club", "Leads the joint awareness campaign (demo description)."),
    ("Stoke-on-Trent College", "college", "Further education college."),
    ("Staffordshire University", "college", "University in the city."),
    ("Local newspaper (demo)", "media", "Demo partner standing in for local media."),
    ("Council of faiths (demo)", "faith", "Demo partner standing in for the city's faith groups."),
    ("Voluntary sector network (demo)", "voluntary", "Demo partner standing in for the voluntary sector."),
    ("Primary schools cluster (demo)", "school", "Demo partner standing in for the city's schools."),
    ("Residents' association (demo)", "community_group", "Demo partner standing in for community groups."),
    ("Housing association (demo)", "housing", "Demo partner standing in for social landlords."),
]
