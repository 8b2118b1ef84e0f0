"""read.py: decoding, date lines, JSONL, directories and bad input, all without a database."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
from pathlib import Path

import pytest

from tracker.read import (
    ArticleText,
    InputError,
    ReadError,
    decode,
    make_article,
    read_inputs,
    split_date_line,
)


def test_date_line_with_text_on_same_line() -> None:
    text = " date 2023-03-20 Xi Jinping said hello."
    date, body = split_date_line(text)
    assert date == dt.date(2023, 3, 20)
    assert text[body:] == " Xi Jinping said hello."


def test_date_line_without_leading_space_and_newline() -> None:
    date, body = split_date_line("date 2021-07-15\nBody.")
    assert date == dt.date(2021, 7, 15)


def test_no_date_line() -> None:
    assert split_date_line("\n\nRussian President said") == (None, 0)
    # a sentence that merely starts with the word "date" is not a date line
    assert split_date_line("date palms grew 5% in 2020") == (None, 0)


@pytest.mark.parametrize("line", [" date 2023-13-45 text", " date 2023-3-1 text", " date 20230301 x"])
def test_malformed_date_line_is_an_error(line: str) -> None:
    with pytest.raises(InputError, match="malformed date"):
        make_article(line, "x.txt")


def test_decode_utf8_bom_and_utf16() -> None:
    assert decode(codecs.BOM_UTF8 + "Привет".encode()) == ("Привет", "utf-8-sig")
    text, enc = decode(codecs.BOM_UTF16_LE + "“Hello,” he said.".encode("utf-16-le"))
    assert text == "“Hello,” he said." and enc == "utf-16"


def test_decode_cp1251_russian() -> None:
    raw = "Путин заявил, что товарооборот вырос.".encode("cp1251")
    assert decode(raw) == ("Путин заявил, что товарооборот вырос.", "cp1251")


def test_decode_latin_fallback() -> None:
    text, enc = decode("Café growth of 5% in São Paulo".encode("cp1252"))
    assert text == "Café growth of 5% in São Paulo" and enc == "cp1252"


def test_binary_is_rejected() -> None:
    with pytest.raises(InputError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_newlines_normalised_and_sha_of_text() -> None:
    a = make_article("Line one.\r\nLine two.\rEnd.", "x.txt")
    assert a.text == "Line one.\nLine two.\nEnd."
    b = make_article("Line one.\nLine two.\nEnd.", "y.txt")
    assert a.sha256 == b.sha256


def _write(p: Path, data: bytes) -> str:
    p.write_bytes(data)
    return str(p)


def test_mixed_batch_reports_each_bad_input(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.txt", b" date 2022-01-02 The minister said trade grew.")
    empty = _write(tmp_path / "empty.txt", b"   \n")
    binary = _write(tmp_path / "bin.txt", bytes(range(256)) * 4)
    jl = _write(
        tmp_path / "feed.jsonl",
        b'{"text": "First.", "url": "https://www.example.com/a", "date": "2022-05-01"}\n'
        b"{not json\n"
        b'{"title": "no text"}\n'
        b'{"text": "Third.", "date": "May 1"}\n'
        b'{"text": "Fourth.", "source": "Wire"}\n',
    )
    out = list(read_inputs([good, empty, binary, jl, str(tmp_path / "missing.txt")]))
    arts = [o for o in out if isinstance(o, ArticleText)]
    errs = {o.location: o.reason for o in out if isinstance(o, ReadError)}
    assert [a.text for a in arts] == [" date 2022-01-02 The minister said trade grew.", "First.", "Fourth."]
    assert arts[0].published == dt.date(2022, 1, 2)
    assert arts[1].location == "https://www.example.com/a" and arts[1].source == "example.com"
    assert arts[2].source == "Wire"
    assert "empty" in errs[empty]
    assert "binary" in errs[binary]
    assert "malformed JSON" in errs[f"{jl}:2"]
    assert "'text'" in errs[f"{jl}:3"]
    assert "malformed date" in errs[f"{jl}:4"]
    assert "no such file" in errs[str(tmp_path / "missing.txt")]


def test_directory_recursion_sorted_and_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    _write(tmp_path / "b" / "2.txt", b"Two.")
    _write(tmp_path / "a" / "1.txt", b"One.")
    _write(tmp_path / "a" / "notes.md", b"ignored")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    out = list(read_inputs([str(tmp_path)]))
    texts = [o.text for o in out if isinstance(o, ArticleText)]
    assert texts == ["One.", "Two."]
    assert any(isinstance(o, ReadError) and "loop" in o.reason for o in out)


def test_size_limit(tmp_path: Path) -> None:
    big = _write(tmp_path / "big.txt", b"x" * 2000)
    (err,) = read_inputs([big], max_bytes=1000)
    assert isinstance(err, ReadError) and "too large" in err.reason


def test_stdin() -> None:
    (art,) = read_inputs(["-"], stdin=io.BytesIO(b" date 2020-02-02 From a pipe."))
    assert isinstance(art, ArticleText) and art.location == "<stdin>" and art.published == dt.date(2020, 2, 2)


def test_truncated_utf8_is_decoded_not_lost(tmp_path: Path) -> None:
    raw = "Премьер-министр сказал".encode()[:-1]  # cut inside a multibyte character
    (out,) = read_inputs([_write(tmp_path / "t.txt", raw)])
    # a cut-off last character must not lose the article: it is decoded by the fallback
    assert isinstance(out, ArticleText)
    assert out.text == "Премьер-министр сказа\ufffd" and out.encoding == "utf-8 (truncated)"
    assert any("utf-8 (truncated)" in w for w in out.warnings)
