package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

type fileView struct {
	ID        string `json:"id"`
	Mode      string `json:"mode"`
	Filename  string `json:"filename"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
}

func TestUploadingAndAttachingFiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sum := sha256.Sum256(pdf)
		r := e.upload(e.live, "../../resolución final.PDF", pdf)
		wantStatus(t, r, 201)
		var f fileView
		r.json(t, &f)
		if f.Filename != "resolución final.PDF" || f.MediaType != "application/pdf" || f.Size != int64(len(pdf)) ||
			f.SHA256 != hex.EncodeToString(sum[:]) || f.Mode != "live" {
			t.Errorf("uploaded file = %+v", f)
		}
		// The raw body works too, named by Content-Disposition.
		raw := e.do(req{method: "POST", path: "/api/v1/files", key: e.live, idem: store.NewID(), body: pdf, contentType: "application/pdf",
			header: map[string]string{"Content-Disposition": `attachment; filename="multa.pdf"`}})
		wantStatus(t, raw, 201)
		var f2 fileView
		raw.json(t, &f2)
		if f2.Filename != "multa.pdf" || f2.ID == f.ID {
			t.Errorf("raw upload = %+v", f2)
		}
		// Attach both to a notification: its detail lists them with their hashes.
		body := note(e.citizens[0])
		body["file_ids"] = []string{f.ID, f2.ID}
		r = e.post("/api/v1/notifications", e.live, body)
		wantStatus(t, r, 201)
		var got submissionResult
		r.json(t, &got)
		r = e.get("/api/v1/notifications/"+got.Results[0].NotificationID, e.live)
		var v notificationView
		r.json(t, &v)
		if len(v.Attachments) != 2 || v.Attachments[0].SHA256 != f.SHA256 || v.Attachments[1].Filename != "multa.pdf" {
			t.Errorf("attachments = %+v", v.Attachments)
		}
		// A file is the institution's and the mode's own.
		body["file_ids"] = []string{f.ID}
		wantProblem(t, e.post("/api/v1/notifications", e.otherLive, body), 422, "file_not_found")
		wantProblem(t, e.post("/api/v1/notifications", e.test, body), 422, "file_not_found")
		body["file_ids"] = []string{f.ID, f.ID}
		wantProblem(t, e.post("/api/v1/notifications", e.live, body), 422, "file_repeated")
		body["file_ids"] = []string{"no-es-un-id"}
		wantProblem(t, e.post("/api/v1/notifications", e.live, body), 422, "file_not_found")
	})
}

func TestRefusedUploads(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		wantProblem(t, e.upload(e.live, "programa.pdf", []byte("\x7fELF\x02\x01\x01\x00program")), 422, "filetype.executable")
		wantProblem(t, e.upload(e.live, "pagina.pdf", []byte("<html><script>alert(1)</script></html>")), 422, "filetype.scriptable")
		wantProblem(t, e.upload(e.live, "vacio.pdf", nil), 422, "filetype.empty")
		big := append([]byte("%PDF-1.7\n"), []byte(strings.Repeat("x", 70<<10))...) // the test limit is 64 KiB
		wantProblem(t, e.upload(e.live, "grande.pdf", big), 413, "body_too_large")
		wantProblem(t, e.do(req{method: "POST", path: "/api/v1/files", key: e.live, idem: store.NewID(), body: "--x--\r\n",
			contentType: "multipart/form-data; boundary=x"}), 422, "file_missing")
		wantProblem(t, e.do(req{method: "POST", path: "/api/v1/files", key: e.live, idem: store.NewID(), body: []byte{},
			contentType: "application/pdf"}), 400, "malformed_json")
		wantProblem(t, e.do(req{method: "POST", path: "/api/v1/files", key: e.live, body: pdf, contentType: "application/pdf"}),
			400, "idempotency_key_required")
		wantProblem(t, e.do(req{method: "POST", path: "/api/v1/files?nombre=x", key: e.live, idem: store.NewID(), body: pdf,
			contentType: "application/pdf"}), 400, "unknown_parameter")
		// The same upload retried with its key is stored once.
		idem := store.NewID()
		a := e.do(req{method: "POST", path: "/api/v1/files?filename=a.pdf", key: e.live, idem: idem, body: pdf, contentType: "application/pdf"})
		b := e.do(req{method: "POST", path: "/api/v1/files?filename=a.pdf", key: e.live, idem: idem, body: pdf, contentType: "application/pdf"})
		wantStatus(t, a, 201)
		if string(a.Body) != string(b.Body) || b.Header.Get("Idempotency-Replayed") != "true" {
			t.Errorf("upload retry = %s / %s", a.Body, b.Body)
		}
		wantProblem(t, e.do(req{method: "POST", path: "/api/v1/files?filename=b.pdf", key: e.live, idem: idem, body: pdf,
			contentType: "application/pdf"}), 422, "idempotency_key_reused")
	})
}
