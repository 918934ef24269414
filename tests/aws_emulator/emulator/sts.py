"""STS (query protocol): GetCallerIdentity only, for a provider configured without
skip_credentials_validation / skip_requesting_account_id."""

import uuid

from .errors import ApiError
from .xmlout import el

NS = "https://sts.amazonaws.com/doc/2011-06-15/"
ACCOUNT = "123456789012"


def handle(action, params):
    if action != "GetCallerIdentity":
        raise ApiError("InvalidAction", f"emulator: STS action {action} is not modelled")
    return el("GetCallerIdentityResponse", [
        el("GetCallerIdentityResult", [el("Arn", f"arn:aws:iam::{ACCOUNT}:user/emulator"),
                                       el("UserId", "AIDAEMULATOR"), el("Account", ACCOUNT)]),
        el("ResponseMetadata", [el("RequestId", str(uuid.uuid4()))])], xmlns=NS)
