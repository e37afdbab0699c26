#!/usr/bin/python3
# Client-side helpers for selftest_vendors.sh: the parts a shell cannot do (sealed boxes, signed JWT assertions,
# JSON field extraction). They play the client, independently of the stand-ins' own code: sealing uses libsodium
# through python3-nacl, signing uses OpenSSL through python3-cryptography, and CRC-32C comes from Google's crcmod
# copy in the Cloud SDK when that is installed.
#
# Usage:
#   get EXPR                      read JSON on stdin, print eval(EXPR) with d = the document (str as is, else JSON)
#   seal PUBKEY_B64               read a value on stdin, print base64(crypto_box_seal(value, key))
#   open KEY_FILE CIPHER_B64      open a sealed box with the key file the GitHub stand-in wrote, print the value
#   jwt KEY_FILE [options]        print a JWT-bearer assertion for a Google service-account key file
#   crc32c                        print the CRC-32C (decimal) of stdin, and which implementation computed it

import argparse
import base64
import json
import os
import sys
import time


def Get(args):
    d = json.load(sys.stdin)
    value = eval(args.expr, {"d": d, "len": len, "sorted": sorted, "any": any, "all": all})
    print(value if isinstance(value, str) else json.dumps(value))


def Seal(args):
    import nacl.public
    key = nacl.public.PublicKey(base64.b64decode(args.public_key))
    print(base64.b64encode(nacl.public.SealedBox(key).encrypt(sys.stdin.buffer.read())).decode())


def Open(args):
    import nacl.public
    with open(args.key_file) as f:
        key = json.load(f)
    private = nacl.public.PrivateKey(base64.b64decode(key["private_key"]))
    sys.stdout.write(nacl.public.SealedBox(private).decrypt(base64.b64decode(args.ciphertext)).decode())


def B64Url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def Jwt(args):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    with open(args.key_file) as f:
        key = json.load(f)
    if args.wrong_key:
        signer = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        signer = serialization.load_pem_private_key(key["private_key"].encode(), password=None)
    now = int(time.time()) + args.iat_offset
    header = {"alg": "RS256", "typ": "JWT", "kid": args.kid if args.kid is not None else key["private_key_id"]}
    claims = {"iss": key["client_email"], "aud": args.aud if args.aud is not None else key["token_uri"],
              "iat": now, "exp": now + args.lifetime}
    if args.scope:
        claims["scope"] = args.scope
    signing_input = B64Url(json.dumps(header).encode()) + "." + B64Url(json.dumps(claims).encode())
    signature = signer.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    print(signing_input + "." + B64Url(signature))


def Crc32c(args):
    data = sys.stdin.buffer.read()
    sdk = "/usr/lib/google-cloud-sdk/lib/third_party"
    if os.path.isdir(os.path.join(sdk, "gcloud_crcmod")):
        sys.path.insert(0, sdk)
        import gcloud_crcmod
        print(gcloud_crcmod.predefined.mkCrcFun("crc-32c")(data), "gcloud_crcmod")
    else:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "google"))
        from crc32c import Crc32c as Ours
        print(Ours(data), "standin-crc32c")


def Main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("get")
    p.add_argument("expr")
    p.set_defaults(run=Get)
    p = sub.add_parser("seal")
    p.add_argument("public_key")
    p.set_defaults(run=Seal)
    p = sub.add_parser("open")
    p.add_argument("key_file")
    p.add_argument("ciphertext")
    p.set_defaults(run=Open)
    p = sub.add_parser("jwt")
    p.add_argument("key_file")
    p.add_argument("--aud")
    p.add_argument("--kid")
    p.add_argument("--scope", default="https://www.googleapis.com/auth/cloud-platform")
    p.add_argument("--iat-offset", type=int, default=0)
    p.add_argument("--lifetime", type=int, default=3600)
    p.add_argument("--wrong-key", action="store_true")
    p.set_defaults(run=Jwt)
    p = sub.add_parser("crc32c")
    p.set_defaults(run=Crc32c)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    Main()
