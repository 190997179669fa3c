"""A TODO server in FastAPI + SQLAlchemy, the benchmark's second peer, as FastAPI's SQL tutorial
builds one: sync endpoints (run in FastAPI's thread pool), a session per request."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import DateTime, Index, String, create_engine, event, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


def engine_url(database_url: str) -> str:
    if database_url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return database_url


engine = create_engine(engine_url(os.environ["DATABASE_URL"]))
if engine.dialect.name == "sqlite":

    @event.listens_for(engine, "connect")
    def tune_sqlite(connection, _record) -> None:
        # The same tuning as the project under test.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=20000")


class Base(DeclarativeBase):
    pass


class Todo(Base):
    __tablename__ = "fastapi_todo"
    __table_args__ = (Index("fastapi_todo_owner_id", "owner", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(150))
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
app = FastAPI()


class TodoIn(BaseModel):
    todo: str = Field(min_length=1, max_length=1000)


class TodoList(BaseModel):
    todos: list[str]


class TodoAdded(BaseModel):
    todo: str
    todo_idx: int


@app.get("/todos/{username}", response_model=TodoList)
def get_todos(username: str, session: SessionDep) -> TodoList:
    texts = session.scalars(select(Todo.text).where(Todo.owner == username).order_by(Todo.id))
    return TodoList(todos=list(texts))


@app.post("/todos/{username}", response_model=TodoAdded, status_code=201)
def add_todo(username: str, payload: TodoIn, session: SessionDep) -> TodoAdded:
    todo = Todo(owner=username, text=payload.todo, created_at=datetime.now(UTC))
    session.add(todo)
    session.flush()
    position = session.scalar(
        select(func.count()).select_from(Todo).where(Todo.owner == username, Todo.id < todo.id)
    )
    session.commit()
    return TodoAdded(todo=payload.todo, todo_idx=position)
