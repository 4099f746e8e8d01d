"""A local certificate authority and the server certificate daphne's TLS endpoint uses.

kubectl sends a bearer token only over TLS, and a class shares a network,
so the Kubernetes API is served over https. There is no public name to get
a certificate for, so `make run` makes, once, a CA of its own (ten years,
its key never leaves `.venv/tls/`) and signs a server certificate whose
names cover every address the server answers to (`netnames`). The CA's
certificate travels in each kubeconfig as `certificate-authority-data`,
so kubectl verifies the server without `insecure-skip-tls-verify` and
without anyone installing anything.

The CA is made once and kept; the server certificate is re-signed whenever
the names it must cover change (a new network, `HOST=0.0.0.0`), so
kubeconfigs already handed out stay valid. Keys are EC P-256: small and
quick to make, and accepted by Go's crypto/tls.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from clusterviz.classroom.netnames import is_ip

CA_DAYS, SERVER_DAYS = 3650, 825


@dataclass(frozen=True)
class Files:
    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def cert(self) -> Path:
        return self.directory / "server.crt"

    @property
    def key(self) -> Path:
        return self.directory / "server.key"


def ensure(directory: Path, names: list[str]) -> Files:
    """The CA (made once) and a server certificate covering `names` (re-signed if not)."""
    files = Files(Path(directory))
    files.directory.mkdir(parents=True, exist_ok=True)
    if not files.ca_cert.exists() or not files.ca_key.exists():
        _write_ca(files)
    if not files.cert.exists() or not set(names) <= set(covered_names(files.cert)):
        _write_server(files, names)
    return files


def covered_names(cert_path: Path) -> list[str]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [*san.get_values_for_type(x509.DNSName),
            *(str(ip) for ip in san.get_values_for_type(x509.IPAddress))]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _write_ca(files: Files) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ClusterViz local CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(hours=1))
            .not_valid_after(_now() + datetime.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    _write_key(files.ca_key, key)
    files.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _san(names: list[str]) -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName([
        x509.IPAddress(ipaddress.ip_address(n)) if is_ip(n) else x509.DNSName(n)
        for n in names])


def _read_ca(files: Files) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The CA _write_ca made: its EC key (read back as any key type, some of which cannot
    sign a certificate) and its certificate."""
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), None)
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"the CA in {files.directory} is not the EC one this server makes: "
                         "remove ca.crt and ca.key to make a new one")
    return ca_key, ca


def _write_server(files: Files, names: list[str]) -> None:
    ca_key, ca = _read_ca(files)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "clusterviz")]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(hours=1))
            .not_valid_after(_now() + datetime.timedelta(days=SERVER_DAYS))
            .add_extension(_san(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write_key(files.key, key)
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
