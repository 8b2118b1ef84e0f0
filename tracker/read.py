"""Inputs → article texts. The only stage that changes characters.

``read_inputs(paths)`` yields an :class:`ArticleText` for every article it can read
and a :class:`ReadError` (location + reason) for every one it cannot, so one bad file
never stops a batch. Paths may be files, directories (recursive ``*.txt`` and
``*.jsonl``), ``-`` for stdin, or JSON Lines files (one article per line: ``text``
and optional ``url``, ``title``, ``date``, ``source``).

Decoding: BOM (UTF-8/UTF-16/UTF-32) first, then strict UTF-8, then a Cyrillic check
for cp1251 (Russian wire copy is the common non-UTF-8 case in this domain), then
cp1252. The encoding used is recorded. Newlines become ``\\n`` and a BOM is dropped;
nothing else is altered, so offsets into the stored text are offsets into what the
user sees.

Seed format: an optional first line `` date YYYY-MM-DD`` (leading space optional,
text may follow on the same line). The date is the published date; ``body_start``
says where the body begins, so extraction never sees the date.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

# A news article is tens of kilobytes; 20 MB is far beyond any real one and keeps a
# stray database dump or video from being read into memory.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_DATE_LINE = re.compile(r"\A[ \t]?date[ \t]+(?P<token>\d\S*)")
_ISO_DATE = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?\Z")
# Share of C0 control characters (other than tab/newline/CR/form feed) above which
# text is treated as binary rather than as a document with a few stray bytes.
_BINARY_CONTROL_SHARE = 0.01
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class ArticleText:
    text: str
    location: str  # path, URL, "<stdin>", or "file.jsonl:LINE"
    published: dt.date | None = None
    title: str | None = None
    source: str | None = None
    encoding: str = "utf-8"
    body_start: int = 0
    warnings: tuple[str, ...] = ()
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.text.encode("utf-8")).hexdigest())


@dataclass(frozen=True)
class ReadError:
    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


class InputError(ValueError):
    """Raised by the pure helpers below; turned into a ReadError by read_inputs."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding). Raises InputError for binary data."""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid {enc} after its byte-order mark ({exc.reason})") from None
            return _check_text(text), enc
    if b"\x00" in data[:8192]:
        raise InputError("binary file (NUL bytes), not text")
    try:
        return _check_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if utf8_error.reason == "unexpected end of data":
        # A file cut inside its last multibyte character (a truncated download or copy):
        # the text is UTF-8; keep it and mark the lost character.
        return _check_text(data[: utf8_error.start].decode("utf-8") + "\ufffd"), "utf-8 (truncated)"
    # Not UTF-8. Cyrillic single-byte text decodes as cp1251 into mostly Cyrillic
    # letters; anything else is most likely Western (cp1252), which never fails for
    # the bytes news text contains.
    try:
        text = data.decode("cp1251")
        letters = sum(ch.isalpha() for ch in text[:20000]) or 1
        if len(_CYRILLIC.findall(text[:20000])) / letters > 0.3:
            return _check_text(text), "cp1251"
    except UnicodeDecodeError:
        pass
    try:
        return _check_text(data.decode("cp1252")), "cp1252"
    except UnicodeDecodeError:
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) "
            "and not a known single-byte encoding"
        ) from None


def _check_text(text: str) -> str:
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > _BINARY_CONTROL_SHARE:
        raise InputError("binary file (control characters), not text")
    return text


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_date(value: str) -> dt.date:
    """Parse YYYY-MM-DD (a time part is allowed and dropped); InputError otherwise."""
    m = _ISO_DATE.match(value.strip())
    if not m:
        raise InputError(f"malformed date {value!r} (expected YYYY-MM-DD)")
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise InputError(f"malformed date {value!r} ({exc})") from None


def split_date_line(text: str) -> tuple[dt.date | None, int]:
    """Return (published date, body_start) for text that may open with a date line."""
    m = _DATE_LINE.match(text)
    if not m:
        return None, 0
    return parse_date(m["token"]), m.end()


def make_article(
    text: str,
    location: str,
    *,
    encoding: str = "utf-8",
    published: dt.date | None = None,
    title: str | None = None,
    source: str | None = None,
) -> ArticleText:
    text = normalise_newlines(text)
    if not text.strip():
        raise InputError("empty article (no text)")
    if "\x00" in text:
        # PostgreSQL text cannot hold NUL, and a NUL in prose means binary or corrupt data.
        raise InputError("text contains NUL characters (binary or corrupt data?)")
    line_date, body_start = split_date_line(text)
    if not text[body_start:].strip():
        raise InputError("empty article (only a date line)")
    warnings: list[str] = []
    if published is None:
        published = line_date
    elif line_date is not None and line_date != published:
        warnings.append(f"date line {line_date} differs from the given date {published}; kept {published}")
    if encoding not in ("utf-8", "utf-8-sig"):
        warnings.append(f"decoded as {encoding}")
    return ArticleText(
        text=text,
        location=location,
        published=published,
        title=title,
        source=source or source_from_location(location),
        encoding=encoding,
        body_start=body_start,
        warnings=tuple(warnings),
    )


def source_from_location(location: str) -> str | None:
    """Outlet name from a URL's host ('www.reuters.com' → 'reuters.com'); None for paths."""
    if "://" not in location:
        return None
    host = urlparse(location).hostname or ""
    return host.removeprefix("www.") or None


def parse_jsonl_line(line: str, location: str) -> ArticleText:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON line ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise InputError("malformed JSON line (not an object)")
    text = obj.get("text")
    if not isinstance(text, str):
        raise InputError("JSON line has no 'text' string")
    for key in ("url", "title", "date", "source"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise InputError(f"JSON line field {key!r} must be a string")
    published = parse_date(obj["date"]) if obj.get("date") else None
    url = obj.get("url")
    return make_article(
        text,
        url or location,
        published=published,
        title=obj.get("title"),
        source=obj.get("source"),
    )


def read_bytes(data: bytes, location: str, *, source: str | None = None) -> ArticleText:
    text, encoding = decode(data)
    return make_article(text, location, encoding=encoding, source=source)


def iter_paths(paths: Iterable[str]) -> Iterator[str | ReadError]:
    """Expand directories (recursively, sorted, symlink loops broken) into files."""
    for p in paths:
        if p == "-":
            yield p
            continue
        path = Path(p)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists() or path.is_symlink():
            yield p
        else:
            yield ReadError(p, "no such file or directory")


def _walk(root: Path) -> Iterator[str | ReadError]:
    seen: set[str] = set()
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            real = os.path.realpath(d)
        except OSError as exc:
            yield ReadError(str(d), f"cannot resolve directory ({exc.strerror})")
            continue
        if real in seen:
            yield ReadError(str(d), "directory loop via symlink; skipped")
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            yield ReadError(str(d), f"cannot list directory ({exc.strerror})")
            continue
        subdirs = []
        for e in entries:
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(Path(e.path))
            elif e.name.endswith((".txt", ".jsonl")):
                try:
                    special = not e.is_file() and os.path.exists(e.path)
                except OSError:
                    special = False
                if special:
                    # A FIFO named *.txt would block the whole batch on open() for ever.
                    yield ReadError(e.path, "not a regular file (a pipe, socket or device); skipped")
                else:
                    yield e.path  # a dangling symlink is reported by the open() below
        stack.extend(reversed(subdirs))


def read_inputs(
    paths: Iterable[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    source: str | None = None,
    stdin: object | None = None,
) -> Iterator[ArticleText | ReadError]:
    """Yield articles and errors for every input, in order; never raises for bad input."""
    for item in iter_paths(paths):
        if isinstance(item, ReadError):
            yield item
            continue
        if item == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read(max_bytes + 1)  # type: ignore[attr-defined]
            if isinstance(data, str):
                data = data.encode("utf-8")
            yield from _from_bytes(data, "<stdin>", max_bytes, source)
            continue
        if item.endswith(".jsonl"):
            yield from _read_jsonl(item, max_bytes, source)
            continue
        try:
            size = os.stat(item).st_size
            if size > max_bytes:
                yield ReadError(item, f"file too large ({size:,} bytes; limit {max_bytes:,}, see --max-size)")
                continue
            with open(item, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except OSError as exc:
            yield ReadError(item, f"cannot read ({exc.strerror})")
            continue
        yield from _from_bytes(data, item, max_bytes, source)


def _from_bytes(
    data: bytes, location: str, max_bytes: int, source: str | None
) -> Iterator[ArticleText | ReadError]:
    if len(data) > max_bytes:
        yield ReadError(location, f"input too large (over {max_bytes:,} bytes, see --max-size)")
        return
    if not data.strip():
        yield ReadError(location, "empty file")
        return
    try:
        yield read_bytes(data, location, source=source)
    except InputError as exc:
        yield ReadError(location, str(exc))


def _read_jsonl(path: str, max_bytes: int, source: str | None) -> Iterator[ArticleText | ReadError]:
    """One article per line; a bad line is reported and the rest of the file is read."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; lines streamed, never the whole file
    except OSError as exc:
        yield ReadError(path, f"cannot read ({exc.strerror})")
        return
    with fh:
        for lineno, raw in enumerate(fh, 1):
            loc = f"{path}:{lineno}"
            if not raw.strip():
                continue
            if len(raw) > max_bytes:
                yield ReadError(loc, f"line too large ({len(raw):,} bytes; limit {max_bytes:,})")
                continue
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield ReadError(loc, f"JSON line is not valid UTF-8 (offset {exc.start})")
                continue
            try:
                art = parse_jsonl_line(line, loc)
            except InputError as exc:
                yield ReadError(loc, str(exc))
                continue
            if source and not art.source:
                art = make_article(
                    art.text, art.location, published=art.published, title=art.title, source=source
                )
            yield art
