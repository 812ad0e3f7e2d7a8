package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeAPI answers like the interconnection API and records what it got.
type fakeAPI struct {
	mu      sync.Mutex
	uploads []string
	sent    map[string]any
	keys    []string
	auth    string
}

func (f *fakeAPI) server(t *testing.T, refused bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.auth = r.Header.Get("Authorization")
		f.keys = append(f.keys, r.Header.Get("Idempotency-Key"))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/files":
			file, hdr, err := r.FormFile("file")
			if err != nil {
				t.Errorf("upload: %v", err)
				return
			}
			b, _ := io.ReadAll(file)
			f.uploads = append(f.uploads, hdr.Filename+":"+string(b))
			w.WriteHeader(201)
			io.WriteString(w, `{"id":"f-1","mode":"test","filename":"`+hdr.Filename+`","media_type":"application/pdf","size":3,"sha256":"abc","created_at":"2026-03-02T15:00:00Z"}`)
		case "/api/v1/notifications":
			json.NewDecoder(r.Body).Decode(&f.sent)
			w.WriteHeader(201)
			res := `{"mode":"test","deposited_at":"2026-03-02T15:00:00Z","deposited":1,"refused":0,"results":[{"position":1,"recipient":"1714307103","status":"deposited","notification_id":"n-1","verification_code":"K7Q-2M9"}]}`
			if refused {
				res = `{"mode":"live","deposited_at":"2026-03-02T15:00:00Z","deposited":0,"refused":1,"results":[{"position":1,"recipient":"1714307103","status":"refused","code":"recipient_not_registered","detail":"La persona no tiene un buzón activo."}]}`
			}
			io.WriteString(w, res)
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSendSubcommand(t *testing.T) {
	f := &fakeAPI{}
	srv := f.server(t, false)
	dir := t.TempDir()
	pdf := filepath.Join(dir, "resolucion.pdf")
	os.WriteFile(pdf, []byte("PDF"), 0o600)
	body := filepath.Join(dir, "texto.txt")
	os.WriteFile(body, []byte("Se le notifica."), 0o600)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"send", "--url", srv.URL, "--key", "bzn_test_k", "--subject", "Resolución 123",
		"--body-file", body, "--attach", pdf, "--deadline", "termino:10", "--reference", "SRI-1", "--category", "resolucion",
		"--expediente", "EXP-1", "--tramite-title", "Devolución", "--idempotency-key", "lote-7", "1714307103"}, &out, &errOut)
	if err != nil {
		t.Fatalf("send: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "1714307103\tdepositada\tn-1\tcódigo K7Q-2M9") || !strings.Contains(out.String(), "clave de pruebas") {
		t.Errorf("output = %q", out.String())
	}
	want := map[string]any{"recipients": []any{"1714307103"}, "subject": "Resolución 123", "body": "Se le notifica.",
		"category": "resolucion", "reference": "SRI-1", "file_ids": []any{"f-1"},
		"deadline": map[string]any{"kind": "termino", "count": float64(10)},
		"tramite":  map[string]any{"expediente": "EXP-1", "title": "Devolución"}}
	if diff := cmp.Diff(want, f.sent); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if !cmp.Equal(f.uploads, []string{"resolucion.pdf:PDF"}) || f.auth != "Bearer bzn_test_k" || f.keys[1] != "lote-7" || f.keys[0] == "" {
		t.Errorf("uploads %v, auth %q, keys %q", f.uploads, f.auth, f.keys)
	}
}

func TestSendReportsRefusalsAndBadUsage(t *testing.T) {
	f := &fakeAPI{}
	srv := f.server(t, true)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"send", "--url", srv.URL, "--key", "k", "--subject", "s", "--body", "b", "1714307103"}, &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "rechazada\trecipient_not_registered") {
		t.Errorf("refused recipient: err %v, output %q", err, out.String())
	}
	for _, args := range [][]string{
		{"send", "--key", "k", "--subject", "s", "--body", "b", "1714307103"},     // no URL
		{"send", "--url", srv.URL, "--key", "k", "--subject", "s", "--body", "b"}, // no recipient
		{"send", "--url", srv.URL, "--key", "k", "--body", "b", "1714307103"},     // no subject
		{"send", "--url", srv.URL, "--key", "k", "--subject", "s", "1714307103"},  // no text
		{"send", "--url", srv.URL, "--key", "k", "--subject", "s", "--body", "b", "--deadline", "semanas:2", "1714307103"},
		{"send", "--url", srv.URL, "--key", "k", "--subject", "s", "--body", "b", "--expediente", "E", "1714307103"},
		{"send", "--nonsense"},
	} {
		t.Setenv("BUZON_URL", "")
		t.Setenv("BUZON_API_KEY", "")
		if err := run(context.Background(), args, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("%v: err = %v, want the usage", args, err)
		}
	}
}

func TestParseDeadline(t *testing.T) {
	for in, want := range map[string]string{"termino:10": "termino/10/", "plazo_days:30": "plazo_days/30/",
		"plazo_months:2": "plazo_months/2/", "date:2026-04-01": "date/0/2026-04-01", "": ""} {
		d, err := parseDeadline(in)
		got := ""
		if d != nil {
			got = d.Kind + "/" + jsonNumber(d.Count) + "/" + d.Date
		}
		if err != nil || got != want {
			t.Errorf("parseDeadline(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"termino", "termino:0", "termino:x", "semanas:2", "date:"} {
		if _, err := parseDeadline(bad); err == nil {
			t.Errorf("parseDeadline(%q) accepted it", bad)
		}
	}
}

func jsonNumber(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
