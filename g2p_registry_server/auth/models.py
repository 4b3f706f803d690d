"""The users allowed to call the registry API."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utc_now


class User(Base):
    __tablename__ = "api_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    # An argon2id hash string, salt and parameters included.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    create_date: Mapped[datetime] = mapped_column(default=utc_now)
