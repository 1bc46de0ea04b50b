"""nginx (deploy/nginx.conf) in front of two Hearth instances sharing PostgreSQL and Redis."""
import json
import os
import re
import secrets
import shutil
import struct
import subprocess
import tempfile
import time

import pytest
import requests
import websocket

from hearth_process import ROOT, create_database, drop_database, free_port, start_hearth, stop


def nginx_config(listen_port, upstream_ports, prefix_dir):
    """deploy/nginx.conf with the test's ports, paths and user: everything else as deployed."""
    config = (ROOT / "deploy/nginx.conf").read_text()
    upstream = (ROOT / "deploy/upstream.local.conf").read_text()
    servers = [line for line in upstream.splitlines() if line.strip().startswith("server ")]
    assert len(servers) == len(upstream_ports)
    for line, port in zip(servers, upstream_ports):
        upstream = upstream.replace(line, re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", line))
    with open(f"{prefix_dir}/hearth-upstream.conf", "w") as file:
        file.write(upstream)
    config = config.replace("include /etc/nginx/hearth-upstream.conf;", f"include {prefix_dir}/hearth-upstream.conf;")
    config = config.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    config = config.replace("alias /srv/hearth/static/;", f"alias {ROOT}/static/;")
    config = config.replace("user www-data;", "user root;" if os.geteuid() == 0 else "")
    config = config.replace("pid /run/nginx-hearth.pid;", f"pid {prefix_dir}/nginx.pid;")
    config = config.replace("/var/log/nginx/", f"{prefix_dir}/")
    # Test only: say which instance served a request, so a test can pick its sockets.
    config = config.replace("proxy_pass http://hearth;", "proxy_pass http://hearth;\n            add_header X-Upstream $upstream_addr always;")
    return config


@pytest.fixture
def deployment():
    """Two instances behind nginx; yields (nginx URL, {port: process})."""
    database = create_database()
    prefix = "e2e_" + secrets.token_hex(4)
    ports = [free_port(), free_port()]
    instances = {port: start_hearth(database, port, prefix=prefix, trusted_proxies="127.0.0.1") for port in ports}
    directory = tempfile.mkdtemp(prefix="hearth-nginx-")
    listen = free_port()
    with open(f"{directory}/nginx.conf", "w") as file:
        file.write(nginx_config(listen, ports, directory))
    nginx = subprocess.Popen(["nginx", "-p", directory, "-c", f"{directory}/nginx.conf", "-g", "daemon off;"])
    try:
        url = f"http://127.0.0.1:{listen}"
        deadline = time.time() + 20
        while True:
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.time() < deadline, "nginx did not start"
            time.sleep(0.2)
        yield url, instances
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for process in instances.values():
            stop(process)
        drop_database(database)
        shutil.rmtree(directory, ignore_errors=True)


def csrf(session, url):
    return re.search(r'name="csrf" value="([^"]*)"', session.get(url).text).group(1)


def register(url):
    session = requests.Session()
    name = "u" + secrets.token_hex(5)
    token = csrf(session, url + "/register")
    response = session.post(url + "/register", data={"csrf": token, "username": name, "password": "correct horse", "confirmation": "correct horse"})
    assert response.status_code == 200 and response.url.endswith("/rooms")
    return name, session


def open_socket(base, session, room, after=0):
    ws_url = base.replace("http://", "ws://") + f"/rooms/{room}/ws?after={after}"
    cookie = "hearth_session=" + session.cookies["hearth_session"]
    socket = websocket.create_connection(ws_url, header=[f"Cookie: {cookie}"], origin=base, timeout=10)
    return socket


def frames(socket):
    while True:
        data = socket.recv()
        assert data, "the socket closed"
        yield json.loads(data)


def next_frame(socket, predicate, limit=200):
    for _, frame in zip(range(limit), frames(socket)):
        if predicate(frame):
            return frame
    raise AssertionError("no matching frame")


def text_messages(socket, count):
    seen = []
    while len(seen) < count:
        frame = next_frame(socket, lambda f: f["type"] == "message" and f["message"]["kind"] == "text")
        seen.append(frame["message"])
    return seen


def test_pages_static_files_and_chat_across_instances_through_nginx(deployment):
    url, instances = deployment
    page = requests.get(url + "/login")
    assert page.status_code == 200 and "Log in" in page.text
    css = requests.get(url + "/static/hearth.css", headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200
    assert "max-age=3600" in css.headers.get("Cache-Control", "")
    assert css.headers.get("Content-Encoding") == "gzip"
    # Metrics are for scraping instances directly, never through the public proxy.
    assert requests.get(url + "/metrics").status_code == 404

    name, alice = register(url)
    token = csrf(alice, url + "/rooms")
    assert alice.post(url + "/rooms", data={"csrf": token, "name": "Hall"}).url.endswith("/rooms/Hall")
    _, bob = register(url)

    # Alice through nginx; Bob on each instance directly, so one of them is on the other instance.
    through_nginx = open_socket(url, alice, "Hall")
    direct = [open_socket(f"http://127.0.0.1:{port}", bob, "Hall") for port in instances]
    for socket in [through_nginx] + direct:
        next_frame(socket, lambda f: f["type"] == "ready")
    through_nginx.send(json.dumps({"type": "send", "body": "hello via nginx"}))
    for socket in direct:
        assert text_messages(socket, 1)[0]["body"] == "hello via nginx"
    for socket in [through_nginx] + direct:
        socket.close()


def test_clients_of_a_stopped_instance_reconnect_through_nginx_and_catch_up(deployment):
    url, instances = deployment
    _, alice = register(url)
    token = csrf(alice, url + "/rooms")
    alice.post(url + "/rooms", data={"csrf": token, "name": "Hall"})
    _, bob = register(url)

    # One socket through nginx on each instance (nginx balances, the test picks).
    by_instance = {}
    for session in [alice, bob] * 8:
        socket = open_socket(url, session, "Hall")
        upstream = socket.getheaders().get("x-upstream")
        if upstream in by_instance:
            socket.close()
            continue
        by_instance[upstream] = (socket, session)
        if len(by_instance) == 2:
            break
    assert len(by_instance) == 2, "nginx used both instances"
    for socket, _ in by_instance.values():
        next_frame(socket, lambda f: f["type"] == "ready")
    (first, _), (second, _) = by_instance.values()
    first.send(json.dumps({"type": "send", "body": "before"}))
    last = {s: text_messages(s, 1)[0]["position"] for s in (first, second)}

    # Stop one instance: its socket ends with 1001 and its client reconnects through nginx
    # (which now only reaches the survivor) with its last position, as the browser client does.
    port, process = next(iter(instances.items()))
    stop(process)
    survivors = []
    close_codes = []
    for socket, session in by_instance.values():
        try:
            socket.settimeout(2)
            while True:
                opcode, data = socket.recv_data(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:  # the instance went away
                    close_codes.append(struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None)
                    raise websocket.WebSocketConnectionClosedException()
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    frame = json.loads(data)
                    if frame["type"] == "message":
                        last[socket] = frame["message"]["position"]
        except websocket.WebSocketTimeoutException:
            socket.settimeout(10)
            survivors.append((socket, last[socket]))
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            replacement = open_socket(url, session, "Hall", after=last[socket])
            survivors.append((replacement, last[socket]))
    assert len(survivors) == 2
    # SIGTERM closed the stopped instance's socket with 1001 ("going away"): reconnect elsewhere.
    assert close_codes == [1001]

    sender, _ = survivors[0]
    for n in range(5):
        sender.send(json.dumps({"type": "send", "body": f"after {n}"}))
    for socket, _ in survivors:
        bodies = [m["body"] for m in text_messages(socket, 5)]
        assert bodies == [f"after {n}" for n in range(5)]
