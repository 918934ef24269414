"""Public IPv4 addresses of the emulated cloud, as loopback addresses.

All of 127.0.0.0/8 is loopback on Linux, so every public address (an
instance's dynamic IP, a static IP) is a distinct real address a test can
connect to. Each emulator picks a random 127.R.S.0/24 block so emulators run by
concurrent tests don't collide, and never hands out an address twice (a
detached instance gets a NEW address, as on Lightsail).
"""

import random
import threading


class AddressPool:
    def __init__(self, seed=None):
        rng = random.Random(seed)
        self._lock = threading.Lock()
        self._r = rng.randint(16, 250)  # 127.0.x and 127.1.x stay free for everyone else
        self._s = rng.randint(0, 255)
        self._host = 0

    def next(self):
        with self._lock:
            self._host += 1
            if self._host > 254:
                self._host = 1
                self._s = (self._s + 1) % 256
                if self._s == 0:
                    self._r = 16 + (self._r - 15) % 235
            return f"127.{self._r}.{self._s}.{self._host}"
