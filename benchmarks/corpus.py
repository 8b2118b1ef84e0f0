"""Deterministic synthetic news corpus for benchmarks: realistic articles of any size.

Each article (~3–4 KB) has direct quotes in several patterns ("…," X said / said X /
X said: "…" / continuation / pronoun), reported speech, and figures with hedges,
scale words and periods. Repeats and conflicts are planted on purpose: about one
article in five reuses a quotation of another outlet (trimmed or re-punctuated), and
figures for a handful of shared metrics are drawn around a true value with a few
planted outliers. Same seed, same corpus.

    python benchmarks/corpus.py --articles 1000 --out corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import zlib
from collections.abc import Iterator

FIRST = [
    "Anna",
    "Maria",
    "Olga",
    "Li",
    "Wang",
    "John",
    "Sergei",
    "Elena",
    "Ahmed",
    "Carlos",
    "Yuki",
    "Priya",
    "Dmitry",
    "Laura",
    "Peter",
    "Fatima",
    "Jonas",
    "Mei",
    "Ivan",
    "Sofia",
]
LAST = [
    "Petrova",
    "Zhang",
    "Smith",
    "Ivanov",
    "Chen",
    "Garcia",
    "Tanaka",
    "Kumar",
    "Novak",
    "Schmidt",
    "Rossi",
    "Haddad",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Okafor",
    "Silva",
    "Kim",
    "Müller",
    "Dubois",
]
ROLES = [
    "the economy minister",
    "the central bank governor",
    "a trade official",
    "the company's chief executive",
    "the deputy prime minister",
    "an energy analyst",
    "the foreign ministry spokesperson",
]
OUTLETS = ["Daily Ledger", "Global Wire", "Eastern Times", "Market Post", "Capital Review", "Harbour Herald"]
COUNTRIES = ["Russia", "China", "India", "Germany", "Brazil", "Turkey", "Japan", "Kazakhstan"]
METRICS = [
    ("bilateral trade between {a} and {b}", "USD", 1e9, (50, 250)),
    ("gas exports from {a} to {b}", "m3", 1e9, (10, 60)),
    ("grain shipments from {a} to {b}", "t", 1e6, (1, 30)),
    ("oil deliveries from {a} to {b}", "bbl/d", 1e3, (200, 2000)),
]
HEDGES = ["", "nearly ", "about ", "more than ", "up to ", "around ", "almost ", "over "]
VERBS = ["said", "told reporters", "added", "noted", "stressed", "explained"]
BACKGROUND = [
    "The two governments signed a memorandum on transport corridors in the spring.",
    "Officials have repeatedly said that settlements in national currencies now dominate.",
    "Western governments have criticised the deepening partnership.",
    "The border crossing was reopened after years of delays caused by the pandemic.",
    "Economists warn that the growth rate is likely to slow as demand cools.",
    "Several large infrastructure projects remain under discussion, including a new railway bridge.",
    "The meeting took place in the regional capital, where delegations toured an industrial park.",
    "Energy cooperation remains the backbone of the relationship, analysts say.",
    "Local producers hope to expand exports of meat, dairy products and confectionery.",
    "The agreement still needs to be ratified by parliament before it enters into force.",
]


def _money(value: float, unit: str, rng: random.Random) -> str:
    if unit == "USD":
        return rng.choice([f"${value:g} billion", f"{value:g} billion dollars", f"US${value:g}bn"])
    if unit == "m3":
        return rng.choice([f"{value:g} billion cubic meters", f"{value:g} bcm"])
    if unit == "t":
        return rng.choice([f"{value:g} million tons", f"{value:g} million tonnes"])
    return f"{value:g} thousand barrels per day"


SUBJECTS = [
    "Our cooperation",
    "The new agreement",
    "This decision",
    "The pipeline project",
    "Trade in national currencies",
    "The investment programme",
    "Our energy partnership",
    "The border crossing",
    "The customs reform",
    "The joint venture",
    "Grain exports",
    "The new rail corridor",
    "Our dialogue",
    "The payment system",
]
PREDICATES = [
    "is developing in all areas",
    "opens the door to long-term investment",
    "will be completed on schedule",
    "has not been affected by sanctions",
    "is an important step for the whole region",
    "will create thousands of jobs",
    "remains our top priority",
    "must be protected from political pressure",
    "has already exceeded our expectations",
    "will take several more years",
    "is not directed against anyone",
    "depends on the stability of world markets",
    "needs more support from the banks",
]
TAILS = [
    "and we expect further growth",
    "despite the difficulties",
    "in the coming months",
    "for both our peoples",
    "according to the plans we agreed",
    "as the president said",
    "whatever our critics say",
    "step by step",
    "and this is only the beginning",
    "in the interests of our citizens",
    "",
    "",
    "",
]


CONTEXT = [
    "in {place}",
    "for the {noun} sector",
    "with our partners in {place}",
    "after the talks in {place}",
    "despite the {noun} crisis",
    "once the {noun} reform is done",
    "as the {noun} market recovers",
]
PLACES = [
    "Moscow",
    "Beijing",
    "Astana",
    "Delhi",
    "Ankara",
    "Berlin",
    "Tokyo",
    "Brasilia",
    "Vladivostok",
    "Harbin",
    "Shanghai",
    "Novosibirsk",
    "Almaty",
    "Tashkent",
    "Baku",
    "Minsk",
    "Kazan",
    "Urumqi",
]
NOUNS = [
    "energy",
    "grain",
    "steel",
    "fertiliser",
    "banking",
    "shipping",
    "rail",
    "aviation",
    "coal",
    "timber",
    "fishing",
    "chemical",
    "automotive",
    "tourism",
    "software",
    "pharmaceutical",
    "textile",
    "dairy",
]


QUALIFIERS = [
    "",
    "",
    "in the north",
    "on the eastern border",
    "that we signed last year",
    "for small businesses",
    "of the two regions",
    "in the Far East",
    "across Central Asia",
    "for farmers",
    "in the Arctic",
    "near the Amur river",
    "for exporters",
    "at the port",
    "for young people",
    "between our ministries",
    "along the Silk Road",
    "in the mining regions",
]


def sentence(rng: random.Random) -> str:
    """A fresh quotation: millions of combinations, so repeats are only the planted ones
    (real quotations rarely share more than a stock phrase)."""
    ctx = rng.choice(CONTEXT).format(place=rng.choice(PLACES), noun=rng.choice(NOUNS))
    subject = f"{rng.choice(SUBJECTS)} {rng.choice(QUALIFIERS)}".strip()
    parts = (subject, rng.choice(PREDICATES), ctx, rng.choice(TAILS))
    return " ".join(x for x in parts if x)


def article(i: int, seed: int = 0, pool: list[str] | None = None) -> dict[str, str]:
    """Article number ``i`` of the corpus with ``seed``; ``pool`` holds earlier quotations to repeat."""
    rng = random.Random(seed * 1_000_003 + i)
    year = rng.randint(2015, 2024)
    date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    a, b = rng.sample(COUNTRIES[:4], 2)
    people = [(f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(ROLES)) for _ in range(3)]
    paras: list[str] = []
    name, role = people[0]
    surname = name.split()[-1]
    paras.append(
        f"{a.upper()}, {date} — Officials from {a} and {b} met on Tuesday to discuss economic ties, "
        f"{role} {name} told reporters after the talks, which lasted {rng.randint(2, 9)} hours."
    )
    for k, (pname, prole) in enumerate(people):
        sent = sentence(rng)
        verb = rng.choice(VERBS)
        pattern = rng.randrange(4)
        if pattern == 0:
            paras.append(f"\u201c{sent},\u201d {pname} {verb}. \u201c{sentence(rng)}.\u201d")
        elif pattern == 1:
            paras.append(f"\u201c{sent},\u201d said {pname}, {prole}.")
        elif pattern == 2:
            paras.append(f'{pname.split()[-1] if k == 0 else pname} {verb}: "{sent}."')
        else:
            paras.append(f"{pname}, {prole}, said that {sent[0].lower() + sent[1:]}.")
        paras.append(f'"{sentence(rng)}," {"she" if pname.split()[0] in FIRST[:3] else "he"} added.')
    for template, unit, _scale, (lo, hi) in rng.sample(METRICS, 2):
        metric = template.format(a=a, b=b)
        # the true value is fixed per (metric, year); most outlets report it, a few do not
        truth = random.Random(zlib.crc32(f"{template}|{a}|{b}|{year}".encode())).uniform(lo, hi)
        value = round(truth * (rng.choice([1.0, 1.0, 1.0, 0.98, 1.15]) if rng.random() < 0.9 else 1.0), 1)
        hedge = rng.choice(HEDGES)
        when = rng.choice([f"in {year - 1}", "last year", f"in the first half of {year}"])
        if rng.random() < 0.5:
            paras.append(
                f"{metric[0].upper() + metric[1:]} reached {hedge}{_money(value, unit, rng)} {when}, "
                f"according to customs data."
            )
        else:
            paras.append(
                f"\u201c{metric[0].upper() + metric[1:]} amounted to {hedge}{_money(value, unit, rng)} "
                f"{when},\u201d {surname} said."
            )
    if rng.random() < 0.3:
        paras.append(
            f"The ministry plans to raise the figure to {rng.randint(100, 300)} billion dollars "
            f"by {year + 3}."
        )
    if pool is not None:
        # plant repeats: one article in five quotes an earlier statement again
        if pool and rng.random() < 0.2:
            paras.append(f"\u201c{rng.choice(pool)},\u201d {name} said, repeating an earlier statement.")
        if len(pool) < 5000 and rng.random() < 0.1:
            pool.append(sentence(rng))
    paras.append(
        "Analysts said the talks reflected a broader shift in regional trade, with new logistics routes, "
        "payment systems and infrastructure projects under discussion on the sidelines of the meeting. "
        f"The {rng.randint(4, 19)}th round of consultations is due next spring, according to the statement."
    )
    for _ in range(3):
        paras.append(" ".join(rng.sample(BACKGROUND, 3)))
    text = "\n\n".join(paras)
    return {
        "text": text,
        "date": date,
        "source": rng.choice(OUTLETS),
        "url": f"https://news.example/{seed}/{i}",
    }


def corpus(n: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """Stream ``n`` articles; never holds the corpus in memory."""
    pool: list[str] = []
    for i in range(n):
        yield article(i, seed, pool)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="-")
    args = ap.parse_args()
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")  # noqa: SIM115
    with out:
        for art in corpus(args.articles, args.seed):
            out.write(json.dumps(art, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
