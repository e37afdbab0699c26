#!/usr/bin/python3
"""An independent implementation of cosign's encrypted key format, for tests.

Uses only Debian's python3-nacl (secretbox), hashlib.scrypt and
python3-cryptography (PKCS#8), none of which berth uses, so a key that
round-trips between this script and berth shows both follow the format.
The password is read from stdin (all of it, so it may be empty), never argv.

  cosign_key_nacl.py decrypt KEYFILE
      prints {"label", "N", "r", "p", "public_key_pem", "key_type"}
  cosign_key_nacl.py encrypt KEYFILE [--type ec|rsa] [--n N] [--label L]
      writes a new key there and prints {"public_key_pem"}
"""
import argparse
import base64
import hashlib
import json
import os
import sys

import nacl.secret
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption, PrivateFormat, PublicFormat,
                                                          load_der_private_key)


def scrypt_key(password, salt, n, r, p):
    return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * 1024 * 1024)


def public_pem(key):
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def read_pem(path):
    lines = open(path).read().strip().splitlines()
    if not lines[0].startswith("-----BEGIN ") or not lines[-1].startswith("-----END "):
        sys.exit("not a PEM file")
    return lines[0][len("-----BEGIN "):-len("-----")], base64.b64decode("".join(lines[1:-1]))


def decrypt(path, password):
    label, body = read_pem(path)
    envelope = json.loads(body)
    assert envelope["kdf"]["name"] == "scrypt" and envelope["cipher"]["name"] == "nacl/secretbox"
    params = envelope["kdf"]["params"]
    key = scrypt_key(password, base64.b64decode(envelope["kdf"]["salt"]), params["N"], params["r"], params["p"])
    plaintext = nacl.secret.SecretBox(key).decrypt(base64.b64decode(envelope["ciphertext"]),
                                                   base64.b64decode(envelope["cipher"]["nonce"]))
    private_key = load_der_private_key(plaintext, None)
    key_type = "ec" if isinstance(private_key, ec.EllipticCurvePrivateKey) else "rsa"
    print(json.dumps({"label": label, "N": params["N"], "r": params["r"], "p": params["p"],
                      "public_key_pem": public_pem(private_key), "key_type": key_type}))


def encrypt(path, password, key_type, n, label):
    if key_type == "ec":
        private_key = ec.generate_private_key(ec.SECP256R1())
    else:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    salt = os.urandom(32)
    nonce = os.urandom(24)
    sealed = nacl.secret.SecretBox(scrypt_key(password, salt, n, 8, 1)).encrypt(der, nonce).ciphertext
    envelope = {"kdf": {"name": "scrypt", "params": {"N": n, "r": 8, "p": 1}, "salt": base64.b64encode(salt).decode()},
                "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
                "ciphertext": base64.b64encode(sealed).decode()}
    body = base64.b64encode(json.dumps(envelope, separators=(",", ":")).encode()).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    with open(path, "w") as out:
        out.write("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label))
    os.chmod(path, 0o600)
    print(json.dumps({"public_key_pem": public_pem(private_key)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["decrypt", "encrypt"])
    parser.add_argument("keyfile")
    parser.add_argument("--type", default="ec", choices=["ec", "rsa"])
    parser.add_argument("--n", type=int, default=65536)
    parser.add_argument("--label", default="ENCRYPTED SIGSTORE PRIVATE KEY")
    args = parser.parse_args()
    password = sys.stdin.buffer.read()
    if args.mode == "decrypt":
        decrypt(args.keyfile, password)
    else:
        encrypt(args.keyfile, password, args.type, args.n, args.label)


if __name__ == "__main__":
    main()
