"""people: spelling and surname aliases, so one speaker is found under another spelling

"Volodymyr Zelensky" and "Volodymyr Zelenskyy", "Dmitri Peskov" and "Dmitry Peskov" were
stored as different speakers unless some article had used the surname alone; so was
"Prime Minister Holloway" in an article that never gave her first name. Every full name
now also gets two lookup aliases:

- kind 'spelling': alias_key is its spelling key (tracker.people.spelling_key: '~', then
  the words with transliteration endings -y/-i/-iy/-yy/-ij taken off, joined);
- kind 'surname': alias_key is '^' and its last word (suffixes such as "Jr." aside),
  which a surname seen alone with a role looks up (tracker.people.surname_key).

This revision documents the kinds and records both keys of every full-name alias already
stored. A key several people share is recorded for each and resolves to none of them
unless their roles tell them apart.

The stemming is copied here, not imported: a migration must keep doing what it did when
it was written, whatever the module later becomes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:30:00.000000
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_COMMENT = "name | role | editor (set by 'tracker speakers merge/rename')."
NEW_COMMENT = (
    "name | editor (set by 'tracker speakers merge/rename') | spelling (alias_key is the"
    " name's spelling key, '~' first: transliteration variants of a full name share it)"
    " | surname (alias_key is '^' and the surname of a full name)."
)

_NON_WORD = re.compile(r"[^\w]+")
_TRANSLIT_ENDING = re.compile(r"[iy]+j?$")


def _stem(word: str) -> str:
    stem = _TRANSLIT_ENDING.sub("", word)
    return stem if len(stem) >= 3 else word


def _words(name: str) -> list[str]:
    return _NON_WORD.sub(" ", name.replace("\u2019", "'").casefold()).split()


def _spelling_key(name: str) -> str | None:
    words = _words(name)
    return "~" + "".join(_stem(w) for w in words) if len(words) >= 2 else None


def _surname_key(name: str) -> str | None:
    words = _words(name)
    while len(words) > 2 and (words[-1] in {"jr", "sr", "ii", "iii", "iv"} or len(words[-1]) == 1):
        words.pop()
    return "^" + words[-1] if len(words) >= 2 and len(words[-1]) >= 2 else None


def _comment(comment: str, existing: str) -> None:
    # SQLite keeps no column comments (and would rebuild the table to alter one).
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "person_aliases",
            "kind",
            existing_type=sa.String(length=20),
            existing_nullable=False,
            comment=comment,
            existing_comment=existing,
        )


def upgrade() -> None:
    _comment(NEW_COMMENT, OLD_COMMENT)
    aliases = sa.table(
        "person_aliases",
        sa.column("person_id", sa.Integer),
        sa.column("alias", sa.String),
        sa.column("alias_key", sa.String),
        sa.column("kind", sa.String),
    )
    conn = op.get_bind()
    held = {(pid, key) for pid, key in conn.execute(sa.select(aliases.c.person_id, aliases.c.alias_key))}
    rows = []
    for pid, alias in conn.execute(
        sa.select(aliases.c.person_id, aliases.c.alias)
        .where(aliases.c.kind.not_in(("spelling", "surname")))
        .order_by(aliases.c.person_id, aliases.c.alias)
    ):
        for kind, key in (("spelling", _spelling_key(alias)), ("surname", _surname_key(alias))):
            if key and (pid, key) not in held:
                held.add((pid, key))
                rows.append({"person_id": pid, "alias": alias, "alias_key": key, "kind": kind})
    for i in range(0, len(rows), 5000):
        conn.execute(aliases.insert(), rows[i : i + 5000])


def downgrade() -> None:
    op.execute("DELETE FROM person_aliases WHERE kind IN ('spelling', 'surname')")
    _comment(OLD_COMMENT, NEW_COMMENT)
