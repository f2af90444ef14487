"""The emulator's local certificate authority and its HTTPS server certificate.

Clients trust the emulator by its CA certificate (`<data_dir>/ca.pem`), exactly as they
would trust a private CA in front of a real org. The CA and server certificate are made
on first start and reused afterwards, so a client configured once keeps working.
"""

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_VALIDITY_DAYS = 3650
SERVER_VALIDITY_DAYS = 825
# Renew the server certificate when it has less than this left, so a long-lived data
# directory never starts with an expired certificate.
RENEW_BEFORE = datetime.timedelta(days=30)


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the PEM files a TLS server and its clients need."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path


def ensure_tls_files(data_dir: Path) -> TlsFiles:
    """Create the CA and server certificate in data_dir unless valid ones exist."""
    files = TlsFiles(
        ca_cert=data_dir / "ca.pem",
        ca_key=data_dir / "ca-key.pem",
        server_cert=data_dir / "server.pem",
        server_key=data_dir / "server-key.pem",
    )

    if not (files.ca_cert.exists() and files.ca_key.exists()):
        _write_ca(files)
    if not _server_cert_usable(files):
        _write_server_cert(files)
    return files


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_private_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    """Write a private key as unencrypted PKCS#8 PEM readable by the owner only."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    os.chmod(path, 0o600)


def _write_ca(files: TlsFiles) -> None:
    key = _new_key()
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "contractdesk"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Salesforce emulator local CA"),
    ])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private_key(files.ca_key, key)
    files.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _server_cert_usable(files: TlsFiles) -> bool:
    if not (files.server_cert.exists() and files.server_key.exists()):
        return False

    cert = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    ca_cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    if cert.issuer != ca_cert.subject:
        return False
    remaining = cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    return remaining > RENEW_BEFORE


def _write_server_cert(files: TlsFiles) -> None:
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    key = _new_key()
    now = datetime.datetime.now(datetime.UTC)
    alt_names = x509.SubjectAlternativeName([
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SERVER_VALIDITY_DAYS))
        .add_extension(alt_names, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    write_private_key(files.server_key, key)
    files.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def self_signed_certificate(key: rsa.RSAPrivateKey, common_name: str) -> x509.Certificate:
    """Make a self-signed certificate for a key, as a connected app's JWT certificate."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_VALIDITY_DAYS))
        .sign(key, hashes.SHA256())
    )


def new_rsa_key() -> rsa.RSAPrivateKey:
    """Generate a 2048-bit RSA key."""
    return _new_key()
