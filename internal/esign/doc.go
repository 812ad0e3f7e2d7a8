// Package esign verifies the signed registration documents citizens upload
// (DESIGN §3 flow 3): a PDF the platform issued, signed with the citizen's
// electronic signature certificate as PAdES or plain PDF signatures
// (adbe.pkcs7.detached, ETSI.CAdES.detached; SHA-256/384/512; RSA, RSA-PSS,
// ECDSA), by FirmaEC, Acrobat, JSignPdf or any conforming signer.
//
// Verifier.Verify runs six steps in order and stops at the first failure,
// returning an error that wraps one *Error value (stable code, Spanish and
// English sentence) and a Report that is kept as evidence:
//
//  1. the upload is a PDF whose last approval signature covers the whole
//     file except its own /Contents (nothing appended after signing);
//  2. the signed bytes contain the document issued for this application
//     (see RegistrationMarker for the contract with the issuer);
//  3. the CMS signature verifies and its message digest is the digest of
//     the signed byte ranges;
//  4. the signer's certificate chains to the operator's trust list at the
//     signing time and is meant for signing;
//  5. it is not revoked (OCSP, CRL distribution points, local CRL files);
//  6. its cédula (see CedulaFromCertificate) is the N.U.I. being registered.
//
// The PDF is not fully parsed: signature dictionaries are found by their
// /ByteRange key, which keeps the parser small and independent of the
// cross-reference data.
package esign
