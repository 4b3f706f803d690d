"""Reading bulk import files record by record (JSON Lines or CSV), with the byte offset after
each record, so that an interrupted import resumes exactly after its last committed record.

A JSON Lines record is handed out as its line (``raw``) and parsed by whoever imports it
(``parse_json_line``): with several import workers, each parses the lines of its own batch, and
the reading process only splits the file.
"""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .csv_layout import IndividualCsvLayout

FORMATS = ("jsonl", "csv")


@dataclass(frozen=True)
class Record:
    line: int  # the record's first line in the file, from 1
    end: int  # byte offset just after the record
    next_line: int  # the line number just after the record
    item: Any = None
    error: str | None = None  # why the record could not be read as an item
    raw: bytes | None = None  # a JSON line not parsed yet (see parse_json_line)


def guess_format(path: Path) -> str:
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


class _Lines:
    """Decoded lines of a binary file, counting the bytes and lines handed out."""

    def __init__(self, stream: BinaryIO, offset: int, line: int) -> None:
        self.stream, self.offset, self.line = stream, offset, line - 1

    def __iter__(self) -> Iterator[str]:
        for raw in self.stream:
            self.offset += len(raw)
            self.line += 1
            yield raw.decode("utf-8-sig" if self.offset == len(raw) else "utf-8", errors="replace")


def read_jsonl(stream: BinaryIO, *, start: int, start_line: int) -> Iterator[Record]:
    stream.seek(start)
    offset, line = start, start_line - 1
    for raw in stream:
        offset += len(raw)
        line += 1
        if not raw.strip():
            continue
        yield Record(line=line, end=offset, next_line=line + 1, raw=raw)


def parse_json_line(raw: bytes) -> tuple[Any, str | None]:
    """The item a JSON line holds, or None and why it holds none."""
    try:
        return json.loads(raw), None
    except ValueError as error:
        # Where the JSON breaks, without quoting the line (it may hold account numbers).
        where = (
            f"{error.msg} at column {error.colno}" if isinstance(error, json.JSONDecodeError) else "bad UTF-8"
        )
        return None, f"Line is not valid JSON: {where}"


def csv_header(stream: BinaryIO) -> tuple[list[str], int, int]:
    """The header row, and the offset and line number where the records start."""
    stream.seek(0)
    lines = _Lines(stream, 0, 1)
    header = next(csv.reader(lines), None)
    if header is None:
        raise ValueError("The CSV file is empty: the first row must name the columns")
    return [column.strip() for column in header], lines.offset, lines.line + 1


def read_csv(stream: BinaryIO, *, start: int, start_line: int) -> Iterator[Record]:
    header, records_offset, records_line = csv_header(stream)
    layout = IndividualCsvLayout(header)
    if start < records_offset:
        start, start_line = records_offset, records_line
    stream.seek(start)
    lines = _Lines(stream, start, start_line)
    first = start_line
    for row in csv.reader(lines):
        if not any(cell.strip() for cell in row):
            first = lines.line + 1
            continue
        if len(row) != len(header):
            error = f"Row has {len(row)} cells, the header {len(header)}"
            record = Record(line=first, end=lines.offset, next_line=lines.line + 1, error=error)
        else:
            cells = {column: cell.strip() for column, cell in zip(header, row, strict=True)}
            item = layout.item_from_row(cells)
            record = Record(line=first, end=lines.offset, next_line=lines.line + 1, item=item)
        first = lines.line + 1
        yield record


def read_records(stream: BinaryIO, fmt: str, *, start: int = 0, start_line: int = 1) -> Iterator[Record]:
    if fmt == "csv":
        return read_csv(stream, start=start, start_line=start_line)
    return read_jsonl(stream, start=start, start_line=start_line)
