"""Starts a real Hearth (the debug build) on a free port with a fresh database for the browser tests."""
import os
import pathlib
import secrets
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get("HEARTH_TEST_DATABASE_URL", "postgres://hearth:hearth@127.0.0.1:54329/postgres?sslmode=disable")
REDIS_URL = os.environ.get("HEARTH_TEST_REDIS_URL", "redis://127.0.0.1:63799/0")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql):
    subprocess.run(["psql", ADMIN_URL.split("?")[0], "-qc", sql], check=True, env={**os.environ, "PGPASSWORD": "hearth"})


@pytest.fixture(scope="session")
def hearth_url():
    database = "hearth_browser_" + secrets.token_hex(6)
    psql(f"CREATE DATABASE {database}")
    port = free_port()
    base = ADMIN_URL.split("?")[0].rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{database}?sslmode=disable",
        "REDIS_URL": REDIS_URL,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "BCRYPT_COST": "4",
        "LOG_LEVEL": "warning",
        "TEMPLATES_DIR": str(ROOT / "templates"),
        "STATIC_DIR": str(ROOT / "static"),
    }
    server = subprocess.Popen([str(ROOT / ".build/debug/hearth"), "serve"], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.time() > deadline:
                raise RuntimeError("hearth did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
