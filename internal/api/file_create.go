package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"time"

	"buzon/internal/notification"
	"buzon/internal/store"
)

// fileView is an uploaded file as the API shows it.
type fileView struct {
	ID        string    `json:"id"`
	Mode      string    `json:"mode"`
	Filename  string    `json:"filename"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
}

var errFileMissing = &requestError{"file_missing", "file",
	"Falta el archivo: envíelo como parte «file» de un multipart/form-data, o como el contenido de la solicitud.",
	"The file is missing: send it as the «file» part of a multipart/form-data body, or as the request body."}

// defaultMaxAttachment mirrors the notification package's default limit,
// for a Service whose Limits leave it at zero.
const defaultMaxAttachment = 25 << 20

// fileCreate uploads an attachment, either as the "file" part of a
// multipart/form-data body or as the raw body (named by the filename of
// Content-Disposition or the ?filename= parameter). Its type is detected
// from the content and must be allowed; it is sealed in the blob store and
// can then be named in notifications by its id.
func (h *API) fileCreate(w http.ResponseWriter, r *http.Request, c *call) {
	if h.o.Notifications == nil {
		h.notFound(w, r)
		return
	}
	key, ok := postPrelude(w, r)
	if !ok {
		return
	}
	if p := onlyParams(r.URL.Query(), "filename"); p != nil {
		writeProblem(w, r, p)
		return
	}
	limit := h.o.Notifications.Limits.MaxAttachmentSize
	if limit <= 0 {
		limit = defaultMaxAttachment
	}
	tmp, err := os.CreateTemp("", "buzon-upload-*")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
	name, size, sum, p := spoolUpload(w, r, tmp, limit)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	if size == 0 && name == "" {
		h.fail(w, r, errFileMissing)
		return
	}
	fp := fingerprintOf(r, struct {
		Name, SHA256 string
		Size         int64
	}{name, sum, size})
	var att notification.Attachment
	h.idempotent(w, r, c, key, fp, func(ctx context.Context) error {
		var err error
		att, err = h.o.Notifications.StoreAttachment(ctx, name, tmp, size)
		return err
	}, func(ctx context.Context, tx *store.Tx) (*response, error) {
		f := &store.APIFile{InstitutionID: c.cred.InstitutionID, APIKeyID: c.cred.KeyID, Mode: string(c.cred.Mode),
			Filename: att.Filename, TypeID: att.Type.ID, MediaType: att.Type.MIME, Size: att.Size, SHA256: att.SHA256,
			BlobKey: att.BlobKey, CreatedAt: h.now()}
		if err := tx.InsertAPIFile(ctx, f); err != nil {
			return nil, err
		}
		return &response{status: http.StatusCreated, body: fileView{ID: f.ID, Mode: f.Mode, Filename: f.Filename,
			MediaType: f.MediaType, Size: f.Size, SHA256: f.SHA256, CreatedAt: f.CreatedAt}}, nil
	})
}

// spoolUpload copies the uploaded file into tmp, at most limit bytes,
// returning its name, size and SHA-256.
func spoolUpload(w http.ResponseWriter, r *http.Request, tmp *os.File, limit int64) (string, int64, string, *Problem) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := http.MaxBytesReader(w, r.Body, limit+64<<10)
	h := sha256.New()
	copyFile := func(src io.Reader) (int64, *Problem) {
		n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(src, limit+1))
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return 0, probTooLarge(limit)
		case err != nil:
			return 0, probMalformed("No se pudo leer el archivo enviado.", "The uploaded file could not be read.")
		case n > limit:
			return 0, probTooLarge(limit)
		}
		return n, nil
	}
	if mt != "multipart/form-data" {
		name := r.URL.Query().Get("filename")
		if cd := r.Header.Get("Content-Disposition"); cd != "" {
			if _, p, err := mime.ParseMediaType(cd); err == nil && p["filename"] != "" {
				name = p["filename"]
			}
		}
		n, p := copyFile(body)
		if p != nil {
			return "", 0, "", p
		}
		if n == 0 {
			return "", 0, "", probMalformed("El contenido está vacío: envíe el archivo.", "The body is empty: send the file.")
		}
		if name == "" {
			name = "anexo"
		}
		return name, n, hex.EncodeToString(h.Sum(nil)), nil
	}
	if params["boundary"] == "" {
		return "", 0, "", probMalformed("Falta el boundary del multipart/form-data.", "The multipart/form-data boundary is missing.")
	}
	mr := multipart.NewReader(body, params["boundary"])
	var name string
	var size int64
	found := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", 0, "", probTooLarge(limit)
		}
		if err != nil {
			return "", 0, "", probMalformed("El multipart/form-data no es válido.", "The multipart/form-data body is not valid.")
		}
		if part.FormName() != "file" || found {
			field := part.FormName()
			part.Close()
			p := newProblem(http.StatusBadRequest, "unknown_field", "La parte «"+field+"» no existe en esta operación: envíe una sola parte «file».",
				"The part «"+field+"» does not exist in this operation: send a single «file» part.")
			p.Errors = []ProblemEntry{{Code: "unknown_field", Field: field, Detail: p.Detail, DetailEN: p.DetailEN}}
			return "", 0, "", p
		}
		found = true
		name = part.FileName()
		n, p := copyFile(part)
		part.Close()
		if p != nil {
			return "", 0, "", p
		}
		size = n
	}
	if !found {
		return "", 0, "", nil
	}
	if name == "" {
		name = "anexo"
	}
	return name, size, hex.EncodeToString(h.Sum(nil)), nil
}
