"""A tiny registry extension used by the tests: a registrant may have a nickname.

It uses every extension point the bank package uses: a table and its migration, fields added to
the base request and answer schemas (reaching their subclasses), the processing hooks, and a
router of its own.
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from g2p_registry_server.api.deps import SessionDep
from g2p_registry_server.db import Base
from g2p_registry_server.errors import NotFound
from g2p_registry_server.extensions import Extension
from g2p_registry_server.registrants.models import Registrant
from g2p_registry_server.registrants.processing import RegistrantProcessing
from g2p_registry_server.registrants.schemas import (
    GroupMembersInfoRequest,
    RegistrantInfoRequest,
    RegistrantInfoResponse,
)

Nickname = Annotated[str, StringConstraints(min_length=1, max_length=20)]


class RegistrantNickname(Base):
    __tablename__ = "registrant_nickname"

    registrant_id: Mapped[int] = mapped_column(
        ForeignKey("registrant.id", ondelete="CASCADE"), primary_key=True
    )
    nickname: Mapped[str] = mapped_column(String(20))


class NicknameRequest(RegistrantInfoRequest, extends=RegistrantInfoRequest):
    nickname: Nickname | None = None


class NicknameMemberRequest(GroupMembersInfoRequest, extends=GroupMembersInfoRequest):
    nickname: Nickname | None = None


class NicknameResponse(RegistrantInfoResponse, extends=RegistrantInfoResponse):
    nickname: str | None = None


class NicknameProcessing(RegistrantProcessing, extends=RegistrantProcessing):
    def process_registrant(self, registrant: Registrant, request: BaseModel, *, created: bool) -> None:
        super().process_registrant(registrant, request, created=created)
        nickname = getattr(request, "nickname", None)
        if nickname is not None:
            self.session.merge(RegistrantNickname(registrant_id=registrant.id, nickname=nickname))

    def fill_answers(self, pairs) -> None:
        super().fill_answers(pairs)
        ids = [registrant.id for registrant, _ in pairs]
        rows = self.session.execute(
            select(RegistrantNickname.registrant_id, RegistrantNickname.nickname).where(
                RegistrantNickname.registrant_id.in_(ids)
            )
        )
        nicknames = dict(rows.tuples().all())
        for registrant, answer in pairs:
            answer.nickname = nicknames.get(registrant.id)


router = APIRouter(tags=["nickname"])


@router.get("/registrant/{registrant_id}/nickname")
def get_nickname(registrant_id: int, session: SessionDep) -> dict[str, str]:
    row = session.get(RegistrantNickname, registrant_id) if 0 < registrant_id < 2**31 else None
    if row is None:
        raise NotFound("No nickname")
    return {"nickname": row.nickname}


@router.post("/registrant/{registrant_id}/nickname/write_then_fail")
def write_then_fail(registrant_id: int, session: SessionDep) -> None:
    """Writes, then fails unexpectedly: the tests prove the write is rolled back and the
    message stays out of the answer and the log."""
    session.merge(RegistrantNickname(registrant_id=registrant_id, nickname="rolled back"))
    session.flush()
    # Built at run time, so that the source line in a traceback differs from the message.
    raise RuntimeError("-".join(("SECRET", "4411")) + " must not be logged")


extension = Extension(
    name="nickname", routers=(router,), migrations=str(Path(__file__).parent / "migrations")
)
