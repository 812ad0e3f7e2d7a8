package esign

// Error is a verification failure the citizen must be told about. Each failure
// is one of the exported sentinel values below, compared with errors.Is; the
// web layer finds the value with errors.As and shows ES or EN by language,
// keyed by the stable Code.
type Error struct {
	// Code is stable across releases: templates, logs and metrics key on it.
	Code string
	// ES is the sentence shown to a Spanish-speaking citizen.
	ES string
	// EN is the same sentence in English.
	EN string
}

// Error returns the code and the English text, for logs.
func (e *Error) Error() string { return "esign: " + e.Code + ": " + e.EN }

// Step 1: the upload is a signed PDF whose signature covers the whole file.
var (
	// ErrNotPDF means the upload does not start with the PDF header.
	ErrNotPDF = &Error{
		Code: "esign.not_pdf",
		ES:   "El archivo subido no es un documento PDF. Suba el PDF firmado.",
		EN:   "The uploaded file is not a PDF document. Upload the signed PDF.",
	}
	// ErrUnsigned means no signature dictionary was found, or only ones the
	// citizen did not add (a document time-stamp, a signature already present
	// in the issued document).
	ErrUnsigned = &Error{
		Code: "esign.unsigned",
		ES:   "El documento no tiene su firma electrónica. Fírmelo con su certificado de firma electrónica y vuelva a subirlo.",
		EN:   "The document does not carry your electronic signature. Sign it with your signature certificate and upload it again.",
	}
	// ErrMalformedSignature means a signature dictionary exists but its
	// /ByteRange does not describe the file around its /Contents.
	ErrMalformedSignature = &Error{
		Code: "esign.malformed_signature",
		ES:   "La firma del documento está dañada o mal formada. Vuelva a firmar el documento original.",
		EN:   "The document's signature is damaged or malformed. Sign the original document again.",
	}
	// ErrContentAppended means bytes follow the end of the signed range: the
	// file was changed after it was signed.
	ErrContentAppended = &Error{
		Code: "esign.content_appended",
		ES:   "El documento fue modificado después de firmarlo. Suba el archivo tal como lo produjo su programa de firma.",
		EN:   "The document was modified after it was signed. Upload the file exactly as your signing software produced it.",
	}
)

// Step 2: the signed document is the one issued to this applicant.
var (
	// ErrNotIssuedDocument means the signed PDF is not the registration
	// document the platform issued for this application.
	ErrNotIssuedDocument = &Error{
		Code: "esign.not_issued_document",
		ES:   "El documento firmado no es el documento de registro que la plataforma emitió para su solicitud. Descargue su documento de registro, fírmelo y súbalo.",
		EN:   "The signed document is not the registration document the platform issued for your application. Download your registration document, sign it and upload it.",
	}
)

// Step 3: the CMS signature is valid and binds the document.
var (
	// ErrSignatureInvalid means the CMS structure could not be read or its
	// signature does not verify with the signer's certificate.
	ErrSignatureInvalid = &Error{
		Code: "esign.signature_invalid",
		ES:   "La firma electrónica del documento no es válida.",
		EN:   "The document's electronic signature is not valid.",
	}
	// ErrDigestMismatch means the signed bytes were altered after signing:
	// their digest differs from the one the signer signed.
	ErrDigestMismatch = &Error{
		Code: "esign.digest_mismatch",
		ES:   "El documento fue alterado después de firmarlo: su contenido no coincide con la firma.",
		EN:   "The document was altered after it was signed: its content does not match the signature.",
	}
	// ErrUnsupportedAlgorithm means the signature uses a form or algorithm
	// the platform does not accept (SHA-1, MD5, DSA, raw PKCS#1...).
	ErrUnsupportedAlgorithm = &Error{
		Code: "esign.unsupported_algorithm",
		ES:   "La firma usa un formato o algoritmo que la plataforma no acepta. Firme con PAdES y SHA-256 o superior.",
		EN:   "The signature uses a format or algorithm the platform does not accept. Sign with PAdES and SHA-256 or stronger.",
	}
)

// Step 4: the certificate.
var (
	// ErrUntrusted means the signer's certificate does not chain to a
	// certification authority in the configured trust list.
	ErrUntrusted = &Error{
		Code: "esign.untrusted",
		ES:   "El certificado de firma no fue emitido por una entidad de certificación acreditada en Ecuador.",
		EN:   "The signing certificate was not issued by a certification authority accredited in Ecuador.",
	}
	// ErrCertificateExpired means a certificate of the chain was not valid at
	// the signing time (expired or not yet valid).
	ErrCertificateExpired = &Error{
		Code: "esign.certificate_expired",
		ES:   "Su certificado de firma no estaba vigente en la fecha de la firma. Renueve su certificado y vuelva a firmar.",
		EN:   "Your signing certificate was not valid at the signing time. Renew your certificate and sign again.",
	}
	// ErrKeyUsage means the certificate is not meant for signatures.
	ErrKeyUsage = &Error{
		Code: "esign.key_usage",
		ES:   "El certificado usado no sirve para firmar documentos. Use su certificado de firma electrónica.",
		EN:   "The certificate used is not meant for signing documents. Use your electronic signature certificate.",
	}
)

// Step 5: revocation.
var (
	// ErrRevoked means the certification authority revoked the certificate.
	ErrRevoked = &Error{
		Code: "esign.revoked",
		ES:   "Su certificado de firma fue revocado por la entidad de certificación.",
		EN:   "Your signing certificate was revoked by the certification authority.",
	}
	// ErrRevocationUnknown means neither CRL nor OCSP could establish the
	// certificate's status, and the policy requires it.
	ErrRevocationUnknown = &Error{
		Code: "esign.revocation_unknown",
		ES:   "No se pudo comprobar si su certificado está revocado, porque la entidad de certificación no respondió. Intente más tarde.",
		EN:   "The certificate's revocation status could not be checked because the certification authority did not answer. Try again later.",
	}
)

// Step 6: the holder.
var (
	// ErrNoCedula means no cédula was found in the certificate.
	ErrNoCedula = &Error{
		Code: "esign.no_cedula",
		ES:   "El certificado de firma no contiene un número de cédula.",
		EN:   "The signing certificate does not contain a cédula number.",
	}
	// ErrCedulaMismatch means the certificate belongs to someone else.
	ErrCedulaMismatch = &Error{
		Code: "esign.cedula_mismatch",
		ES:   "El certificado de firma pertenece a otra persona: su cédula no coincide con el N.U.I. que se está registrando.",
		EN:   "The signing certificate belongs to someone else: its cédula does not match the N.U.I. being registered.",
	}
)
