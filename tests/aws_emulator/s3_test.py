#!/usr/bin/env python3
"""Fast tests of the emulator's S3 answers that xdeploy's remote lock and shared
history rely on (no Terraform): conditional DELETE, ListObjectsV2 pages, and
the bucket settings a state-bucket bootstrap writes. Each answer is the one the
S3 API reference gives (sources in README.md, "S3 as modelled")."""

import hashlib
import os
import sys
import tempfile
import threading
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "real_terraform"))
from tf_harness import Emulator  # noqa: E402

from raw_s3 import s3  # noqa: E402

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def etag_of(body):
    return '"' + hashlib.md5(body).hexdigest() + '"'


def error_code(body):
    return ET.fromstring(body).findtext("Code")


def list_v2(emu, bucket, **params):
    query = urllib.parse.urlencode(sorted({"list-type": "2", **params}.items()))
    status, body = s3(emu, "GET", f"/{bucket}?{query}")
    assert status == 200, (status, body)
    root = ET.fromstring(body)
    return {
        "keys": [c.findtext(NS + "Key") for c in root.findall(NS + "Contents")],
        "prefixes": [p.findtext(NS + "Prefix") for p in root.findall(NS + "CommonPrefixes")],
        "truncated": root.findtext(NS + "IsTruncated"),
        "count": int(root.findtext(NS + "KeyCount")),
        "next": root.findtext(NS + "NextContinuationToken"),
    }


class S3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.emu = Emulator(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        cls.tmp.cleanup()

    def test_delete_if_match_removes_only_the_version_it_names(self):
        self.assertEqual(200, s3(self.emu, "PUT", "/locks")[0])
        self.assertEqual(200, s3(self.emu, "PUT", "/locks/l", body=b"mine", headers={"If-None-Match": "*"})[0])
        # Another ETag: 412 PreconditionFailed and the object stays.
        status, body = s3(self.emu, "DELETE", "/locks/l", headers={"If-Match": etag_of(b"theirs")})
        self.assertEqual((412, "PreconditionFailed"), (status, error_code(body)))
        self.assertEqual((200, b"mine"), s3(self.emu, "GET", "/locks/l"))
        # Its own ETag: 204, gone.
        self.assertEqual(204, s3(self.emu, "DELETE", "/locks/l", headers={"If-Match": etag_of(b"mine")})[0])
        self.assertEqual(404, s3(self.emu, "HEAD", "/locks/l")[0])
        # A missing key under If-Match: 404 NoSuchKey (an unconditional DELETE says 204).
        status, body = s3(self.emu, "DELETE", "/locks/l", headers={"If-Match": etag_of(b"mine")})
        self.assertEqual((404, "NoSuchKey"), (status, error_code(body)))
        self.assertEqual(204, s3(self.emu, "DELETE", "/locks/l")[0])
        # If-Match: * deletes whatever exists, and only if something does.
        s3(self.emu, "PUT", "/locks/l", body=b"again")
        self.assertEqual(204, s3(self.emu, "DELETE", "/locks/l", headers={"if-match": "*"})[0])
        self.assertEqual(404, s3(self.emu, "DELETE", "/locks/l", headers={"If-Match": "*"})[0])

    def test_a_lock_taken_and_released_under_concurrency_is_held_by_one_at_a_time(self):
        """16 threads each take the lock (PUT If-None-Match), check nobody else holds it,
        and release it (DELETE If-Match their ETag), 20 times: never two holders."""
        s3(self.emu, "PUT", "/mutex")
        holders, overlaps, rounds = [], [], []
        guard = threading.Lock()

        def worker(i):
            body = f"holder-{i}".encode()
            done = 0
            for _ in range(2000):
                if done == 20:
                    break
                if s3(self.emu, "PUT", "/mutex/lock", body=body, headers={"If-None-Match": "*"})[0] != 200:
                    continue
                with guard:
                    holders.append(i)
                    if len(holders) > 1:
                        overlaps.append(list(holders))
                status, got = s3(self.emu, "GET", "/mutex/lock")
                if got != body:
                    overlaps.append(("read", i, got))
                with guard:
                    holders.remove(i)
                self.assertEqual(204, s3(self.emu, "DELETE", "/mutex/lock", headers={"If-Match": etag_of(body)})[0])
                done += 1
            with guard:
                rounds.append(done)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([], overlaps)
        self.assertEqual([20] * 16, rounds)

    def test_list_objects_v2_pages_by_max_keys_and_continuation_token(self):
        s3(self.emu, "PUT", "/hist")
        keys = [f"state.tfstate.xdeploy/history/{i:04d}.json" for i in range(7)] + ["other/x", "state.tfstate"]
        for k in keys:
            self.assertEqual(200, s3(self.emu, "PUT", "/hist/" + k, body=k.encode())[0])
        prefix = "state.tfstate.xdeploy/history/"
        pages, token = [], None
        while True:
            params = {"prefix": prefix, "max-keys": "3"}
            if token:
                params["continuation-token"] = token
            page = list_v2(self.emu, "hist", **params)
            pages.append(page["keys"])
            self.assertEqual(len(page["keys"]), page["count"])
            if page["truncated"] == "false":
                self.assertIsNone(page["next"])
                break
            self.assertEqual("true", page["truncated"])
            token = page["next"]
        self.assertEqual([3, 3, 1], [len(p) for p in pages])
        self.assertEqual(sorted(k for k in keys if k.startswith(prefix)), [k for p in pages for k in p])
        # start-after skips up to and including the given key; the default page holds all.
        self.assertEqual(keys[5:7], list_v2(self.emu, "hist", prefix=prefix, **{"start-after": keys[4]})["keys"])
        self.assertEqual(7, list_v2(self.emu, "hist", prefix=prefix)["count"])
        # A delimiter rolls keys up into one CommonPrefixes entry, which counts as one key.
        top = list_v2(self.emu, "hist", delimiter="/")
        self.assertEqual(["state.tfstate"], top["keys"])
        self.assertEqual(["other/", "state.tfstate.xdeploy/"], top["prefixes"])
        self.assertEqual(3, top["count"])
        first = list_v2(self.emu, "hist", delimiter="/", **{"max-keys": "1"})
        self.assertEqual(["other/"], first["prefixes"])
        rest = list_v2(self.emu, "hist", delimiter="/", **{"continuation-token": first["next"]})
        self.assertEqual((["state.tfstate"], ["state.tfstate.xdeploy/"]), (rest["keys"], rest["prefixes"]))

    def test_list_objects_v2_refuses_a_bad_max_keys_or_token(self):
        s3(self.emu, "PUT", "/bad")
        for query in ("list-type=2&max-keys=x", "list-type=2&max-keys=-1", "continuation-token=%25%25&list-type=2"):
            status, body = s3(self.emu, "GET", "/bad?" + query)
            self.assertEqual((400, "InvalidArgument"), (status, error_code(body)), query)

    def test_bucket_settings_of_a_state_bucket_are_kept_and_read_back(self):
        self.assertEqual(200, s3(self.emu, "PUT", "/state-bucket")[0])
        versioning = (b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                      b"<Status>Enabled</Status></VersioningConfiguration>")
        encryption = (b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>'
                      b"<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
                      b"</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")
        block = (b'<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                 b"<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"
                 b"<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>"
                 b"</PublicAccessBlockConfiguration>")
        # Before: versioning never configured (no Status), no access block (404).
        status, body = s3(self.emu, "GET", "/state-bucket?versioning")
        self.assertEqual(200, status)
        self.assertIsNone(ET.fromstring(body).findtext(NS + "Status"))
        status, body = s3(self.emu, "GET", "/state-bucket?publicAccessBlock")
        self.assertEqual((404, "NoSuchPublicAccessBlockConfiguration"), (status, error_code(body)))
        for sub, doc in (("versioning", versioning), ("encryption", encryption), ("publicAccessBlock", block)):
            self.assertEqual(200, s3(self.emu, "PUT", f"/state-bucket?{sub}", body=doc)[0], sub)
            self.assertEqual((200, doc), s3(self.emu, "GET", f"/state-bucket?{sub}"), sub)
        status, body = s3(self.emu, "HEAD", "/no-such-bucket")
        self.assertEqual(404, status)


if __name__ == "__main__":
    unittest.main(verbosity=2)
