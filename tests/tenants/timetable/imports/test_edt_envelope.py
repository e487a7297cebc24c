"""The encrypted envelope EDT drops for an ENT: round trips through the parser, and every refusal."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lxml import etree

from tenants.timetable.imports import TimetableImportError, edt_envelope, parse_edt
from tenants.timetable.imports.edt_envelope import envelope_decrypt
from tenants.timetable.imports.samples import (
    SAMPLE_UAI,
    envelope_encrypt,
    sample_edt_export,
    sample_edt_file,
    write_edt,
)

from .conftest import line_of

Rejected = Callable[..., TimetableImportError]

PARTNER = "MBN"
UPLOADED = "ExportEDT_0679901Y.xml"
SESSION_KEY = bytes(range(32))  # AES-128 key then IV, fixed where a test crafts a content


@dataclasses.dataclass(frozen=True)
class KeyPair:
    private_pem: bytes
    public_pem: bytes


def _key_pair() -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyPair(
        private_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        public_pem=key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


@pytest.fixture(scope="module")
def ours() -> KeyPair:
    return _key_pair()


@pytest.fixture(scope="module")
def theirs() -> KeyPair:
    """Another ENT's keys."""
    return _key_pair()


def _open(data: bytes, key: KeyPair, *, partner: str = PARTNER) -> bytes:
    return envelope_decrypt(data, partner=partner, private_key_pem=key.private_pem, file_name=UPLOADED)


def _edit(data: bytes, tag: str, text: str | None = None, **attributes: str | None) -> bytes:
    """The envelope with the first ``tag`` given a new text and/or attributes (None removes one)."""
    root = etree.fromstring(data, etree.XMLParser(huge_tree=True))
    element = root.find(f".//{tag}")
    assert element is not None
    if text is not None:
        element.text = text
    for name, value in attributes.items():
        if value is None:
            del element.attrib[name]
        else:
            element.set(name, value)
    result = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert isinstance(result, bytes)
    return result


def _remove(data: bytes, tag: str) -> bytes:
    root = etree.fromstring(data, etree.XMLParser(huge_tree=True))
    element = root.find(tag)
    assert element is not None
    root.remove(element)
    result = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert isinstance(result, bytes)
    return result


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- Round trips ----------------------------------------------------------------------------------------


def test_sample_envelope_opens_to_the_same_timetable_as_the_plain_xml(ours: KeyPair) -> None:
    # given the sample timetable, plain and wrapped in the envelope for our public key
    name, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem})
    assert b"EXPORT_INDEX_EDUCATION" in envelope
    assert b"<Cours" not in envelope  # the content is not readable as such

    # when it is decrypted, and when the parser is given it with our key
    decrypted = _open(envelope, ours)
    parsed = parse_edt(
        envelope, file_name=name, expected_uai=SAMPLE_UAI, partner=PARTNER, private_key_pem=ours.private_pem
    )

    # then the XML comes back byte for byte, and it parses as the plain file does
    assert decrypted == xml
    assert parsed == parse_edt(xml, file_name=name, expected_uai=SAMPLE_UAI)
    assert parsed == sample_edt_export()
    assert parsed.file == name


@pytest.mark.parametrize("verification", ["content", "ciphertext"])
def test_uncompressed_content_and_both_checksum_readings_are_accepted(
    ours: KeyPair, verification: str
) -> None:
    # given an envelope whose content was not compressed (CompresseAvantChiffrement="false"), with
    # VERIFICATION over the AES plaintext (entcore) or over the ciphertext (handbook)
    _, xml = sample_edt_file()
    envelope = envelope_encrypt(
        xml, partners={PARTNER: ours.public_pem}, compress=False, verification=verification
    )
    assert b'CompresseAvantChiffrement="false"' in envelope

    # when it is decrypted, then the XML comes back uninflated
    assert _open(envelope, ours) == xml


def test_absent_compression_flag_means_compressed(ours: KeyPair) -> None:
    # given a compressed content whose CONTENU has no CompresseAvantChiffrement (xs default: true)
    _, xml = sample_edt_file()
    envelope = _edit(
        envelope_encrypt(xml, partners={PARTNER: ours.public_pem}), "CONTENU", CompresseAvantChiffrement=None
    )
    assert b"CompresseAvantChiffrement" not in envelope
    # then it is inflated
    assert _open(envelope, ours) == xml


def test_content_with_a_utf8_bom_parses(ours: KeyPair) -> None:
    # given the plain XML starting with a UTF-8 BOM, in the envelope
    export = sample_edt_export()
    xml = write_edt(export, bom=True)
    assert xml.startswith(b"\xef\xbb\xbf")
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem})

    # when parsed with our key, then accents survive and the timetable is the sample's
    parsed = parse_edt(envelope, file_name=UPLOADED, partner=PARTNER, private_key_pem=ours.private_pem)
    assert dataclasses.replace(parsed, file=export.file) == export
    assert parsed.subjects[1].label == "Français"


def test_with_two_partners_ours_is_picked(ours: KeyPair, theirs: KeyPair) -> None:
    # given an envelope for another ENT first, then for us
    _, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={"AUTRE-ENT": theirs.public_pem, PARTNER: ours.public_pem})
    root = etree.fromstring(envelope)
    assert [p.get("NOM") for p in root.iter("PARTENAIRE")] == ["AUTRE-ENT", PARTNER]

    # when each partner opens it with its own key, then both read the same XML
    assert _open(envelope, ours) == xml
    assert _open(envelope, theirs, partner="AUTRE-ENT") == xml
    # and our name is matched without regard to case or surrounding spaces
    assert _open(envelope, ours, partner=" mbn ") == xml


# --- Refusals -------------------------------------------------------------------------------------------


def test_no_key_configured_refuses_the_envelope_but_not_the_plain_xml(
    ours: KeyPair, rejected: Rejected
) -> None:
    # given an envelope and a platform without key
    name, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem})

    # when it is parsed without key (or with an unreadable one)
    error = rejected(parse_edt, envelope, file_name=UPLOADED, code="edt_key_not_configured")
    garbled = rejected(
        parse_edt,
        envelope,
        file_name=UPLOADED,
        partner=PARTNER,
        private_key_pem=b"-----BEGIN",
        code="edt_key_not_configured",
    )

    # then the admin is told what to do, at the envelope's root, and the plain XML still parses
    assert error.file == UPLOADED
    assert error.element == "EXPORT_INDEX_EDUCATION"
    assert error.line == line_of(envelope, "<EXPORT_INDEX_EDUCATION")
    assert "déchiffré" in error.reason
    assert "illisible" in garbled.reason
    assert parse_edt(xml, file_name=name).lessons


def test_an_envelope_not_for_us_lists_the_partners_it_is_for(
    theirs: KeyPair, ours: KeyPair, rejected: Rejected
) -> None:
    # given an envelope for two other ENTs
    _, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={"NEO-Open": theirs.public_pem, "AUTRE": theirs.public_pem})

    # when we open it
    error = rejected(_open, envelope, ours, code="partner_key_missing")

    # then the partner names found are listed, and ours
    assert error.element == "EXPORT_INDEX_EDUCATION/CLES/PARTENAIRE"
    assert "« NEO-Open », « AUTRE »" in error.reason
    assert f"« {PARTNER} »" in error.reason
    # and with no PARTENAIRE at all, it says so
    empty = etree.fromstring(envelope)
    for element in list(empty.iter("PARTENAIRE")):
        element.getparent().remove(element)  # type: ignore[union-attr]
    none = rejected(_open, etree.tostring(empty), ours, code="partner_key_missing")
    assert "aucune clé" in none.reason


def test_our_entry_encrypted_with_another_key_is_unreadable(ours: KeyPair, theirs: KeyPair) -> None:
    # given an envelope naming us but encrypted with another ENT's public key
    _, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={PARTNER: theirs.public_pem})

    # when we open it with our private key
    with pytest.raises(TimetableImportError) as caught:
        _open(envelope, ours)

    # then it is refused at our PARTENAIRE. PKCS#1 v1.5 decryption with a wrong key yields
    # pseudo-random bytes (implicit rejection): almost always not 48 of them (key_unreadable), and
    # about once in 246 keys 48 bytes whose MD5 fails (key_checksum).
    assert caught.value.code in {"key_unreadable", "key_checksum"}
    assert caught.value.element == "EXPORT_INDEX_EDUCATION/CLES/PARTENAIRE"
    assert "autre clé publique" in caught.value.reason


def test_unreadable_key_entries_are_refused(ours: KeyPair, rejected: Rejected) -> None:
    _, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem})
    public_key = serialization.load_pem_public_key(ours.public_pem)
    assert isinstance(public_key, rsa.RSAPublicKey)
    # given our entry as bad base64, as a ciphertext of the wrong size, and as 40 bytes instead of 48
    not_base64 = _edit(envelope, "PARTENAIRE", "Zm9v!secret")
    too_short = _edit(envelope, "PARTENAIRE", _b64(b"\x01" * 16))
    forty = _edit(envelope, "PARTENAIRE", _b64(public_key.encrypt(b"\x02" * 40, padding.PKCS1v15())))

    # then each is key_unreadable at the PARTENAIRE line, without key material in the message
    for data in (not_base64, too_short, forty):
        error = rejected(_open, data, ours, code="key_unreadable")
        assert error.line == line_of(data, "<PARTENAIRE")
    base64_error = rejected(_open, not_base64, ours, code="key_unreadable")
    assert "base64" in base64_error.reason
    assert "secret" not in str(base64_error)


def test_a_wrong_key_checksum_is_refused(ours: KeyPair, rejected: Rejected) -> None:
    # given our entry holding a key and IV whose MD5 is not theirs
    _, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem}, session_key=SESSION_KEY)
    public_key = serialization.load_pem_public_key(ours.public_pem)
    assert isinstance(public_key, rsa.RSAPublicKey)
    wrong_sum = SESSION_KEY + hashlib.md5(b"autre chose", usedforsecurity=False).digest()
    data = _edit(envelope, "PARTENAIRE", _b64(public_key.encrypt(wrong_sum, padding.PKCS1v15())))

    # then it is key_checksum, while the right sum opens the same envelope
    error = rejected(_open, data, ours, code="key_checksum")
    assert "MD5" in error.reason
    assert _open(envelope, ours) == xml


def test_a_content_checksum_mismatch_is_refused(ours: KeyPair, rejected: Rejected) -> None:
    # given a VERIFICATION of something else, and one that is not a SHA-256 at all
    _, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem})
    other = _edit(envelope, "VERIFICATION", _b64(hashlib.sha256(b"autre contenu").digest()))
    short = _edit(envelope, "VERIFICATION", _b64(b"\x00" * 20))

    # then both are content_checksum at VERIFICATION
    error = rejected(_open, other, ours, code="content_checksum")
    assert error.element == "EXPORT_INDEX_EDUCATION/VERIFICATION"
    assert error.line == line_of(other, "<VERIFICATION")
    assert "SHA-256" in rejected(_open, short, ours, code="content_checksum").reason


def _aes_raw(blocks: bytes) -> bytes:
    """AES-128-CBC of whole blocks with SESSION_KEY, no padding added."""
    encryptor = Cipher(algorithms.AES(SESSION_KEY[:16]), modes.CBC(SESSION_KEY[16:])).encryptor()
    return encryptor.update(blocks) + encryptor.finalize()


def test_an_unreadable_content_is_refused(ours: KeyPair, rejected: Rejected) -> None:
    _, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem}, session_key=SESSION_KEY)
    # given CONTENU as bad base64, cut mid-block, with an invalid AES padding (last byte 0), and a
    # plain XML announced as compressed
    not_base64 = _edit(envelope, "CONTENU", "%%%")
    cut = _edit(envelope, "CONTENU", _b64(b"\x00" * 20))
    bad_padding = _edit(envelope, "CONTENU", _b64(_aes_raw(b"\x00" * 32)))
    uncompressed = envelope_encrypt(xml, partners={PARTNER: ours.public_pem}, compress=False)
    not_zlib = _edit(uncompressed, "CONTENU", CompresseAvantChiffrement="true")

    # then each is content_unreadable at CONTENU
    for data, words in (
        (not_base64, "base64"),
        (cut, "tronqué"),
        (bad_padding, "remplissage"),
        (not_zlib, "zlib"),
    ):
        error = rejected(_open, data, ours, code="content_unreadable")
        assert error.element == "EXPORT_INDEX_EDUCATION/CONTENU"
        assert words in error.reason


def test_a_content_inflating_past_the_limit_is_refused(
    ours: KeyPair, rejected: Rejected, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an inflated size limit below the sample's size
    monkeypatch.setattr(edt_envelope, "MAX_CONTENT_BYTES", 1000)
    _, xml = sample_edt_file()
    assert len(xml) > 1000
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem})
    # then inflating stops there
    assert "dépasse" in rejected(_open, envelope, ours, code="content_unreadable").reason


def test_malformed_envelopes_are_refused(ours: KeyPair, rejected: Rejected) -> None:
    _, xml = sample_edt_file()
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem})
    # a truncated file, a missing CONTENU, a flag that is not a boolean
    truncated = envelope[: len(envelope) // 2]
    error = rejected(
        parse_edt,
        truncated,
        file_name=UPLOADED,
        partner=PARTNER,
        private_key_pem=ours.private_pem,
        code="not_xml",
    )
    assert error.line is not None
    missing = rejected(_open, _remove(envelope, "CONTENU"), ours, code="missing_field")
    assert missing.element == "EXPORT_INDEX_EDUCATION/CONTENU"
    flag = _edit(envelope, "CONTENU", CompresseAvantChiffrement="peut-être")
    assert rejected(_open, flag, ours, code="bad_value").element == "EXPORT_INDEX_EDUCATION/CONTENU"
    # and a plain timetable given to the envelope reader directly
    assert rejected(_open, xml, ours, code="wrong_root").element == "EmploiDuTemps"


def test_an_envelope_inside_an_envelope_is_refused(ours: KeyPair, rejected: Rejected) -> None:
    _, xml = sample_edt_file()
    inner = envelope_encrypt(xml, partners={PARTNER: ours.public_pem})
    outer = envelope_encrypt(inner, partners={PARTNER: ours.public_pem})
    error = rejected(
        parse_edt,
        outer,
        file_name=UPLOADED,
        partner=PARTNER,
        private_key_pem=ours.private_pem,
        code="wrong_root",
    )
    assert "autre enveloppe" in error.reason


def test_an_envelope_of_another_school_is_refused_before_decrypting(
    ours: KeyPair, rejected: Rejected
) -> None:
    # given an envelope whose UAI is another school's (and whose content says nothing)
    _, xml = sample_edt_file(uai="")
    envelope = envelope_encrypt(xml, partners={PARTNER: ours.public_pem}, uai="0670001D")

    # when our school (without key, even) parses it, then it is uai_mismatch at UAI
    error = rejected(parse_edt, envelope, file_name=UPLOADED, expected_uai=SAMPLE_UAI, code="uai_mismatch")
    assert error.element == "EXPORT_INDEX_EDUCATION/UAI"
    assert "0670001D" in error.reason
    # and the content's own UAI is checked too once decrypted
    mismatched_content = envelope_encrypt(
        sample_edt_file(uai="0670001D")[1], partners={PARTNER: ours.public_pem}, uai=None
    )
    inner = rejected(
        parse_edt,
        mismatched_content,
        file_name=UPLOADED,
        expected_uai=SAMPLE_UAI,
        partner=PARTNER,
        private_key_pem=ours.private_pem,
        code="uai_mismatch",
    )
    assert inner.element == "racine (attribut UAI)"


def test_errors_in_the_decrypted_content_name_the_uploaded_file(ours: KeyPair, rejected: Rejected) -> None:
    # given an envelope whose timetable has a course on day 9
    _, xml = sample_edt_file()
    bad = xml.replace(b'Jour="1"', b'Jour="9"', 1)
    assert bad != xml
    envelope = envelope_encrypt(bad, partners={PARTNER: ours.public_pem})

    # when parsed, then the error names the uploaded file and the line in the decrypted XML
    error = rejected(
        parse_edt,
        envelope,
        file_name=UPLOADED,
        partner=PARTNER,
        private_key_pem=ours.private_pem,
        code="bad_day",
    )
    assert error.file == UPLOADED
    assert error.line == line_of(bad, 'Jour="9"')
