"""A corpus of broken files: each is stored correctly or skipped with a clear reason.

The corpus is built on disk (real files, a real symlink loop, a real FIFO, a 200 MB
sparse file) and read twice: through ``read_inputs`` to check every outcome one by
one, and through a real ``tracker ingest`` process on the whole directory, which must
store every good article, name every bad one on stderr and exit 1 — never stop the
batch, never print a traceback, never hang.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.read import ArticleText

from .helpers import check_database, run_tracker, stored_texts

pytestmark = pytest.mark.reliability

RUSSIAN = (
    " date 2024-02-01\nМинистр заявил: «Товарооборот между Россией и Китаем вырос на 26% "
    "и достиг 240 миллиардов долларов», — сообщает агентство.\n"
)
ENGLISH = (
    ' date 2024-02-02\n"Trade grew by nearly 26% last year," the economy minister said on Monday. '
    "Exports reached $240 billion, officials added.\n"
)
HUGE_BYTES = 200 * 1024 * 1024


def _good(check):  # type: ignore[no-untyped-def]
    return ("stored", check)


def _skip(reason: str):  # type: ignore[no-untyped-def]
    return ("skipped", reason)


def build_corpus(root: Path) -> dict[str, tuple[str, object]]:
    """Write the broken-file corpus under ``root``; return {location: expectation}."""
    root.mkdir(parents=True, exist_ok=True)
    exp: dict[str, tuple[str, object]] = {}

    def put(name: str, data: bytes, expectation: tuple[str, object]) -> None:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        exp[str(p)] = expectation

    put("plain.txt", ENGLISH.encode(), _good(lambda a: a.text == ENGLISH and a.encoding == "utf-8"))
    # Cut inside the last multibyte character: keep the text, mark the lost character.
    cut = RUSSIAN.encode()[:-3]
    put(
        "truncated_utf8.txt",
        cut,
        _good(lambda a: a.encoding == "utf-8 (truncated)" and a.text.endswith("\ufffd")),
    )
    put(
        "utf8_bom.txt",
        codecs.BOM_UTF8 + ENGLISH.encode(),
        _good(lambda a: a.text == ENGLISH),
    )
    put(
        "utf16le_bom.txt",
        codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le"),
        _good(lambda a: a.text == RUSSIAN and a.encoding == "utf-16"),
    )
    put(
        "utf16be_bom.txt",
        codecs.BOM_UTF16_BE + ENGLISH.replace("\n", "\r\n").encode("utf-16-be"),
        _good(lambda a: a.text == ENGLISH),
    )
    put(
        "cp1251_russian.txt",
        RUSSIAN.replace("«", '"').replace("»", '"').replace("—", "-").encode("cp1251"),
        _good(lambda a: a.encoding == "cp1251" and "Товарооборот" in a.text),
    )
    put(
        "cp1252_latin.txt",
        "Le ministre a déclaré : « Nous avons exporté 12 % de plus », précise l’agence.".encode("cp1252"),
        _good(lambda a: a.encoding == "cp1252" and "déclaré" in a.text),
    )
    put("crlf_and_cr.txt", ENGLISH.replace("\n", "\r\n").encode(), _good(lambda a: a.text == ENGLISH))
    put("nul_binary.txt", bytes(range(256)) * 64, _skip("binary"))
    # A NUL after the first 8 KB: PostgreSQL text cannot hold NUL, so the article must be
    # refused by the reader on every backend rather than crash the store.
    put("nul_late.txt", (ENGLISH * 200).encode() + b"\x00" + ENGLISH.encode(), _skip("NUL"))
    put("utf16_bad_after_bom.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", _skip("invalid utf-16"))
    put("empty.txt", b"", _skip("empty"))
    put("whitespace.txt", b" \n\t\r\n  ", _skip("empty"))
    put("date_only.txt", b" date 2024-01-01\n\n", _skip("only a date line"))
    put("bad_date.txt", b" date 2024-13-45\nThe minister said so.", _skip("malformed date"))
    put("not_news.bin", b"\x00\x01", ("ignored", None))  # not *.txt/*.jsonl: never read

    # 200 MB, sparse: skipped on its size alone, never read into memory.
    huge = root / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(HUGE_BYTES)
    exp[str(huge)] = _skip("too large")

    # A directory loop via symlink, and a dangling symlink.
    (root / "sub").mkdir()
    (root / "sub" / "inner.txt").write_text(ENGLISH.replace("Monday", "Tuesday"), encoding="utf-8")
    exp[str(root / "sub" / "inner.txt")] = _good(lambda a: "Tuesday" in a.text)
    (root / "sub" / "loop").symlink_to("..", target_is_directory=True)
    exp[str(root / "sub" / "loop")] = _skip("directory loop")
    (root / "dangling.txt").symlink_to(root / "missing-target.txt")
    exp[str(root / "dangling.txt")] = _skip("cannot read")

    # A FIFO named like an article: opening it would block for ever with no writer.
    os.mkfifo(root / "pipe.txt")
    exp[str(root / "pipe.txt")] = _skip("not a regular file")

    # JSON Lines with bad lines in the middle; the lines around them are stored.
    jl = root / "feed.jsonl"
    lines: list[tuple[bytes, tuple[str, object]]] = [
        (
            json.dumps(
                {"text": ENGLISH.replace("Monday", "Wednesday"), "url": "https://a.example/1"}
            ).encode(),
            _good(None),
        ),
        (b'{"text": "unterminated', _skip("malformed JSON")),
        (b"[1, 2, 3]", _skip("not an object")),
        (b'{"title": "no text"}', _skip("no 'text'")),
        (json.dumps({"text": "A title that is a number.", "title": 5}).encode(), _skip("must be a string")),
        (json.dumps({"text": "Dated badly.", "date": "yesterday"}).encode(), _skip("malformed date")),
        (b'{"text": "caf\xe9 latin-1 bytes"}', _skip("not valid UTF-8")),
        (b"", ("ignored", None)),
        (json.dumps({"text": "NUL inside \u0000 the text said."}).encode(), _skip("NUL")),
        (json.dumps({"text": "   "}).encode(), _skip("empty")),
        (
            json.dumps(
                {
                    "text": ENGLISH.replace("Monday", "Thursday"),
                    "source": "S" * 300,
                    "url": "https://b.example/2",
                }
            ).encode(),
            ("stored_or_skipped", None),
        ),
        (
            json.dumps({"text": ENGLISH.replace("Monday", "Friday"), "date": "2024-02-09"}).encode(),
            _good(None),
        ),
    ]
    jl.write_bytes(b"\n".join(line for line, _ in lines) + b"\n")
    for i, (_line, expectation) in enumerate(lines, 1):
        exp[f"{jl}:{i}"] = expectation
    return exp


def test_read_inputs_on_broken_corpus(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    exp = build_corpus(root)
    jl = str(root / "feed.jsonl")
    url_lines = {f"{jl}:1": "https://a.example/1", f"{jl}:11": "https://b.example/2"}
    # Run in a child with a timeout: a FIFO that blocks the reader must fail the test, not hang it.
    code = (
        "import json,sys; from tracker.read import read_inputs, ReadError\n"
        "out=[]\n"
        "for it in read_inputs([sys.argv[1]]):\n"
        "    out.append({'loc': it.location, 'err': it.reason} if isinstance(it, ReadError) else "
        "{'loc': it.location, 'enc': it.encoding, 'text': it.text})\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    got: dict[str, dict[str, str]] = {}
    for r in records:
        loc = r["loc"]
        loc = next((k for k, v in url_lines.items() if v == loc), loc)
        assert loc not in got, f"{loc} reported twice"
        got[loc] = r
    problems = []
    for loc, (kind, check) in exp.items():
        r = got.pop(loc, None)
        if kind == "ignored":
            if r is not None:
                problems.append(f"{loc}: should not be read at all, got {r}")
            continue
        if r is None:
            problems.append(f"{loc}: no outcome at all (silently lost)")
            continue
        if kind == "stored":
            if "err" in r:
                problems.append(f"{loc}: expected stored, skipped: {r['err']}")
            elif callable(check):
                art = ArticleText(text=r["text"], location=loc, encoding=r["enc"])
                if not check(art):
                    problems.append(f"{loc}: decoded wrongly ({r['enc']}): {r['text'][:80]!r}")
        elif kind == "skipped":
            if "err" not in r:
                problems.append(f"{loc}: expected skipped ({check}), was read as text")
            elif str(check).lower() not in r["err"].lower():
                problems.append(f"{loc}: reason {r['err']!r} does not say {check!r}")
    assert not got, f"unexpected outcomes: {got}"
    assert not problems, "\n".join(problems)


def test_huge_file_is_not_read_into_memory(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(HUGE_BYTES)
    assert huge.stat().st_blocks * 512 < 1024 * 1024  # really sparse: the disk holds ~nothing
    code = (
        "import resource,sys; from tracker.read import read_inputs\n"
        "items=list(read_inputs([sys.argv[1]]))\n"
        "print(items[0].reason); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(huge)], capture_output=True, text=True, timeout=60)
    huge.unlink()
    assert proc.returncode == 0, proc.stderr
    reason, maxrss_kb = proc.stdout.split("\n")[:2]
    assert "too large" in reason and "--max-size" in reason
    assert int(maxrss_kb) < 150 * 1024, f"reader used {int(maxrss_kb) // 1024} MB for a skipped file"


def _without_root_file_access() -> list[str]:
    """Command prefix under which permission bits apply, even when the tests run as root.

    chmod 000 does not stop root (CAP_DAC_OVERRIDE), so as root the reader runs under
    ``setpriv`` with the two file-access capabilities dropped from its bounding set.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("running as root without setpriv: file permissions cannot be enforced")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_unreadable_file_is_skipped_with_reason(tmp_path: Path) -> None:
    prefix = _without_root_file_access()
    d = tmp_path / "perm"
    d.mkdir()
    good = d / "good.txt"
    good.write_text(ENGLISH, encoding="utf-8")
    bad = d / "secret.txt"
    bad.write_text(ENGLISH.replace("Monday", "Sunday"), encoding="utf-8")
    bad.chmod(0)
    locked = d / "locked"
    locked.mkdir()
    (locked / "hidden.txt").write_text("x", encoding="utf-8")
    locked.chmod(0)
    code = (
        "import json,sys; from tracker.read import read_inputs\n"
        "items = read_inputs([sys.argv[1]])\n"
        "print(json.dumps([[i.location, getattr(i, 'reason', None)] for i in items]))\n"
    )
    try:
        proc = subprocess.run(
            [*prefix, sys.executable, "-c", code, str(d)], capture_output=True, text=True, timeout=60
        )
    finally:
        locked.chmod(0o700)
        bad.chmod(0o600)
    assert proc.returncode == 0, proc.stderr
    out = dict(json.loads(proc.stdout))
    assert out[str(good)] is None
    assert "cannot read" in out[str(bad)] and "ermission" in out[str(bad)]
    assert "cannot list directory" in out[str(locked)]


def test_ingest_broken_corpus_stores_the_rest(db_url: str, tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    exp = build_corpus(root)
    r = run_tracker("ingest", str(root), "--db", db_url, "--jobs", "1", timeout=180)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    skipped_lines = [ln for ln in r.stderr.splitlines() if ln.startswith("skipped ")]
    for loc, (kind, check) in exp.items():
        if kind == "skipped":
            line = next((ln for ln in skipped_lines if ln.startswith(f"skipped {loc}: ")), None)
            assert line is not None, f"{loc} not named on stderr:\n{r.stderr}"
            assert str(check).lower() in line.lower(), line
    texts = stored_texts(db_url)
    # Every good article is stored exactly once.
    for needle in ("Monday", "Tuesday", "Wednesday", "Friday", "Товарооборот", "déclaré"):
        assert any(needle in t for t in texts), f"article with {needle!r} lost"
    expected_stored = sum(1 for kind, _ in exp.values() if kind == "stored")
    maybe = sum(1 for kind, _ in exp.values() if kind == "stored_or_skipped")
    # plain/utf8_bom/crlf/utf16be are the same text: stored once.
    distinct_dupes = 3
    assert expected_stored - distinct_dupes <= len(texts) <= expected_stored - distinct_dupes + maybe
    assert not any("\x00" in t for t in texts)
    check_database(db_url)
    # Re-running changes nothing.
    again = run_tracker("ingest", str(root), "--db", db_url, "--jobs", "1", timeout=180)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert sorted(stored_texts(db_url)) == sorted(texts)
