"""An S3 request to the emulator the way the provider's SDK sends it (path style, an
Authorization header the emulator reads the service from), for the emulator's own tests."""

import http.client
import urllib.parse


def s3(emu, method, path, body=b"", headers=None):
    u = urllib.parse.urlsplit(emu.endpoint)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request(method, path, body=body, headers={
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/s3/aws4_request, s=x",
        **(headers or {})})
    r = c.getresponse()
    out = (r.status, r.read())
    c.close()
    return out
