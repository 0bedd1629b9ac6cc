"""The server half of Cognito's SRP, built from pycognito's helpers (an implementation
independent of the Rust crate), to check Chartdesk's PASSWORD_VERIFIER answers.

  init   '{"pool_id","user_id","password"}'  -> salt, B, b, v, secret_block (what Cognito sends)
  verify '{... init output ..., "A","timestamp","signature","pool_id","user_id"}' -> {"match": bool}
"""
import base64
import hashlib
import hmac
import json
import os
import sys

from pycognito.aws_srp import (
    AWSSRP,
    calculate_u,
    compute_hkdf,
    hash_sha256,
    hex_hash,
    hex_to_long,
    long_to_hex,
    pad_hex,
)

# Only its constants are used (N, g, k); no AWS client is made.
SRP = AWSSRP("u", "p", "eu-west-2_pool", "client", client=object())


def verifier(pool_id, user_id, password, salt_hex):
    pool_name = pool_id.split("_")[1]
    identity = hash_sha256(f"{pool_name}{user_id}:{password}".encode("utf-8"))
    x = hex_to_long(hex_hash(pad_hex(salt_hex) + identity))
    return pow(SRP.val_g, x, SRP.big_n)


def init(req):
    salt = os.urandom(16).hex()
    v = verifier(req["pool_id"], req["user_id"], req["password"], salt)
    b = int.from_bytes(os.urandom(32), "big")
    big_b = (SRP.val_k * v + pow(SRP.val_g, b, SRP.big_n)) % SRP.big_n
    return {
        "SALT": salt,
        "SRP_B": long_to_hex(big_b),
        "SECRET_BLOCK": base64.standard_b64encode(os.urandom(64)).decode(),
        "USER_ID_FOR_SRP": req["user_id"],
        "b": long_to_hex(b),
        "v": long_to_hex(v),
    }


def verify(req):
    big_a = hex_to_long(req["A"])
    big_b = hex_to_long(req["SRP_B"])
    if big_a % SRP.big_n == 0:
        return {"match": False}
    u = calculate_u(big_a, big_b)
    v = hex_to_long(req["v"])
    s = pow(big_a * pow(v, u, SRP.big_n), hex_to_long(req["b"]), SRP.big_n)
    key = compute_hkdf(bytearray.fromhex(pad_hex(s)), bytearray.fromhex(pad_hex(long_to_hex(u))))
    msg = (
        req["pool_id"].split("_")[1].encode()
        + req["USER_ID_FOR_SRP"].encode()
        + base64.standard_b64decode(req["SECRET_BLOCK"])
        + req["timestamp"].encode()
    )
    expected = base64.standard_b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
    return {"match": hmac.compare_digest(expected, req["signature"])}


if __name__ == "__main__":
    command, payload = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps({"init": init, "verify": verify}[command](payload)))
