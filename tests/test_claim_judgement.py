"""Claim groups keep their judgement as figures join (tracker.link._judge_added): it must
always be what judging every figure of the group at once gives, and what a rebuild gives.

Groups here are built from random figures (many ties, hedges open on one side, several
figures from one article, now and then a negative one that only a full judgement takes)
arriving in random batches, and checked after every batch."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import select, text
from test_link import B, add_article

from tracker import link
from tracker.models import Claim, ClaimGroup, ClaimGroupMember, Flag, FlagClaim, FlagReview

HEDGES = [None, None, "nearly", "about", "up to", "more than", "over"]


def _state(session: Any, year: int) -> dict[str, Any]:
    """What is stored for the group of ``year``, beside what judging all its claims gives."""
    g = session.scalar(select(ClaimGroup).where(ClaimGroup.period == str(year)))
    rows = session.execute(
        select(Claim, ClaimGroupMember.in_conflict)
        .join(ClaimGroupMember, ClaimGroupMember.claim_id == Claim.id)
        .where(ClaimGroupMember.group_id == g.id)
        .order_by(Claim.id)
    ).all()
    claims = [c for c, _ in rows]
    j = link.judge(claims)
    flag = session.scalar(select(Flag).where(Flag.group_id == g.id))
    regular = all(c.value >= 0 for c in claims)
    return {
        "group": g,
        "claims": claims,
        "judged": j,
        "recorded_conflict": {c.id for c, inc in rows if inc} if regular else None,
        "flag": flag,
        "flag_claims": dict(
            session.execute(
                select(FlagClaim.claim_id, FlagClaim.in_conflict).where(FlagClaim.flag_id == flag.id)
            ).all()
        )
        if flag
        else None,
        "regular": regular,
    }


def _trade(session: Any, outlet: str, date: str, billions: float) -> int:
    """An article from ``outlet`` giving one figure for Russia-China trade in 2022."""
    surface = f"${billions:g} billion"
    return add_article(
        session,
        outlet,
        date,
        f"Trade hit {surface}.",
        claims=[{"surface": surface, "value": billions * B, "year": 2022}],
    )


def _check(s: dict[str, Any]) -> None:
    g, j, claims = s["group"], s["judged"], s["claims"]
    assert g.size == len(claims)
    assert g.verdict == j.verdict
    assert g.evidence == link.evidence_hash(claims)
    if s["regular"]:
        assert g.conflicting == len(j.in_conflict)
        assert s["recorded_conflict"] == j.in_conflict
    if j.verdict != "conflict":
        assert s["flag"] is None and g.severity is None and g.worst_a is None
        return
    assert (g.worst_a, g.worst_b) == j.worst  # the first most distant pair, ties included
    assert g.severity == j.severity
    flag = s["flag"]
    assert flag is not None and flag.status == "open"
    assert flag.severity == j.severity and flag.evidence == g.evidence
    assert s["flag_claims"] == {c.id: c.id in j.in_conflict for c in claims}
    more = len(j.in_conflict) - 2
    assert (f"{more} more conflicting" in flag.explanation) == (more > 0)


@pytest.mark.parametrize("calm_read", [link.CALM_READ, 0])
def test_judgement_kept_as_figures_join_is_judging_them_all(session, monkeypatch, calm_read: int) -> None:  # type: ignore[no-untyped-def]
    """With the default CALM_READ a group's non-conflicting members are read with its ends;
    with 0 they are always queried, as in a group with many."""
    monkeypatch.setattr(link, "CALM_READ", calm_read)
    rng = random.Random(5)
    kinds = {"conflict": 0, "consistent": 0, "irregular": 0}
    for trial in range(24):
        year = 1950 + trial  # one group per trial
        base = rng.choice([100, 104, 190])
        outliers = rng.choice([0.0, 0.1, 0.3])
        ids = []
        for k in range(rng.randint(2, 22)):
            claims = []
            for _ in range(rng.choice([1, 1, 1, 2])):
                v = base * rng.choice([0.98, 1.15, 0.9]) if rng.random() < outliers else base
                v = round(v) if rng.random() < 0.7 else round(v, 1)
                if trial % 6 == 5 and rng.random() < 0.2:
                    v = -v  # a negative figure: judged from all the group's figures
                surface = f"${v:g} billion"
                claims.append({"surface": surface, "value": v * B, "year": year, "hedge": rng.choice(HEDGES)})
            txt = " and ".join(f"trade reached {c['surface']} (#{i})" for i, c in enumerate(claims)) + "."
            ids.append(
                add_article(session, f"Outlet {k}", f"{year + 1}-01-02", txt, claims=claims, link_now=False)
            )
        # Linked in batches of random size, checked after each.
        while ids:
            n = rng.randint(1, 6)
            link.link_articles(session, ids[:n])
            ids = ids[n:]
            session.flush()
            session.expire_all()
            _check(_state(session, year))
        s = _state(session, year)
        kinds["irregular" if not s["regular"] else s["judged"].verdict] += 1
    # Both verdicts and the fallback were exercised.
    assert kinds["conflict"] >= 5 and kinds["consistent"] >= 3 and kinds["irregular"] >= 1, kinds
    # A rebuild, judging everything at once, records the same.
    before = {
        y: (
            s["group"].severity,
            s["group"].worst_a,
            s["group"].worst_b,
            s["group"].conflicting,
            s["flag_claims"],
        )
        for y in range(1950, 1974)
        if (s := _state(session, y))
    }
    link.rebuild(session)
    session.expire_all()
    for y in range(1950, 1974):
        s = _state(session, y)
        _check(s)
        g = s["group"]
        assert (g.severity, g.worst_a, g.worst_b, g.conflicting, s["flag_claims"]) == before[y], y


def test_flag_on_a_stored_group_lists_all_its_figures_and_reopens_with_the_new_one(session) -> None:  # type: ignore[no-untyped-def]
    """A consistent group of stored figures turns into a conflict: the new flag lists every
    figure; a later figure reopens a dismissed flag, naming it."""
    for k, v in enumerate([190, 190, 190.2]):
        _trade(session, f"O{k}", "2023-02-01", v)
    g = session.scalar(select(ClaimGroup).where(ClaimGroup.period == "2022"))
    assert g.verdict == "consistent" and g.conflicting == 0
    _trade(session, "O9", "2023-03-01", 240)
    session.expire_all()
    s = _state(session, 2022)
    _check(s)
    assert len(s["flag_claims"]) == 4 and all(s["flag_claims"].values())
    flag = s["flag"]
    link.review(session, flag.id, "dismiss", "customs revised it", "ed")
    _trade(session, "O10", "2023-04-01", 150)
    session.expire_all()
    assert session.get(Flag, flag.id).status == "open"
    note = session.scalars(
        select(FlagReview.note).where(FlagReview.flag_id == flag.id).order_by(FlagReview.id)
    ).all()[-1]
    assert "'$150 billion'" in note
    s = _state(session, 2022)
    _check(s)
    assert (
        s["judged"].worst is not None
        and "$150 billion" in s["flag"].explanation
        and "$240 billion" in s["flag"].explanation
    )


def test_migration_records_the_new_evidence_hash_and_old_groups_catch_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """0010 rehashes flags and the decisions taken on them; a group linked before it is
    judged from all its figures when the next one joins, and recorded from then on."""
    import hashlib

    from alembic import command

    from tracker.db import alembic_config, connect, session_factory

    url = str(tmp_path / "old.db")
    engine = connect(url)
    with session_factory(engine)() as s:
        for k, v in enumerate([190, 240]):
            _trade(s, f"O{k}", "2023-02-01", v)
        flag = s.scalar(select(Flag))
        link.review(s, flag.id, "confirm", "checked", "ed")
        s.commit()
        fid = flag.id
        claims = s.scalars(select(Claim).order_by(Claim.id)).all()
        old = hashlib.sha256(
            "|".join(
                sorted(f"{c.id}:{c.value!r}:{c.low!r}:{c.high!r}:{c.unit}:{c.hedge}" for c in claims)
            ).encode()
        ).hexdigest()
        new = link.evidence_hash(claims)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")
        # As 0009's code left them: the old hash on the flag and on the decision.
        conn.execute(text("UPDATE flags SET evidence = :e"), {"e": old})
        conn.execute(text("UPDATE flag_reviews SET evidence = :e"), {"e": old})
        command.upgrade(cfg, "head")
    with session_factory(engine)() as s:
        assert s.get(Flag, fid).evidence == new
        assert s.scalars(select(FlagReview.evidence)).all() == [new]
        g = s.scalar(select(ClaimGroup))
        assert g.conflicting is None and g.evidence is None  # not recorded yet
        link.rebuild(s)  # same evidence: the decision stands
        assert s.get(Flag, fid).status == "confirmed"
        # The group as 0009 left it, then a third figure joins.
        s.execute(
            text(
                "UPDATE claim_groups SET conflicting = NULL, severity = NULL, worst_a = NULL,"
                " worst_b = NULL, evidence = NULL"
            )
        )
        s.execute(
            text(
                "UPDATE claim_group_members SET article_id = NULL, value = NULL, lo = NULL,"
                " hi = NULL, in_conflict = NULL"
            )
        )
        s.expire_all()
        _trade(s, "O5", "2023-03-01", 191)
        s.expire_all()
        st = _state(s, 2022)
        _check(st)
        assert st["group"].conflicting == 3 and st["flag"].id == fid
        # Recorded: the next figure is judged from the record.
        _trade(s, "O6", "2023-03-02", 100)
        s.expire_all()
        _check(_state(s, 2022))
    engine.dispose()


def test_partner_past_the_ends_read_for_the_batch_is_found(session) -> None:  # type: ignore[no-untyped-def]
    """The lowest figures of a group are open-ended ("more than $90 billion"): none of them
    conflicts with $100 billion, but a plain $90 billion stored after them does. It lies
    past the members read at each end of the group and is found by its own query."""
    assert link.ENDS <= 5
    for k in range(5):
        add_article(
            session,
            f"Floor {k}",
            "2023-02-01",
            "Trade was more than $90 billion.",
            claims=[
                {"surface": "more than $90 billion", "value": 90 * B, "hedge": "more than", "year": 2022}
            ],
        )
    _trade(session, "Plain", "2023-02-02", 90)
    assert _state(session, 2022)["judged"].verdict == "consistent"
    _trade(session, "New", "2023-03-01", 100)
    session.expire_all()
    s = _state(session, 2022)
    _check(s)
    assert s["judged"].in_conflict == {s["claims"][5].id, s["claims"][6].id}
