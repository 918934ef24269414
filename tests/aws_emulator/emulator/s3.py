"""S3 (REST/XML, path-style: /<bucket>/<key>): buckets, the bucket sub-resources the
provider refreshes, and objects, with `If-None-Match: *` as an atomic
create-only PUT (412 PreconditionFailed when the key exists), `If-Match: <ETag>`
as a compare-and-swap on PUT and on DELETE, and ListObjectsV2 pages
(prefix, delimiter, max-keys, start-after, continuation-token) as S3 answers them.

Objects live in memory and are mirrored to <state-dir>/s3/<bucket>/<key> so a
test can look at what Terraform uploaded.
"""

import base64
import hashlib
import os
import threading
import time
import urllib.parse
import uuid

from .errors import ApiError
from .xmlout import el, http_date, iso8601

NS = "http://s3.amazonaws.com/doc/2006-03-01/"

# GET /<bucket>?<sub> that a new bucket answers with a "not configured" error.
NOT_CONFIGURED = {
    "cors": ("GetBucketCors", "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
    "website": ("GetBucketWebsite", "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
    "lifecycle": ("GetBucketLifecycleConfiguration", "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
    "replication": ("GetBucketReplication", "ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
    "object-lock": ("GetObjectLockConfiguration", "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"),
}

# Bucket sub-resources stored as the XML body Terraform PUT, returned verbatim on GET.
STORED = {
    "tagging": ("BucketTagging", "NoSuchTagSet", "The TagSet does not exist"),
    "publicAccessBlock": ("PublicAccessBlock", "NoSuchPublicAccessBlockConfiguration",
                          "The public access block configuration was not found"),
    "policy": ("BucketPolicy", "NoSuchBucketPolicy", "The bucket policy does not exist"),
    "versioning": ("BucketVersioning", None, None),
    "acl": ("BucketAcl", None, None),
    "encryption": ("BucketEncryption", None, None),
    "ownershipControls": ("BucketOwnershipControls", None, None),
}

DEFAULTS = {
    "versioning": el("VersioningConfiguration", [], xmlns=NS),
    "acl": el("AccessControlPolicy", [
        el("Owner", [el("ID", "emulator-owner"), el("DisplayName", "emulator")]),
        el("AccessControlList", [el("Grant", [
            el("Grantee", [el("ID", "emulator-owner"), el("DisplayName", "emulator")],
               **{"xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "xsi:type": "CanonicalUser"}),
            el("Permission", "FULL_CONTROL")])])], xmlns=NS),
    "encryption": el("ServerSideEncryptionConfiguration", [el("Rule", [
        el("ApplyServerSideEncryptionByDefault", [el("SSEAlgorithm", "AES256")]),
        el("BucketKeyEnabled", "false")])], xmlns=NS),
    "ownershipControls": el("OwnershipControls", [el("Rule", [el("ObjectOwnership", "BucketOwnerEnforced")])], xmlns=NS),
    "accelerate": el("AccelerateConfiguration", [], xmlns=NS),
    "requestPayment": el("RequestPaymentConfiguration", [el("Payer", "BucketOwner")], xmlns=NS),
    "logging": el("BucketLoggingStatus", [], xmlns=NS),
}


class Reply:
    """status, headers, body (bytes or an El)."""

    def __init__(self, status=200, body=b"", headers=None):
        self.status = status
        self.body = body
        self.headers = headers or {}


class S3:
    def __init__(self, state_dir, on_change):
        self._lock = threading.RLock()
        self._on_change = on_change
        self._dir = os.path.join(state_dir, "s3")
        self.buckets = {}

    # ------------------------------------------------------------------ routing
    @staticmethod
    def operation(method, bucket, key, query):
        """The SDK operation name of a request (for the call log and fault matching)."""
        if not bucket:
            return "ListBuckets"
        if key:
            if "tagging" in query:
                return {"GET": "GetObjectTagging", "PUT": "PutObjectTagging", "DELETE": "DeleteObjectTagging"}.get(method, "ObjectTagging")
            return {"GET": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject", "HEAD": "HeadObject"}.get(method, method + "Object")
        for sub, (op, _, _) in NOT_CONFIGURED.items():
            if sub in query:
                return op if method == "GET" else method.title() + op[3:]
        names = {"tagging": "BucketTagging", "publicAccessBlock": "PublicAccessBlock", "policy": "BucketPolicy",
                 "versioning": "BucketVersioning", "acl": "BucketAcl", "encryption": "BucketEncryption",
                 "ownershipControls": "BucketOwnershipControls", "accelerate": "BucketAccelerateConfiguration",
                 "requestPayment": "BucketRequestPayment", "logging": "BucketLogging", "location": "BucketLocation"}
        for sub, name in names.items():
            if sub in query:
                return {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, method) + name
        if "versions" in query:
            return "ListObjectVersions"
        if "delete" in query and method == "POST":
            return "DeleteObjects"
        if method == "GET":
            return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
        return {"PUT": "CreateBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket"}.get(method, method + "Bucket")

    def handle(self, op, method, bucket, key, query, headers, body):
        headers = _Headers(headers)  # HTTP header names are case-insensitive
        with self._lock:
            if op == "ListBuckets":
                reply = self._list_buckets()
            elif op == "CreateBucket":
                reply = self._create_bucket(bucket)
            else:
                b = self._bucket(bucket, quiet=(method == "HEAD"))
                if key:
                    reply = self._object_op(op, b, key, headers, body)
                else:
                    reply = self._bucket_op(op, method, b, query, body)
        self._on_change()
        return reply

    def _bucket(self, name, quiet=False):
        b = self.buckets.get(name)
        if b is None:
            raise ApiError("NotFound" if quiet else "NoSuchBucket", "The specified bucket does not exist", 404)
        return b

    # ------------------------------------------------------------------ buckets
    def _list_buckets(self):
        return Reply(body=el("ListAllMyBucketsResult", [
            el("Owner", [el("ID", "emulator-owner"), el("DisplayName", "emulator")]),
            el("Buckets", [el("Bucket", [el("Name", n), el("CreationDate", iso8601(b["created"]))])
                           for n, b in sorted(self.buckets.items())])], xmlns=NS))

    def _create_bucket(self, name):
        if name in self.buckets:
            raise ApiError("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409)
        self.buckets[name] = {"created": time.time(), "sub": {}, "objects": {}}
        os.makedirs(os.path.join(self._dir, name), exist_ok=True)
        return Reply(headers={"Location": "/" + name})

    def _bucket_op(self, op, method, b, query, body):
        name = next(n for n, x in self.buckets.items() if x is b)
        if op == "HeadBucket":
            return Reply(headers={"x-amz-bucket-region": "us-east-1"})
        if op == "DeleteBucket":
            if b["objects"]:
                raise ApiError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409)
            del self.buckets[name]
            return Reply(status=204)
        if op == "GetBucketLocation":
            return Reply(body=el("LocationConstraint", None, xmlns=NS))
        if op in ("ListObjectVersions", "ListObjects", "ListObjectsV2"):
            return self._list_objects(op, name, b, query)
        if op == "DeleteObjects":
            return self._delete_objects(b, body)
        for sub, (_, code, message) in NOT_CONFIGURED.items():
            if sub in query:
                if method == "GET":
                    raise ApiError(code, message, 404)
                raise ApiError("NotImplemented", f"emulator: {op} is not modelled", 501)
        for sub, (_, code, message) in STORED.items():
            if sub in query:
                if method == "PUT":
                    b["sub"][sub] = body
                    return Reply()
                if method == "DELETE":
                    b["sub"].pop(sub, None)
                    return Reply(status=204)
                if sub in b["sub"]:
                    return Reply(body=b["sub"][sub], headers={"Content-Type": "application/xml"})
                if sub in DEFAULTS:
                    return Reply(body=DEFAULTS[sub])
                raise ApiError(code, message, 404)
        for sub, default in DEFAULTS.items():
            if sub in query and method == "GET":
                return Reply(body=default)
        raise ApiError("NotImplemented", f"emulator: {op} is not modelled", 501)

    def _list_objects(self, op, name, b, query):
        prefix = (query.get("prefix") or [""])[0]
        keys = sorted(k for k in b["objects"] if k.startswith(prefix))
        if op == "ListObjectVersions":
            items = [el("Version", [el("Key", k), el("VersionId", "null"), el("IsLatest", "true"),
                                    el("LastModified", iso8601(b["objects"][k]["modified"])),
                                    el("ETag", b["objects"][k]["etag"]), el("Size", len(b["objects"][k]["body"])),
                                    el("StorageClass", "STANDARD")]) for k in keys]
            return Reply(body=el("ListVersionsResult", [el("Name", name), el("Prefix", prefix),
                                                        el("IsTruncated", "false")] + items, xmlns=NS))
        if op == "ListObjectsV2":
            return self._list_objects_v2(name, b, prefix, keys, query)
        items = [el("Contents", [el("Key", k), el("LastModified", iso8601(b["objects"][k]["modified"])),
                                 el("ETag", b["objects"][k]["etag"]), el("Size", len(b["objects"][k]["body"])),
                                 el("StorageClass", "STANDARD")]) for k in keys]
        return Reply(body=el("ListBucketResult", [el("Name", name), el("Prefix", prefix),
                                                  el("IsTruncated", "false")] + items, xmlns=NS))

    def _list_objects_v2(self, name, b, prefix, keys, query):
        """One page of ListObjectsV2, as S3 pages it: keys in UTF-8 binary order after
        `start-after` or the `continuation-token` (an opaque token from the previous page's
        NextContinuationToken), at most `max-keys` (default and ceiling 1000) entries, where
        keys sharing a `delimiter` segment after the prefix roll up into one CommonPrefixes
        entry that counts as one."""
        def first(param, default=""):
            return (query.get(param) or [default])[0]
        token, start_after, delimiter = first("continuation-token"), first("start-after"), first("delimiter")
        try:
            max_keys = min(int(first("max-keys", "1000")), 1000)
        except ValueError:
            raise ApiError("InvalidArgument", "Provided max-keys not an integer or within integer range", 400)
        if max_keys < 0:
            raise ApiError("InvalidArgument", "Provided max-keys not an integer or within integer range", 400)
        after = start_after
        if token:
            try:
                after = base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
                if not after:
                    raise ValueError("empty token")
            except (ValueError, UnicodeDecodeError):
                raise ApiError("InvalidArgument", "The continuation token provided is incorrect", 400)
        entries = []  # (sort key, element): one per key or per rolled-up common prefix
        seen_prefixes = set()
        for k in keys:
            if after and k.encode() <= after.encode():
                continue
            if delimiter:
                cut = k.find(delimiter, len(prefix))
                if cut >= 0:
                    common = k[:cut + len(delimiter)]
                    if common not in seen_prefixes and not (after and common.encode() <= after.encode()):
                        seen_prefixes.add(common)
                        entries.append((common, el("CommonPrefixes", [el("Prefix", common)])))
                    continue
            o = b["objects"][k]
            entries.append((k, el("Contents", [el("Key", k), el("LastModified", iso8601(o["modified"])),
                                               el("ETag", o["etag"]), el("Size", len(o["body"])),
                                               el("StorageClass", "STANDARD")])))
        page, truncated = entries[:max_keys], len(entries) > max_keys
        head = [el("Name", name), el("Prefix", prefix), el("MaxKeys", max_keys), el("KeyCount", len(page)),
                el("IsTruncated", "true" if truncated else "false")]
        if delimiter:
            head.append(el("Delimiter", delimiter))
        if token:
            head.append(el("ContinuationToken", token))
        if start_after:
            head.append(el("StartAfter", start_after))
        if truncated:
            # The last entry of this page: a rolled-up prefix resumes after every key under it.
            last = page[-1][0]
            resume = last + "\U0010ffff" if delimiter and last in seen_prefixes else last
            head.append(el("NextContinuationToken", base64.urlsafe_b64encode(resume.encode()).decode()))
        return Reply(body=el("ListBucketResult", head + [e for _, e in page], xmlns=NS))

    def _delete_objects(self, b, body):
        import xml.etree.ElementTree as ET
        deleted = []
        root = ET.fromstring(body or b"<Delete/>")
        for obj in root.iter():
            if obj.tag.endswith("Key") and obj.text:
                self._remove_object(b, obj.text)
                deleted.append(el("Deleted", [el("Key", obj.text)]))
        return Reply(body=el("DeleteResult", deleted, xmlns=NS))

    # ------------------------------------------------------------------ objects
    def _object_op(self, op, b, key, headers, body):
        if op == "PutObject":
            return self._put_object(b, key, headers, body)
        if op == "DeleteObject":
            return self._delete_object(b, key, headers)
        obj = b["objects"].get(key)
        if op in ("GetObject", "HeadObject"):
            if obj is None:
                raise ApiError("NotFound" if op == "HeadObject" else "NoSuchKey", "The specified key does not exist.", 404)
            h = {"ETag": obj["etag"], "Last-Modified": http_date(obj["modified"]),
                 "Content-Type": obj["content_type"], "Content-Length": str(len(obj["body"]))}
            h.update(obj["meta"])
            if obj["tags"]:
                h["x-amz-tagging-count"] = str(len(obj["tags"]))
            return Reply(body=obj["body"] if op == "GetObject" else b"", headers=h)
        if obj is None:
            raise ApiError("NoSuchKey", "The specified key does not exist.", 404)
        if op == "GetObjectTagging":
            return Reply(body=el("Tagging", [el("TagSet", [el("Tag", [el("Key", k), el("Value", v)])
                                                           for k, v in obj["tags"].items()])], xmlns=NS))
        if op == "PutObjectTagging":
            obj["tags"] = _parse_tagset(body)
            return Reply()
        if op == "DeleteObjectTagging":
            obj["tags"] = {}
            return Reply(status=204)
        raise ApiError("NotImplemented", f"emulator: {op} is not modelled", 501)

    def _put_object(self, b, key, headers, body):
        # Under the model lock: the existence check and the write are one step,
        # so concurrent create-only PUTs of one key have exactly one winner.
        if headers.get("If-None-Match", "").strip() == "*" and key in b["objects"]:
            raise ApiError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412)
        # If-Match: compare-and-swap on the ETag (S3, since 2024-11): a missing
        # key is 404 NoSuchKey, another ETag 412. falcon-xecutor's daily total.
        if_match = headers.get("If-Match", "").strip()
        if if_match and key not in b["objects"]:
            raise ApiError("NoSuchKey", "The specified key does not exist.", 404)
        if if_match and if_match != b["objects"][key]["etag"]:
            raise ApiError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412)
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        meta = {k: v for k, v in headers.items() if k.lower().startswith("x-amz-meta-")}
        tags = dict(urllib.parse.parse_qsl(headers.get("x-amz-tagging", "")))
        b["objects"][key] = {"body": body, "etag": etag, "modified": time.time(),
                             "content_type": headers.get("Content-Type", "binary/octet-stream"),
                             "meta": meta, "tags": tags}
        name = next(n for n, x in self.buckets.items() if x is b)
        path = self._object_path(name, key)
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = path + ".tmp-" + uuid.uuid4().hex
            with open(tmp, "wb") as f:
                f.write(body)
            os.replace(tmp, path)
        return Reply(headers={"ETag": etag})

    def _delete_object(self, b, key, headers):
        """DELETE, optionally conditional (S3 general purpose buckets, since 2025-09):
        `If-Match: <ETag>` deletes only that version of the object (412 when it
        changed), `If-Match: *` only an existing object; either on a missing key is
        404 NoSuchKey. Unconditional: 204 whether or not the key existed."""
        if_match = headers.get("If-Match", "").strip()
        if if_match:
            obj = b["objects"].get(key)
            if obj is None:
                raise ApiError("NoSuchKey", "The specified key does not exist.", 404)
            if if_match != "*" and if_match != obj["etag"]:
                raise ApiError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412)
        self._remove_object(b, key)
        return Reply(status=204)

    def _remove_object(self, b, key):
        if b["objects"].pop(key, None) is not None:
            name = next(n for n, x in self.buckets.items() if x is b)
            path = self._object_path(name, key)
            if path and os.path.exists(path):
                os.remove(path)

    def _object_path(self, bucket, key):
        path = os.path.normpath(os.path.join(self._dir, bucket, key))
        return path if path.startswith(os.path.join(self._dir, bucket) + os.sep) else None

    def snapshot(self):
        with self._lock:
            return {n: {"objects": {k: {"size": len(o["body"]), "sha256": hashlib.sha256(o["body"]).hexdigest(),
                                        "contentType": o["content_type"]} for k, o in b["objects"].items()},
                        "subresources": sorted(b["sub"])} for n, b in self.buckets.items()}


class _Headers(dict):
    """Request headers with case-insensitive lookup (the Go SDK and libcurl spell them differently)."""

    def get(self, name, default=None):
        lower = name.lower()
        for k, v in self.items():
            if k.lower() == lower:
                return v
        return default


def _parse_tagset(body):
    import xml.etree.ElementTree as ET
    tags = {}
    for tag in ET.fromstring(body).iter():
        if tag.tag.endswith("Tag") and not tag.tag.endswith("TagSet"):
            k = v = None
            for c in tag:
                if c.tag.endswith("Key"):
                    k = c.text or ""
                elif c.tag.endswith("Value"):
                    v = c.text or ""
            if k is not None:
                tags[k] = v or ""
    return tags
