"""Importing a file through the bulk processing, one transaction per batch, resumable.

After each committed batch the importer appends the batch's rejected records to the rejects
file and then records a checkpoint (byte offset, line, counts, size of the rejects file) with
an atomic rename. A run that is killed loses at most the batch in flight, which its database
transaction rolls back; the next run with the same checkpoint starts right after the last
committed batch. If the kill falls between a commit and its checkpoint, that batch runs again,
and since items are matched by their ID it finds them all unchanged: nothing is duplicated.
"""

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from g2p_bank_server.rules.bulk import ItemResult

from ..config import Settings
from ..origin import WriteOrigin, command_origin
from .files import Record, read_records
from .runners import run_batches

_FINGERPRINT_BYTES = 1 << 20


@dataclass
class ImportState:
    """What the checkpoint holds: where the next batch starts and what was done before it."""

    fingerprint: str
    offset: int = 0
    line: int = 1
    rejects_size: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    )


class CheckpointMismatch(ValueError):
    pass


def fingerprint(path: Path, fmt: str, id_type: str) -> str:
    """Identifies the input a checkpoint belongs to: size, first MiB, format and ID type."""
    digest = hashlib.sha256(f"{fmt}\0{id_type}\0{path.stat().st_size}\0".encode())
    with path.open("rb") as stream:
        digest.update(stream.read(_FINGERPRINT_BYTES))
    return digest.hexdigest()


def load_state(checkpoint: Path, expected: str) -> ImportState:
    if not checkpoint.exists():
        return ImportState(fingerprint=expected)
    state = ImportState(**json.loads(checkpoint.read_text(encoding="utf-8")))
    if state.fingerprint != expected:
        raise CheckpointMismatch(
            f"The checkpoint {checkpoint} belongs to another file, format or ID type; "
            "delete it (or pass --restart) to import from the start"
        )
    return state


def save_state(checkpoint: Path, state: ImportState) -> None:
    temporary = checkpoint.with_name(checkpoint.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as stream:
        json.dump(asdict(state), stream)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, checkpoint)


def batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def reject_lines(batch: Sequence[Record], results: Sequence[ItemResult]) -> list[bytes]:
    """The rejects file's lines for a batch: line of the record and the errors, not the record
    itself (it may hold account numbers in full)."""
    by_index = iter(results)
    lines = []
    for record in batch:
        if record.error is not None:
            errors = [{"loc": [], "msg": record.error, "type": "unreadable_record"}]
        else:
            result = next(by_index)
            if result["status"] != "rejected":
                continue
            errors = result["errors"]
        line = json.dumps({"line": record.line, "errors": errors}, ensure_ascii=False) + "\n"
        lines.append(line.encode("utf-8"))
    return lines


@dataclass
class Importer:
    """Runs an import of ``path`` into the database the settings name."""

    path: Path
    fmt: str
    id_type: str
    batch_size: int
    checkpoint: Path
    rejects: Path
    settings: Settings
    jobs: int = 1
    # Whom the writes are attributed to; by default the import command, one request id per run.
    origin: WriteOrigin | None = None

    def run(
        self, *, restart: bool = False, on_batch: Callable[[ImportState], None] | None = None
    ) -> ImportState:
        expected = fingerprint(self.path, self.fmt, self.id_type)
        if restart and self.checkpoint.exists():
            self.checkpoint.unlink()
        state = load_state(self.checkpoint, expected)
        # Rejects written after the last checkpoint belong to a batch that runs again.
        with self.rejects.open("ab") as rejects:
            rejects.truncate(state.rejects_size)
        with self.path.open("rb") as source, self.rejects.open("ab") as rejects:
            records = read_records(source, self.fmt, start=state.offset, start_line=state.line)
            todo = batches(records, self.batch_size)
            origin = self.origin or command_origin("import", uuid.uuid4().hex)
            for batch, results in run_batches(self.settings, self.id_type, todo, self.jobs, origin):
                lines = reject_lines(batch, results)
                if lines:
                    # On disk before the checkpoint that counts them.
                    rejects.writelines(lines)
                    rejects.flush()
                    os.fsync(rejects.fileno())
                for result in results:
                    state.counts[result["status"]] += 1
                state.counts["rejected"] += sum(record.error is not None for record in batch)
                state.offset, state.line = batch[-1].end, batch[-1].next_line
                state.rejects_size = rejects.tell()
                save_state(self.checkpoint, state)
                if on_batch:
                    on_batch(state)
        # Done: a later run of the same file starts over, and finds everything unchanged.
        self.checkpoint.unlink(missing_ok=True)
        return state
