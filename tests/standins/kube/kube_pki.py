"""Test PKI and kubeconfig for the Kubernetes API server stand-in.

Generates, at run time, a CA, a server certificate for 127.0.0.1, and a client
certificate signed by the CA, plus the bearer tokens. Nothing here is ever
committed: every run makes fresh material in its work directory.
"""

import datetime
import ipaddress
import os
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ADMIN_USER = "standin-admin"
CERT_USER = "standin-cert-user"
VIEWER_USER = "standin-viewer"


def _write_private(path, data):
    # Keys and credentials must never be readable by others (0600 from the start).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _write_public(path, data):
    with open(path, "wb") as f:
        f.write(data)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(common_name, organization=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attrs)


def _builder(subject, issuer, public_key, days):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days)))


class Pki:
    """Paths and secrets a test needs; all files live in `workdir`."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.ca_file = os.path.join(workdir, "ca.crt")
        self.ca_key_file = os.path.join(workdir, "ca.key")
        self.server_cert = os.path.join(workdir, "server.crt")
        self.server_key = os.path.join(workdir, "server.key")
        self.client_cert = os.path.join(workdir, "client.crt")
        self.client_key = os.path.join(workdir, "client.key")
        self.kubeconfig = os.path.join(workdir, "kubeconfig")
        self.token = secrets.token_urlsafe(32)
        self.viewer_token = secrets.token_urlsafe(32)

    def generate(self):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("berth-standin-kube-ca")
        ca_cert = (_builder(ca_name, ca_name, ca_key.public_key(), 30)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                key_encipherment=False, data_encipherment=False,
                                                key_agreement=False, key_cert_sign=True, crl_sign=True,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                                  critical=False)
                   .sign(ca_key, hashes.SHA256()))
        _write_private(self.ca_key_file, _key_pem(ca_key))
        _write_public(self.ca_file, ca_cert.public_bytes(serialization.Encoding.PEM))

        self._issue(ca_key, ca_cert, _name("kube-apiserver"), self.server_cert, self.server_key,
                    ExtendedKeyUsageOID.SERVER_AUTH,
                    x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                 x509.DNSName("localhost")]))
        self._issue(ca_key, ca_cert, _name(CERT_USER, "system:masters"), self.client_cert,
                    self.client_key, ExtendedKeyUsageOID.CLIENT_AUTH, None)

    def _issue(self, ca_key, ca_cert, subject, cert_path, key_path, usage, san):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (_builder(subject, ca_cert.subject, key.public_key(), 30)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                key_encipherment=False, data_encipherment=False,
                                                key_agreement=False, key_cert_sign=False, crl_sign=False,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                                  critical=False))
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        _write_private(key_path, _key_pem(key))
        _write_public(cert_path, cert.public_bytes(serialization.Encoding.PEM))

    def write_kubeconfig(self, url):
        # Written as YAML by hand: kubectl, client-go and yaml-cpp all read it.
        text = f"""apiVersion: v1
kind: Config
clusters:
- name: standin
  cluster:
    server: {url}
    certificate-authority: {self.ca_file}
users:
- name: standin-token
  user:
    token: {self.token}
- name: standin-cert
  user:
    client-certificate: {self.client_cert}
    client-key: {self.client_key}
- name: standin-viewer
  user:
    token: {self.viewer_token}
contexts:
- name: standin
  context:
    cluster: standin
    user: standin-token
    namespace: default
- name: standin-cert
  context:
    cluster: standin
    user: standin-cert
    namespace: default
- name: standin-viewer
  context:
    cluster: standin
    user: standin-viewer
    namespace: default
current-context: standin
preferences: {{}}
"""
        _write_private(self.kubeconfig, text.encode())
