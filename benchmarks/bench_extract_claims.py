"""Speed and value+unit agreement of tracker.claims.find_claims beside quantulum3.

A plain script, not a test:  .venv/bin/python benchmarks/bench_extract_claims.py [--n 2000]

It builds a deterministic corpus of synthetic economic news sentences (seeded; nothing is
downloaded), times ``find_claims`` and quantulum3's ``parser.parse`` on the same sentences in
one run, times ``find_claims`` on ~4 KB articles glued from those sentences, and scores both
extractors on a small hand-labelled set written for this script (value in base units + our
canonical unit; quantulum3's units are mapped to ours by name).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import time
import warnings

from tracker.claims import find_claims

SUBJECTS = [
    "Bilateral trade between Russia and China",
    "Gazprom's gas exports to Europe",
    "The company's net profit",
    "Retail sales",
    "Grain shipments from Black Sea ports",
    "Oil output in Saudi Arabia",
    "Foreign direct investment",
    "The budget deficit",
    "Coal imports by India",
    "Car sales in Germany",
    "Steel production",
    "Revenue",
    "Industrial output",
    "LNG exports",
    "The trade surplus",
    "Spending on infrastructure",
    "Wheat exports",
    "Consumer prices",
    "Unemployment",
    "The central bank's reserves",
]
VERBS = [
    "rose to",
    "fell to",
    "reached",
    "totalled",
    "stood at",
    "climbed to",
    "dropped to",
    "hit",
    "amounted to",
]
CHANGE = ["rose", "fell", "grew", "declined", "jumped", "slipped"]
HEDGES = [
    "",
    "",
    "",
    "nearly ",
    "about ",
    "more than ",
    "almost ",
    "around ",
    "up to ",
    "some ",
    "at least ",
    "roughly ",
    "less than ",
    "just over ",
]
PERIODS = [
    "in 2022",
    "last year",
    "in the first 11 months of 2023",
    "in January-April",
    "in Q1 2023",
    "in the third quarter",
    "this year",
    "by 2025",
    "in March",
    "a year earlier",
    "",
]
SOURCES = [
    "the ministry said",
    "customs data showed",
    "Interfax reported",
    "according to Reuters calculations",
    "the company said in a statement",
    "officials said on Tuesday",
]


def _money(rng: random.Random) -> str:
    v = rng.choice([round(rng.uniform(1, 999), rng.choice([0, 1, 1, 2])), rng.randint(1, 99)])
    scale = rng.choice(["million", "billion", "bn", "mln", "trillion", "m"])
    form = rng.randrange(6)
    if form == 0:
        return f"${v} {scale}" if scale not in ("bn", "m") else f"${v}{scale}"
    if form == 1:
        return (
            f"{v} {rng.choice(['million', 'billion'])} {rng.choice(['dollars', 'euros', 'rubles', 'yuan'])}"
        )
    if form == 2:
        return f"USD {v} {rng.choice(['million', 'billion'])}"
    if form == 3:
        return f"€{v}{rng.choice(['bn', 'm'])}"
    if form == 4:
        return f"{rng.choice(['RUB', 'CNY', 'EUR'])} {v} {rng.choice(['bln', 'mln', 'billion'])}"
    return f"£{v} {rng.choice(['million', 'billion'])}"


def _physical(rng: random.Random) -> str:
    v = rng.choice(
        [round(rng.uniform(1, 999), 1), rng.randint(2, 950), f"{rng.randint(1, 99)},{rng.randint(100, 999)}"]
    )
    unit = rng.choice(
        [
            "million tonnes",
            "thousand tons",
            "billion cubic meters",
            "bcm",
            "million barrels per day",
            "bpd",
            "barrels",
            "metric tons",
            "MW",
            "TWh",
            "hectares",
            "kilometres",
            "million cubic metres",
        ]
    )
    return f"{v} {unit}"


def _percent(rng: random.Random) -> str:
    v = round(rng.uniform(0.1, 45), rng.choice([0, 1]))
    return f"{v}{rng.choice(['%', ' percent', ' per cent', ' percentage points', ' basis points'])}"


def sentence(rng: random.Random) -> str:
    subj = rng.choice(SUBJECTS)
    kind = rng.randrange(5)
    period = rng.choice(PERIODS)
    src = rng.choice(SOURCES)
    if kind == 0:
        s = f"{subj} {rng.choice(VERBS)} {rng.choice(HEDGES)}{_money(rng)} {period}, {src}."
    elif kind == 1:
        s = f"{subj} {rng.choice(CHANGE)} {_percent(rng)} to {rng.choice(HEDGES)}{_physical(rng)} {period}."
    elif kind == 2:
        s = (
            f"The plant, which employs {rng.randint(2, 30)},{rng.randint(100, 999)} workers, plans to reach "
            f"{_physical(rng)} by {rng.randint(2024, 2030)}, {src}."
        )
    elif kind == 3:
        s = (
            f"On {rng.randint(1, 28)} {rng.choice(['March', 'June', 'September'])} "
            f"{rng.randint(2015, 2023)}, "
            f"the {rng.randint(2, 90)}th session of the forum marked the "
            f"{rng.choice(['20th', '73rd', '5th'])} anniversary of the Power of Siberia 2 talks."
        )
    else:
        s = (
            f"{subj} {rng.choice(CHANGE)} {_percent(rng)} {period}, while analysts expect "
            f"{rng.randint(2, 30)}-{rng.randint(31, 60)} billion dollars of new projects, {src}."
        )
    return " ".join(s.split()).replace(" ,", ",").replace(" .", ".")


# Hand-labelled: (sentence, [(value in base units, canonical unit), ...]).  Written by reading.
GOLD: list[tuple[str, list[tuple[float, str]]]] = [
    ("Bilateral trade reached nearly $108 billion last year.", [(108e9, "USD")]),
    ("The company will deliver up to 50 billion cubic meters of gas to China.", [(50e9, "m3")]),
    ("We sent about 90 thousand tons of agricultural products to China.", [(90e3, "t")]),
    (
        "By 2024 it plans to reach 283.5 thousand tons. This is $576 million.",
        [(283.5e3, "t"), (576e6, "USD")],
    ),
    ("The meeting ended after 4.5 hours.", [(4.5, "h")]),
    ("Exports rose 5.2% to 10.5 million barrels per day in March.", [(5.2, "%"), (10.5e6, "bbl/d")]),
    ("The treaty, signed in 2005, marks its 20th anniversary on June 28.", []),
    ("Gazprom's net profit fell to 1.2 trillion rubles.", [(1.2e12, "RUB")]),
    ("The lender set aside €2.3bn for bad loans.", [(2.3e9, "EUR")]),
    ("Britain will spend £1.5 billion on hospitals.", [(1.5e9, "GBP")]),
    ("Retail sales hit 3.5 trillion yuan.", [(3.5e12, "CNY")]),
    ("Brent traded at $84 a barrel.", [(84, "USD/bbl")]),
    ("Storage sites hold 85 bcm of gas.", [(85e9, "m3")]),
    ("The mill produced 1.2 million tonnes of steel.", [(1.2e6, "t")]),
    ("The plant will generate 1,200 MW.", [(1.2e9, "W")]),
    ("Unemployment fell to 4.1 per cent.", [(4.1, "%")]),
    ("The central bank raised rates by 75 basis points.", [(0.75, "pp")]),
    ("The factory will cut 1,500 jobs.", [(1500, "count")]),
    ("More than 10,000 employees went on strike for three days.", [(10000, "count"), (3, "d")]),
    ("The project needs 20-30 billion dollars.", [(25e9, "USD")]),
    ("Investors poured USD 5 million into the startup.", [(5e6, "USD")]),
    ("The tanker carried 700,000 barrels of crude.", [(7e5, "bbl")]),
    ("The Boeing 737 and the Su-35 were on show at the G20 summit.", []),
    ("Inflation slowed to 3.2% in the first 11 months of 2023.", [(3.2, "%")]),
    ("The farm covers 12,000 hectares.", [(12000, "ha")]),
    ("The deal is worth $108bn.", [(108e9, "USD")]),
    ("Grain exports totalled 48 million metric tons.", [(48e6, "t")]),
    ("The loan matures in 18 months.", [(18, "month")]),
    ("The pipeline runs 2,000 kilometres.", [(2e6, "m")]),
    ("Power consumption rose to 5.3 TWh.", [(5.3e12, "Wh")]),
    ("The summit opened on September 16, 2022, in Samarkand.", []),
    ("Spending on defence reached 5 trillion roubles.", [(5e12, "RUB")]),
    ("Toyota expects operating profit of 4.5 trillion yen.", [(4.5e12, "JPY")]),
    ("Some 500 workers were hired.", [(500, "count")]),
    ("Oil output in Saudi Arabia fell to 9 million barrels per day.", [(9e6, "bbl/d")]),
    ("The talks lasted two hours.", [(2, "h")]),
    ("The economy grew 2.5 percent last year.", [(2.5, "%")]),
    ("Kazakhstan pumped 1.6 million bpd.", [(1.6e6, "bbl/d")]),
    ("The fine of 20 million pounds was a record.", [(20e6, "GBP")]),
    ("Call +7 495 123-45-67 at 10:30 a.m. for page 12 of the report.", []),
]

# quantulum3 unit names → our canonical units, with the factor to base units.
Q_UNITS: dict[str, tuple[str, float]] = {
    "dollar": ("USD", 1),
    "united states dollar": ("USD", 1),
    "euro": ("EUR", 1),
    "pound sterling": ("GBP", 1),
    "russian ruble": ("RUB", 1),
    "ruble": ("RUB", 1),
    "renminbi": ("CNY", 1),
    "yuan": ("CNY", 1),
    "japanese yen": ("JPY", 1),
    "yen": ("JPY", 1),
    "cubic metre": ("m3", 1),
    "cubic meter": ("m3", 1),
    "tonne": ("t", 1),
    "ton": ("t", 1),
    "short ton": ("t", 1),
    "metric ton": ("t", 1),
    "barrel": ("bbl", 1),
    "barrel per day": ("bbl/d", 1),
    "percentage": ("%", 1),
    "percentage point": ("pp", 1),
    "basis point": ("pp", 0.01),
    "hour": ("h", 1),
    "day": ("d", 1),
    "month": ("month", 1),
    "year": ("year", 1),
    "megawatt": ("W", 1e6),
    "terawatt hour": ("Wh", 1e12),
    "hectare": ("ha", 1),
    "kilometre": ("m", 1000),
    "kilometer": ("m", 1000),
    "dollar per barrel": ("USD/bbl", 1),
    "week": ("week", 1),
}


def _agree(pred: list[tuple[float, str]], gold: list[tuple[float, str]]) -> tuple[int, int, int]:
    left = list(gold)
    tp = 0
    for v, u in pred:
        for g in left:
            if u == g[1] and math.isclose(v, g[0], rel_tol=5e-3):
                left.remove(g)
                tp += 1
                break
    return tp, len(pred), len(gold)


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="number of synthetic sentences (default 2000)")
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sentences = [sentence(rng) for _ in range(args.n)]
    pub = dt.date(2023, 6, 1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantulum3 import parser

        parser.parse("warm-up: 5 tons")  # loads its models outside the timing

        t0 = time.perf_counter()
        n_ours = sum(len(find_claims(s, pub)) for s in sentences)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        n_q = sum(len(parser.parse(s)) for s in sentences)
        theirs = time.perf_counter() - t0

        articles, cur = [], ""
        for s in sentences:
            cur += s + " "
            if len(cur) >= 4096:
                articles.append(cur)
                cur = ""
        per_article = []
        cpu0 = time.process_time()
        for a in articles:
            t0 = time.perf_counter()
            find_claims(a, pub)
            per_article.append(time.perf_counter() - t0)
        cpu_per_article = (time.process_time() - cpu0) / max(1, len(articles))

        ours_tally = [0, 0, 0]
        q_tally = [0, 0, 0]
        for text, gold in GOLD:
            mine = [(c.value, c.unit) for c in find_claims(text, pub) if c.value is not None and c.unit]
            theirs_pred = []
            for q in parser.parse(text):
                name = q.unit.name.lower()
                if name in Q_UNITS:
                    unit, f = Q_UNITS[name]
                    theirs_pred.append((q.value * f, unit))
                elif q.unit.entity.name == "dimensionless" and name != "dimensionless":
                    theirs_pred.append((q.value, name))
                elif name == "dimensionless":
                    theirs_pred.append((q.value, "count"))
                else:
                    theirs_pred.append((q.value, name))
            for tally, pred in ((ours_tally, mine), (q_tally, theirs_pred)):
                for i, x in enumerate(_agree(pred, gold)):
                    tally[i] += x

    print(
        f"corpus: {len(sentences)} synthetic sentences (seed {args.seed}), {len(articles)} articles of ~4 KB"
    )
    print(f"find_claims      : {len(sentences) / ours:10.0f} sentences/s  ({n_ours} claims)")
    print(f"quantulum3.parse : {len(sentences) / theirs:10.0f} sentences/s  ({n_q} quantities)")
    print(f"speed ratio      : {theirs / ours:10.1f}x faster than quantulum3")
    med = statistics.median(per_article) * 1000
    p95 = sorted(per_article)[int(0.95 * (len(per_article) - 1))] * 1000
    print(
        f"per 4 KB article : median {med:.2f} ms, p95 {p95:.2f} ms wall; {cpu_per_article * 1000:.2f} ms CPU "
        f"({1 / cpu_per_article:.0f} articles/s per core)"
    )
    print("                   (this corpus is figure-dense: ~1.4 figures per sentence, ~50 per article)")
    print(
        f"hand-labelled set: {len(GOLD)} sentences, {sum(len(g) for _, g in GOLD)} gold figures (value+unit)"
    )
    for name, t in (("find_claims", ours_tally), ("quantulum3", q_tally)):
        p, r, f = _prf(*t)
        print(
            f"  {name:<11}: precision {p:.2f}  recall {r:.2f}  F1 {f:.2f}  ({t[0]} right of {t[1]} predicted)"
        )


if __name__ == "__main__":
    main()
