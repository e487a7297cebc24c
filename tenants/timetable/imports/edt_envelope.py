"""The encrypted envelope that Index Éducation EDT drops for an ENT, and how we open it (no Django).

handbook/interop-timetable.md §3. Layout, as the public entcore importer reads it (JAXB class of
``EXPORT_INDEX_EDUCATION``, children in this order)::

    EXPORT_INDEX_EDUCATION
    ├─ VERSION, LOGICIEL
    ├─ CLES/PARTENAIRE @NOM   (1 or 2) base64 of RSA PKCS#1 v1.5 ( AES key 16 + IV 16 + MD5(key+IV) 16 )
    ├─ CONTENU @CompresseAvantChiffrement (xs:boolean, default true)
    │                          base64 of AES-128-CBC/PKCS#5 ( zlib(timetable XML) or the XML itself )
    ├─ VERIFICATION            base64 of a SHA-256 (see below)
    ├─ DATEHEURE               export time (xs:dateTime)
    └─ UAI, NOMETABLISSEMENT, CODEPOSTALVILLE   (optional)

``envelope_decrypt`` picks ``PARTENAIRE[@NOM = our partner name]``, RSA-decrypts it with our private
key, checks the MD5, AES-decrypts ``CONTENU``, checks ``VERIFICATION``, inflates when flagged and
returns the timetable XML (a UTF-8 BOM, when present, is left for the XML parser).

``VERIFICATION``: the handbook table says SHA-256 *of the ciphertext*; the entcore importer compares
it with the SHA-256 of the AES *output* (the compressed XML, before inflating). Both are accepted, so
a real export opens whichever the handbook's summary got wrong.

Every refusal is a ``TimetableImportError`` naming the envelope element, with one of the codes
``edt_key_not_configured``, ``partner_key_missing``, ``key_unreadable``, ``key_checksum``,
``content_unreadable``, ``content_checksum`` (and ``not_xml``, ``wrong_root``, ``missing_field``,
``bad_value``, ``uai_mismatch`` shared with the other parsers). Reasons name elements and partner
names only, never key material.

The caller passes our partner name and PEM private key (Django settings ``MBN_EDT_PARTNER_NAME`` and
``MBN_EDT_PRIVATE_KEY``); ``samples.envelope_encrypt`` writes envelopes for tests and demos.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import zlib
from functools import lru_cache
from typing import NoReturn

from cryptography.hazmat.primitives import padding as symmetric_padding
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lxml import etree

from ._common import MAX_MEMBER_BYTES, XmlReader, child_text, path_of
from .model import TimetableImportError

ENVELOPE_TAG = "EXPORT_INDEX_EDUCATION"
SESSION_KEY_BYTES = 48  # AES-128 key (16) + IV (16) + MD5 of those 32 bytes (16)
# The inflated XML may not exceed this (a few kilobytes of zlib can inflate to gigabytes).
MAX_CONTENT_BYTES = MAX_MEMBER_BYTES
_XS_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}
_SPACES = re.compile(rb"\s+")


class PrivateKeyError(ValueError):
    """The configured private key is not an unencrypted RSA private key in PEM."""


@lru_cache(maxsize=4)
def private_key_load(pem: bytes) -> RSAPrivateKey:
    """The RSA private key of a PEM (PKCS#1 or PKCS#8, no passphrase); PrivateKeyError otherwise.

    Cached: checking an RSA key costs tens of milliseconds, and the same key serves every import.
    """
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:  # TypeError: the key is protected by a passphrase
        raise PrivateKeyError("not an unencrypted PEM private key") from exc
    if not isinstance(key, RSAPrivateKey):
        raise PrivateKeyError("not an RSA private key")
    return key


def envelope_decrypt(
    data: bytes,
    *,
    partner: str | None,
    private_key_pem: bytes | None,
    file_name: str,
    expected_uai: str | None = None,
) -> bytes:
    """The timetable XML inside an EDT envelope, for ``partner`` holding ``private_key_pem``.

    ``expected_uai`` is the importing school's UAI: an envelope naming another school is refused
    before anything is decrypted. ``private_key_pem`` None (or no partner name) means this platform
    cannot open envelopes: ``edt_key_not_configured``.
    """
    return _EnvelopeReader(file_name).decrypt(
        data, partner=partner, private_key_pem=private_key_pem, expected_uai=expected_uai
    )


class _EnvelopeReader(XmlReader):
    def decrypt(
        self,
        data: bytes,
        *,
        partner: str | None,
        private_key_pem: bytes | None,
        expected_uai: str | None,
    ) -> bytes:
        root = self.parse(data)
        keys = self.child(root, "CLES")
        content = self.child(root, "CONTENU")
        verification = self.child(root, "VERIFICATION")
        compressed = self.compressed(content)
        self.check_uai(root, expected_uai)
        if private_key_pem is None or not partner:
            self.error(
                "edt_key_not_configured",
                "ce fichier est l'export chiffré d'EDT, et cette plateforme n'a pas de clé pour le "
                "déchiffrer : importez l'export déchiffré, ou demandez à l'administrateur de la "
                "plateforme de configurer la clé EDT",
                root,
            )
        try:
            private_key = private_key_load(private_key_pem)
        except PrivateKeyError:
            self.error(
                "edt_key_not_configured",
                "la clé privée configurée pour déchiffrer les exports EDT est illisible : "
                "prévenez l'administrateur de la plateforme",
                root,
            )
        aes_key, iv = self.session_key(keys, partner, private_key)
        plain = self.content(content, verification, aes_key, iv)
        return self.inflate(plain, content) if compressed else plain

    # -- Envelope structure

    def parse(self, data: bytes) -> etree._Element:
        """The envelope's tree. No DTD, no entities, no network; text nodes may be huge (CONTENU)."""
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise TimetableImportError(
                file=self.file,
                code="not_xml",
                reason="l'enveloppe chiffrée d'EDT n'est pas un XML bien formé (fichier tronqué ?)",
                line=exc.lineno or 1,
            ) from exc
        if root.tag != ENVELOPE_TAG:
            self.error(
                "wrong_root",
                f"ce fichier n'est pas une enveloppe chiffrée d'EDT (racine attendue : {ENVELOPE_TAG})",
                root,
                path=str(root.tag),
            )
        return root

    def child(self, parent: etree._Element, tag: str) -> etree._Element:
        found = parent.find(tag)
        if found is None:
            self.error(
                "missing_field",
                f"l'élément {tag} est absent de l'enveloppe chiffrée d'EDT",
                parent,
                path=f"{path_of(parent)}/{tag}",
            )
        return found

    def compressed(self, content: etree._Element) -> bool:
        text = (content.get("CompresseAvantChiffrement") or "true").strip().lower()
        if text not in _XS_BOOLEAN:
            self.error(
                "bad_value",
                "l'attribut CompresseAvantChiffrement doit valoir true ou false",
                content,
            )
        return _XS_BOOLEAN[text]

    def check_uai(self, root: etree._Element, expected_uai: str | None) -> None:
        uai = child_text(root, "UAI").upper()
        if expected_uai is not None and uai and uai != expected_uai.upper():
            self.error(
                "uai_mismatch",
                f"ce fichier est l'emploi du temps de l'établissement {uai}, pas de {expected_uai.upper()}",
                root.find("UAI"),
            )

    def decoded(self, element: etree._Element, code: str, what: str) -> bytes:
        text = _SPACES.sub(b"", (element.text or "").encode("ascii", "replace"))
        try:
            value = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            self.error(
                code, f"le contenu de l'élément {element.tag} ({what}) n'est pas du base64 valide", element
            )
        if not value:
            self.error(code, f"l'élément {element.tag} ({what}) est vide", element)
        return value

    # -- Keys

    def session_key(
        self, keys: etree._Element, partner: str, private_key: RSAPrivateKey
    ) -> tuple[bytes, bytes]:
        """(AES key, IV) from our PARTENAIRE element, its MD5 checked."""
        partners = keys.findall("PARTENAIRE")
        wanted = partner.strip().casefold()
        mine = next((p for p in partners if (p.get("NOM") or "").strip().casefold() == wanted), None)
        if mine is None:
            names = [f"« {name} »" for p in partners if (name := (p.get("NOM") or "").strip())]
            found = f"il est chiffré pour {', '.join(names)}" if names else "il ne contient aucune clé"
            self.error(
                "partner_key_missing",
                f"ce fichier n'est pas chiffré pour cette plateforme (partenaire « {partner} ») : {found}. "
                "Dans EDT, choisissez cet ENT comme destinataire de l'export",
                keys,
                path=f"{path_of(keys)}/PARTENAIRE",
            )
        encrypted = self.decoded(mine, "key_unreadable", "clé chiffrée")
        unreadable = (
            "la clé de chiffrement du fichier ne s'ouvre pas avec la clé privée de cette plateforme : "
            "l'export a sans doute été chiffré avec une autre clé publique"
        )
        try:
            session = private_key.decrypt(encrypted, asymmetric_padding.PKCS1v15())
        except ValueError:
            self.error("key_unreadable", unreadable, mine)
        # With a wrong key, PKCS#1 v1.5 decryption returns pseudo-random bytes rather than failing
        # (implicit rejection, against padding oracles): their length is almost never 48.
        if len(session) != SESSION_KEY_BYTES:
            self.error("key_unreadable", unreadable, mine)
        key_and_iv, checksum = session[:32], session[32:]
        if not hmac.compare_digest(hashlib.md5(key_and_iv, usedforsecurity=False).digest(), checksum):
            self.error(
                "key_checksum",
                "la somme de contrôle (MD5) de la clé de chiffrement du fichier est fausse : fichier "
                "endommagé, ou chiffré avec une autre clé publique",
                mine,
            )
        return key_and_iv[:16], key_and_iv[16:]

    # -- Content

    def content(
        self, content: etree._Element, verification: etree._Element, aes_key: bytes, iv: bytes
    ) -> bytes:
        """The AES plaintext of CONTENU, checked against VERIFICATION."""
        ciphertext = self.decoded(content, "content_unreadable", "contenu chiffré")
        if len(ciphertext) % 16:
            self.error(
                "content_unreadable",
                "le contenu chiffré est tronqué (sa longueur n'est pas un multiple de 16 octets)",
                content,
            )
        expected = self.decoded(verification, "content_checksum", "empreinte SHA-256")
        if len(expected) != hashlib.sha256().digest_size:
            self.error(
                "content_checksum", "l'élément VERIFICATION n'est pas une empreinte SHA-256", verification
            )
        verified = hmac.compare_digest(hashlib.sha256(ciphertext).digest(), expected)
        decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = symmetric_padding.PKCS7(algorithms.AES.block_size).unpadder()
        try:
            plain = unpadder.update(padded) + unpadder.finalize()
        except ValueError:
            self.error(
                "content_unreadable",
                "le contenu déchiffré est incohérent (remplissage AES invalide) : fichier endommagé",
                content,
            )
        if not verified and not hmac.compare_digest(hashlib.sha256(plain).digest(), expected):
            self.error(
                "content_checksum",
                "l'empreinte SHA-256 du contenu ne correspond pas à l'élément VERIFICATION : "
                "fichier endommagé ou modifié",
                verification,
            )
        return plain

    def inflate(self, plain: bytes, content: etree._Element) -> bytes:
        inflater = zlib.decompressobj()
        try:
            xml = inflater.decompress(plain, MAX_CONTENT_BYTES + 1)
        except zlib.error:
            self.unreadable_zlib(content)
        if len(xml) > MAX_CONTENT_BYTES:
            self.error(
                "content_unreadable",
                f"le contenu décompressé dépasse {MAX_CONTENT_BYTES // (1024 * 1024)} Mo",
                content,
            )
        if not inflater.eof:
            self.unreadable_zlib(content)
        return xml

    def unreadable_zlib(self, content: etree._Element) -> NoReturn:
        self.error(
            "content_unreadable",
            "le contenu déchiffré n'est pas un flux zlib complet alors que CompresseAvantChiffrement "
            "l'annonce : fichier endommagé",
            content,
        )


__all__ = [
    "ENVELOPE_TAG",
    "MAX_CONTENT_BYTES",
    "PrivateKeyError",
    "envelope_decrypt",
    "private_key_load",
]
