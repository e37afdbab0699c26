#!/usr/bin/python3
"""Checks a Sigstore bundle's DSSE signature independently of berth, for tests.

  verify_bundle.py BUNDLE.json PUBLIC_KEY.pem
Computes the DSSE pre-authentication encoding itself and verifies the ECDSA
(SHA-256) signature with python3-cryptography. Prints the statement's subject
digests and predicate type as JSON; exits 1 when the signature is bad.
"""
import base64
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key


def main():
    bundle = json.load(open(sys.argv[1]))
    key = load_pem_public_key(open(sys.argv[2], "rb").read())
    envelope = bundle["dsseEnvelope"]
    payload = base64.b64decode(envelope["payload"])
    payload_type = envelope["payloadType"].encode()
    pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(payload), payload)
    signature = base64.b64decode(envelope["signatures"][0]["sig"])
    try:
        key.verify(signature, pae, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        print("bad signature", file=sys.stderr)
        return 1
    statement = json.loads(payload)
    print(json.dumps({"mediaType": bundle["mediaType"], "predicateType": statement["predicateType"],
                      "subjects": [s["digest"] for s in statement["subject"]]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
