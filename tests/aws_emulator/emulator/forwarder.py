"""A TCP forwarder for one public address (an instance's dynamic IP or a static IP).

Each public address of the emulated cloud is a real loopback address
(127.x.y.z) with a listener on the service port. Where a new connection goes is
decided at accept time by `resolve()`, so moving a static IP is only a change
in the cloud model; existing connections are cut on a move (`drop_connections`)
the way a NAT remapping breaks established flows.
"""

import socket
import threading


class Forwarder:
    def __init__(self, address, port, resolve):
        """address/port: where to listen. resolve(client_ip): (host, port) to forward
        to, or None when the firewall (which sees the client's source address) or
        the model refuses the connection."""
        self.address = address
        self.port = port
        self._resolve = resolve
        self._lock = threading.Lock()
        self._conns = set()
        self._closed = False
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((address, port))  # raises OSError if taken: caller picks another address
        self._listener.listen(64)
        threading.Thread(target=self._accept_loop, name=f"fwd-{address}", daemon=True).start()

    def _accept_loop(self):
        while True:
            try:
                client, peer = self._listener.accept()
            except OSError:
                return  # listener closed
            target = self._resolve(peer[0])
            if target is None:
                _hard_close(client)
                continue
            try:
                upstream = socket.create_connection(target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _hard_close(client)  # the instance's app is not listening (yet)
                continue
            with self._lock:
                if self._closed:
                    _hard_close(client)
                    upstream.close()
                    return
                self._conns.add(client)
                self._conns.add(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        with self._lock:
            self._conns.discard(src)
        try:
            src.close()
        except OSError:
            pass

    def drop_connections(self):
        with self._lock:
            conns, self._conns = self._conns, set()
        for c in conns:
            _hard_close(c)

    def close(self):
        with self._lock:
            self._closed = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self.drop_connections()


def _hard_close(sock):
    """Close with RST (SO_LINGER 0): the client sees the refusal at once."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
