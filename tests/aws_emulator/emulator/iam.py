"""IAM (query protocol: form-encoded Action=..., XML answers): users, their inline
policies and access keys, plus the empty listings the provider walks when it
deletes a user with force_destroy."""

import secrets
import threading
import time
import urllib.parse
import uuid

from .errors import ApiError
from .xmlout import el, iso8601

ACCOUNT = "123456789012"
NS = "https://iam.amazonaws.com/doc/2010-05-08/"

# Listings the provider reads before DeleteUser (force_destroy): nothing of that
# kind is ever created here, so they are empty. Value: (result list element).
EMPTY_LISTS = {
    "ListGroupsForUser": "Groups",
    "ListAttachedUserPolicies": "AttachedPolicies",
    "ListSSHPublicKeys": "SSHPublicKeys",
    "ListServiceSpecificCredentials": "ServiceSpecificCredentials",
    "ListMFADevices": "MFADevices",
    "ListVirtualMFADevices": "VirtualMFADevices",
    "ListSigningCertificates": "Certificates",
    "ListPolicies": "Policies",
}


class Iam:
    def __init__(self, on_change):
        self._lock = threading.RLock()
        self._on_change = on_change
        self.users = {}

    def handle(self, action, params):
        with self._lock:
            if action in EMPTY_LISTS:
                self._user(params.get("UserName")) if "UserName" in params else None
                body = [el(EMPTY_LISTS[action]), el("IsTruncated", "false")]
            else:
                method = getattr(self, "_" + action, None)
                if method is None:
                    raise ApiError("InvalidAction", f"emulator: IAM action {action} is not modelled")
                body = method(params)
        self._on_change()
        return _response(action, body)

    def _user(self, name):
        user = self.users.get(name)
        if user is None:
            raise ApiError("NoSuchEntity", f"The user with name {name} cannot be found.", 404)
        return user

    def _render_user(self, u):
        children = [el("Path", u["Path"]), el("UserName", u["UserName"]), el("UserId", u["UserId"]),
                    el("Arn", u["Arn"]), el("CreateDate", iso8601(u["CreateDate"]))]
        if u["Tags"]:
            children.append(el("Tags", [_tag(k, v) for k, v in u["Tags"].items()]))
        return el("User", children)

    def _CreateUser(self, p):
        name = p.get("UserName")
        if name in self.users:
            raise ApiError("EntityAlreadyExists", f"User with name {name} already exists.", 409)
        path = p.get("Path", "/")
        self.users[name] = {
            "UserName": name, "Path": path, "UserId": "AIDA" + uuid.uuid4().hex[:17].upper(),
            "Arn": f"arn:aws:iam::{ACCOUNT}:user{path}{name}", "CreateDate": time.time(),
            "Tags": _tags_from(p), "Policies": {}, "AccessKeys": {},
        }
        return [self._render_user(self.users[name])]

    def _GetUser(self, p):
        return [self._render_user(self._user(p.get("UserName")))]

    def _ListUserTags(self, p):
        u = self._user(p.get("UserName"))
        return [el("Tags", [_tag(k, v) for k, v in u["Tags"].items()]), el("IsTruncated", "false")]

    def _TagUser(self, p):
        self._user(p.get("UserName"))["Tags"].update(_tags_from(p))
        return []

    def _UntagUser(self, p):
        u = self._user(p.get("UserName"))
        for k in _members(p, "TagKeys"):
            u["Tags"].pop(k, None)
        return []

    def _UpdateUser(self, p):
        u = self._user(p.get("UserName"))
        if p.get("NewPath"):
            u["Path"] = p["NewPath"]
        return []

    def _DeleteUser(self, p):
        u = self._user(p.get("UserName"))
        if u["Policies"] or u["AccessKeys"]:
            raise ApiError("DeleteConflict", "Cannot delete entity, must delete policies/keys first.", 409)
        del self.users[u["UserName"]]
        return []

    def _GetLoginProfile(self, p):
        self._user(p.get("UserName"))
        raise ApiError("NoSuchEntity", f"Login Profile for User {p.get('UserName')} cannot be found.", 404)

    def _DeleteLoginProfile(self, p):
        return self._GetLoginProfile(p)

    # inline policies
    def _PutUserPolicy(self, p):
        self._user(p.get("UserName"))["Policies"][p.get("PolicyName")] = p.get("PolicyDocument", "")
        return []

    def _GetUserPolicy(self, p):
        u = self._user(p.get("UserName"))
        doc = u["Policies"].get(p.get("PolicyName"))
        if doc is None:
            raise ApiError("NoSuchEntity", f"The user policy with name {p.get('PolicyName')} cannot be found.", 404)
        # IAM returns the document URL-encoded (RFC 3986); the provider decodes it.
        return [el("UserName", u["UserName"]), el("PolicyName", p.get("PolicyName")),
                el("PolicyDocument", urllib.parse.quote(doc, safe=""))]

    def _ListUserPolicies(self, p):
        u = self._user(p.get("UserName"))
        return [el("PolicyNames", [el("member", n) for n in u["Policies"]]), el("IsTruncated", "false")]

    def _DeleteUserPolicy(self, p):
        u = self._user(p.get("UserName"))
        if u["Policies"].pop(p.get("PolicyName"), None) is None:
            raise ApiError("NoSuchEntity", f"The user policy with name {p.get('PolicyName')} cannot be found.", 404)
        return []

    # access keys
    def _CreateAccessKey(self, p):
        u = self._user(p.get("UserName"))
        key_id = "AKIA" + secrets.token_hex(8).upper()
        key = {"AccessKeyId": key_id, "SecretAccessKey": secrets.token_urlsafe(30)[:40],
               "Status": "Active", "CreateDate": time.time()}
        u["AccessKeys"][key_id] = key
        return [el("AccessKey", [el("UserName", u["UserName"]), el("AccessKeyId", key_id),
                                 el("Status", "Active"), el("SecretAccessKey", key["SecretAccessKey"]),
                                 el("CreateDate", iso8601(key["CreateDate"]))])]

    def _ListAccessKeys(self, p):
        u = self._user(p.get("UserName"))
        members = [el("member", [el("UserName", u["UserName"]), el("AccessKeyId", k["AccessKeyId"]),
                                 el("Status", k["Status"]), el("CreateDate", iso8601(k["CreateDate"]))])
                   for k in u["AccessKeys"].values()]
        return [el("AccessKeyMetadata", members), el("IsTruncated", "false")]

    def _GetAccessKeyLastUsed(self, p):
        for u in self.users.values():
            if p.get("AccessKeyId") in u["AccessKeys"]:
                return [el("UserName", u["UserName"]),
                        el("AccessKeyLastUsed", [el("ServiceName", "N/A"), el("Region", "N/A")])]
        raise ApiError("NoSuchEntity", "The Access Key with id cannot be found", 404)

    def _UpdateAccessKey(self, p):
        u = self._user(p.get("UserName"))
        key = u["AccessKeys"].get(p.get("AccessKeyId"))
        if key is None:
            raise ApiError("NoSuchEntity", "The Access Key with id cannot be found", 404)
        key["Status"] = p.get("Status", key["Status"])
        return []

    def _DeleteAccessKey(self, p):
        u = self._user(p.get("UserName"))
        if u["AccessKeys"].pop(p.get("AccessKeyId"), None) is None:
            raise ApiError("NoSuchEntity", "The Access Key with id cannot be found", 404)
        return []

    def snapshot(self):
        with self._lock:
            return {n: {"path": u["Path"], "tags": u["Tags"], "policies": u["Policies"],
                        "accessKeys": sorted(u["AccessKeys"])} for n, u in self.users.items()}


def _members(p, prefix):
    out, i = [], 1
    while f"{prefix}.member.{i}" in p:
        out.append(p[f"{prefix}.member.{i}"])
        i += 1
    return out


def _tags_from(p):
    tags, i = {}, 1
    while f"Tags.member.{i}.Key" in p:
        tags[p[f"Tags.member.{i}.Key"]] = p.get(f"Tags.member.{i}.Value", "")
        i += 1
    return tags


def _tag(k, v):
    return el("member", [el("Key", k), el("Value", v)])


def _response(action, result_children):
    children = []
    if result_children:
        children.append(el(f"{action}Result", result_children))
    children.append(el("ResponseMetadata", [el("RequestId", str(uuid.uuid4()))]))
    return el(f"{action}Response", children, xmlns=NS)
