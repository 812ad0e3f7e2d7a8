package registrations

import (
	"errors"
	"io"
	"net/http"

	"buzon/internal/registration"
	"buzon/internal/web/session"
)

// multipartSlack is what a form adds around the file: boundaries, headers.
const multipartSlack = 64 << 10

// signedUpload receives the signed registration document and has it
// verified. The size limit is enforced before reading (the declared
// length) and while reading (the body is cut at the limit). A refusal of
// the signature is shown with what to do; acceptance leads to the password.
func (h *handler) signedUpload(w http.ResponseWriter, r *http.Request) {
	ref, ok := h.ref(r)
	if !ok {
		redirect(w, r, "/registro")
		return
	}
	pdf, err := h.readUpload(w, r)
	if err == nil {
		_, err = h.svc.Submit(r.Context(), ref, pdf, session.Client(r))
	}
	if err != nil {
		f := emptyForm()
		if !h.refuse(r, f, err, "document") {
			h.views.ServerError(w, r, err)
			return
		}
		h.renderApplication(w, r, f, false)
		return
	}
	redirect(w, r, "/registro/solicitud")
}

// readUpload returns the file of the "document" field, at most the
// service's MaxUpload bytes, reading the multipart body as a stream (no
// temporary files).
func (h *handler) readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := h.svc.MaxUpload()
	if r.ContentLength > limit+multipartSlack {
		return nil, registration.ErrFileTooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+multipartSlack)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, registration.ErrFileMissing
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, registration.ErrFileMissing
		}
		if err != nil {
			return nil, tooLargeOr(err, registration.ErrFileMissing)
		}
		if part.FormName() != "document" || part.FileName() == "" {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return nil, tooLargeOr(err, registration.ErrFileMissing)
		}
		if int64(len(b)) > limit {
			return nil, registration.ErrFileTooLarge
		}
		if len(b) == 0 {
			return nil, registration.ErrFileMissing
		}
		return b, nil
	}
}

func tooLargeOr(err, otherwise error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return registration.ErrFileTooLarge
	}
	return otherwise
}
