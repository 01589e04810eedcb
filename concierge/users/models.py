"""Users who sign in to the web pages (owners, staff, admins) and the properties they may see."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from concierge.core.modelbase import utcnow


class Role(StrEnum):
    owner = "owner"  # edits the knowledge and reservations of their own properties
    staff = "staff"  # answers guests of their properties (the console)
    admin = "admin"  # every property


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lowercased
    role: str = Field(max_length=16)
    language: str = Field(default="en", max_length=16, sa_column_kwargs={"server_default": "en"})  # console language
    password_hash: str = Field(max_length=255)  # argon2id
    # Consecutive failed logins (reset by a successful one or `concierge users unlock`): past LOGIN_MAX_FAILURES,
    # failures are answered more slowly; the account is never locked (its owner can always sign in).
    failed_attempts: int = 0
    disabled: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})  # `users disable`
    session_epoch: int = 0  # bumped on logout and password change: every older session cookie stops working
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class Membership(SQLModel, table=True):
    """A user may see a property (admins see all without one)."""

    __table_args__ = (UniqueConstraint("user_id", "property_id", name="uq_membership_user_property"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    property_id: int = Field(foreign_key="property.id", index=True)
