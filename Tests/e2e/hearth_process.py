"""Starting and stopping real Hearth processes (the debug build) for end-to-end tests."""
import os
import pathlib
import secrets
import socket
import subprocess
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get("HEARTH_TEST_DATABASE_URL", "postgres://hearth:hearth@127.0.0.1:54329/postgres?sslmode=disable")
REDIS_URL = os.environ.get("HEARTH_TEST_REDIS_URL", "redis://127.0.0.1:63799/0")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql):
    subprocess.run(["psql", ADMIN_URL.split("?")[0], "-qc", sql], check=True)


def create_database():
    name = "hearth_e2e_" + secrets.token_hex(6)
    psql(f"CREATE DATABASE {name}")
    return name


def drop_database(name):
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def wait_ready(url, process, seconds=60):
    deadline = time.time() + seconds
    while True:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.time() > deadline:
            raise RuntimeError("hearth did not start")
        time.sleep(0.2)


def start_hearth(database, port, prefix="hearth", trusted_proxies=""):
    """Starts `hearth serve` and waits until /readyz answers 200."""
    base = ADMIN_URL.split("?")[0].rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{database}?sslmode=disable",
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": prefix,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "BCRYPT_COST": "4",
        "LOG_LEVEL": "warning",
        "TRUSTED_PROXIES": trusted_proxies,
        "TEMPLATES_DIR": str(ROOT / "templates"),
        "STATIC_DIR": str(ROOT / "static"),
    }
    process = subprocess.Popen([str(ROOT / ".build/debug/hearth"), "serve"], env=env, cwd=ROOT)
    wait_ready(f"http://127.0.0.1:{port}", process)
    return process


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
