"""Fixtures: a real Hearth (the debug build) on a free port with a fresh database."""
import pytest

from hearth_process import create_database, drop_database, free_port, start_hearth, stop


@pytest.fixture(scope="session")
def hearth_url():
    database = create_database()
    port = free_port()
    server = start_hearth(database, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)
        drop_database(database)
