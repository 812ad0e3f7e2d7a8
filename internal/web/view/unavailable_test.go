package view

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"

	"buzon/internal/store"
)

func TestServerErrorStatus(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		err        error
		status     int
		retryAfter string
	}{
		{"a bug is 500", errors.New("nil map"), 500, ""},
		{"an unreachable database is 503 with Retry-After", fmt.Errorf("inbox: %w: connection refused", store.ErrUnavailable), 503, "30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			e.ServerError(w, httptest.NewRequest("GET", "/buzon", nil), tt.err)
			if w.Code != tt.status || w.Header().Get("Retry-After") != tt.retryAfter {
				t.Errorf("status %d Retry-After %q, want %d %q", w.Code, w.Header().Get("Retry-After"), tt.status, tt.retryAfter)
			}
		})
	}
}

func TestServerErrorForAnUnwritableAttachmentStoreIs503(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	err = fmt.Errorf("store attachment: %w", &os.PathError{Op: "mkdir", Path: "adjuntos/2026", Err: syscall.ENOTDIR})
	e.ServerError(w, httptest.NewRequest("POST", "/notificaciones/nueva", nil), err)
	if w.Code != 503 || w.Header().Get("Retry-After") == "" {
		t.Errorf("status %d Retry-After %q, want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
}
