"""A worker a reload replaces stops taking connections (pyxle.app._listener), on real sockets."""

from __future__ import annotations

import contextlib
import os
import select
import socket

import pytest

from pyxle.app._listener import LISTENER, stop_accepting

pytestmark = pytest.mark.skipif(not hasattr(select, "epoll"), reason="epoll is Linux's")


def listening() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    return server


def test_the_servers_socket_leaves_every_epoll_and_the_apps_own_stays(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The server's listening socket (named by its inode, as pyxle serve names it) no longer wakes
    the process for a connection; a listening socket of the app's own still does."""
    ours, theirs = listening(), listening()
    watcher = select.epoll()
    try:
        watcher.register(ours.fileno(), select.EPOLLIN)
        watcher.register(theirs.fileno(), select.EPOLLIN)
        monkeypatch.setenv(LISTENER, f"{os.fstat(ours.fileno()).st_ino} 1")  # pyxle serve names each of its sockets
        assert stop_accepting() == 1
        clients = [socket.create_connection(server.getsockname()) for server in (ours, theirs)]
        woken = {fd for fd, _ in watcher.poll(1)}
        assert woken == {theirs.fileno()}
        assert ours.accept()  # the connection waits in the queue for another worker, not refused
        for client in clients:
            client.close()
    finally:
        watcher.close()
        ours.close()
        theirs.close()


def test_without_the_servers_name_for_its_socket_nothing_is_touched(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An app run another way (tests, another server) has no LISTENER: no socket of it is touched."""
    server = listening()
    watcher = select.epoll()
    try:
        watcher.register(server.fileno(), select.EPOLLIN)
        monkeypatch.delenv(LISTENER, raising=False)
        assert stop_accepting() == 0
        client = socket.create_connection(server.getsockname())
        assert [fd for fd, _ in watcher.poll(1)] == [server.fileno()]
        client.close()
    finally:
        watcher.close()
        server.close()


def test_a_waiting_worker_steps_aside_from_its_socket_and_takes_it_again_once_loaded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two workers' sockets on one port, as pyxle serve opens them: while one worker cannot load the
    project, its socket stops listening and the kernel gives every connection to the other's; once
    loaded, it listens again on the same port, and takes its share."""
    from pyxle.app._listener import SLOT, step_aside, take_connections

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ours, theirs = (socket.socket(), socket.socket())
    for sock in (ours, theirs):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()
        sock.setblocking(False)

    def connect(count: int) -> list[socket.socket]:
        return [socket.create_connection(("127.0.0.1", port), timeout=2) for _ in range(count)]

    def taken(sock: socket.socket) -> int:
        count = 0
        with contextlib.suppress(BlockingIOError):
            while True:
                sock.accept()[0].close()
                count += 1
        return count

    clients: list[socket.socket] = []
    try:
        monkeypatch.setenv(SLOT, f"{os.fstat(ours.fileno()).st_ino} 128")
        step_aside()
        assert not ours.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        clients += connect(10)
        assert taken(theirs) == 10
        step_aside()  # again (the next worker in the slot cannot load either): nothing to do
        take_connections()
        assert ours.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) and ours.getsockname()[1] == port
        clients += connect(40)
        mine, others = taken(ours), taken(theirs)
        assert mine > 0 and mine + others == 40, (mine, others)
        take_connections()  # listening already: nothing to do
    finally:
        for sock in (*clients, ours, theirs):
            sock.close()
