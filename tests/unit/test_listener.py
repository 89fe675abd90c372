"""A worker a reload replaces stops taking connections (pyxle.app._listener), on real sockets."""

from __future__ import annotations

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
        monkeypatch.setenv(LISTENER, str(os.fstat(ours.fileno()).st_ino))
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
