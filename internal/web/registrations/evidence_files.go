package registrations

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"buzon/internal/filetype"
	"buzon/internal/registration"
	"buzon/internal/web/session"
)

// Downloads of the evidence: the signed PDF, the document as issued, the
// signer's certificate, and each attempt's verification report.
const (
	fileSigned      = "documento-firmado.pdf"
	fileIssued      = "documento-emitido.pdf"
	fileCertificate = "certificado.pem"
	reportPrefix    = "informe-" // + attempt id + ".json"
)

// evidenceOwnFile serves one file of the signed-in citizen's evidence.
func (h *handler) evidenceOwnFile(w http.ResponseWriter, r *http.Request) {
	ev, err := h.svc.OwnEvidence(r.Context(), session.Principal(r))
	if err != nil {
		h.fileDenied(w, r, err)
		return
	}
	h.serveEvidence(w, r, ev)
}

// evidenceCitizenFile serves one file of a citizen's evidence to DIGERCIC;
// the domain audits the download.
func (h *handler) evidenceCitizenFile(w http.ResponseWriter, r *http.Request) {
	if !knownFile(r.PathValue("file")) {
		h.views.NotFound(w, r)
		return
	}
	ev, err := h.svc.CitizenEvidence(r.Context(), session.Principal(r), r.PathValue("nui"),
		"descarga de la evidencia de registro: "+r.PathValue("file"))
	if err != nil {
		h.fileDenied(w, r, err)
		return
	}
	h.serveEvidence(w, r, ev)
}

func (h *handler) fileDenied(w http.ResponseWriter, r *http.Request, err error) {
	if err == registration.ErrNoEvidence {
		h.views.NotFound(w, r)
		return
	}
	h.denied(w, r, err)
}

func knownFile(name string) bool {
	return name == fileSigned || name == fileIssued || name == fileCertificate ||
		strings.HasPrefix(name, reportPrefix) && strings.HasSuffix(name, ".json")
}

func (h *handler) serveEvidence(w http.ResponseWriter, r *http.Request, ev *registration.Evidence) {
	name := r.PathValue("file")
	code := ev.Application.Code
	switch {
	case name == fileSigned || name == fileIssued:
		open, size, download := h.svc.OpenSigned, int64(-1), ev.SignedName()
		if ev.Accepted != nil {
			size = ev.Accepted.FileSize
		}
		if name == fileIssued {
			open, size, download = h.svc.OpenIssued, ev.Application.DocumentSize, ev.Application.DocumentName()
		}
		rc, err := open(r.Context(), ev)
		if err != nil {
			h.fileDenied(w, r, err)
			return
		}
		defer rc.Close()
		sendFile(w, filetype.PDF.MIME, download, size)
		if _, err := io.Copy(w, rc); err != nil {
			panic(http.ErrAbortHandler)
		}
	case name == fileCertificate:
		pem := ev.CertificatePEM()
		if pem == nil {
			h.views.NotFound(w, r)
			return
		}
		sendFile(w, "application/x-pem-file", "certificado-"+code+".pem", int64(len(pem)))
		w.Write(pem)
	case strings.HasPrefix(name, reportPrefix) && strings.HasSuffix(name, ".json"):
		id := strings.TrimSuffix(strings.TrimPrefix(name, reportPrefix), ".json")
		for _, a := range ev.Application.Attempts {
			if a.ID != id {
				continue
			}
			var out bytes.Buffer
			if err := json.Indent(&out, a.ReportJSON, "", "  "); err != nil {
				out.Reset()
				out.Write(a.ReportJSON)
			}
			out.WriteByte('\n')
			sendFile(w, "application/json", "informe-verificacion-"+code+"-"+id+".json", int64(out.Len()))
			w.Write(out.Bytes())
			return
		}
		h.views.NotFound(w, r)
	default:
		h.views.NotFound(w, r)
	}
}
