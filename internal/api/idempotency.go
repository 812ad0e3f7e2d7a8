package api

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"buzon/internal/store"
)

// Idempotency, after the IETF draft "The Idempotency-Key HTTP Header Field":
// every POST carries a key the client chose; a repeat of a completed
// request gets the stored response again (with Idempotency-Replayed: true);
// the same key with a different request is 422; a repeat while the first is
// still being worked on is 409. Keys are scoped to the API key and kept for
// a day. Only completed requests are stored: a request refused (invalid,
// over the quota) or failed releases its key, so the client may correct it
// and try again.

const (
	idempotencyHeader = "Idempotency-Key"
	replayedHeader    = "Idempotency-Replayed"
	idempotencyTTL    = 24 * time.Hour
	// claimLease is how long a claim stands before a retry may take over
	// (the request that made it died between claiming and working).
	claimLease = time.Minute
)

// response is what a POST's work answers: stored with the work, replayed
// as is.
type response struct {
	status   int
	location string
	body     any
}

type storedHeaders struct {
	Location string `json:"location,omitempty"`
}

// work is a POST's effect: everything it writes and its response, as one
// function over one transaction. It must write nothing outside tx (files
// are stored in the blob store before it runs).
type work func(ctx context.Context, tx *store.Tx) (*response, error)

// idempotencyKey reads the Idempotency-Key header: 1–255 visible ASCII
// characters, optionally as a quoted Structured Field string.
func idempotencyKey(r *http.Request) (string, *Problem) {
	k := strings.TrimSpace(r.Header.Get(idempotencyHeader))
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	if k == "" {
		return "", newProblem(http.StatusBadRequest, "idempotency_key_required",
			"Falta el encabezado Idempotency-Key: cada POST debe llevar una clave única (por ejemplo un UUID) que se repite solo al reintentar.",
			"The Idempotency-Key header is missing: every POST must carry a unique key (a UUID, say), repeated only when retrying.")
	}
	if len(k) > 255 || strings.ContainsFunc(k, func(c rune) bool { return c < 0x21 || c > 0x7e || c == '"' || c == '\\' }) {
		return "", newProblem(http.StatusBadRequest, "idempotency_key_invalid",
			"El Idempotency-Key debe tener entre 1 y 255 caracteres ASCII visibles.",
			"The Idempotency-Key must have 1 to 255 visible ASCII characters.")
	}
	return k, nil
}

// fingerprintOf identifies a request's content: the method, the path and a
// canonical form of what was asked (not the raw bytes, so a client that
// re-encodes the same request differently is not refused).
func fingerprintOf(r *http.Request, canonical any) []byte {
	b, _ := json.Marshal(canonical)
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(b)
	return h.Sum(nil)
}

// idempotent answers a POST: it claims the key, runs before (if any: work
// outside the database, such as storing a file), then do in one
// transaction together with storing the response, and answers it; or
// answers from the stored record.
func (h *API) idempotent(w http.ResponseWriter, r *http.Request, c *call, key string, fingerprint []byte,
	before func(ctx context.Context) error, do work) {
	ctx := r.Context()
	now := h.now()
	owner := store.NewID()
	var claimed bool
	var existing *store.IdempotencyRecord
	err := h.write(ctx, func(tx *store.Tx) error {
		var err error
		claimed, existing, err = tx.ClaimIdempotencyKey(ctx, &store.IdempotencyRecord{APIKeyID: c.cred.KeyID, Key: key,
			Fingerprint: fingerprint, Owner: owner, LockedUntil: now.Add(claimLease), CreatedAt: now,
			ExpiresAt: now.Add(idempotencyTTL)}, now)
		return err
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !claimed {
		h.answerExisting(w, r, existing, fingerprint)
		return
	}
	if before != nil {
		err = before(ctx)
	}
	var resp *response
	var stored []byte
	if err == nil {
		err = h.write(ctx, func(tx *store.Tx) error {
			if err := tx.ConfirmIdempotencyClaim(ctx, c.cred.KeyID, key, owner); errors.Is(err, store.ErrNotFound) {
				return errClaimLost
			} else if err != nil {
				return err
			}
			var err error
			if resp, err = do(ctx, tx); err != nil {
				return err
			}
			if stored, err = json.Marshal(resp.body); err != nil {
				return err
			}
			hdr, _ := json.Marshal(storedHeaders{Location: resp.location})
			return tx.CompleteIdempotency(ctx, c.cred.KeyID, key, owner, resp.status, string(hdr), stored)
		})
	}
	if err != nil {
		if errors.Is(err, errClaimLost) {
			writeProblem(w, r, probInProgress())
			return
		}
		// Nothing was done: free the key for a corrected retry.
		bg := context.WithoutCancel(ctx)
		if rerr := h.write(bg, func(tx *store.Tx) error {
			return tx.ReleaseIdempotencyKey(bg, c.cred.KeyID, key, owner)
		}); rerr != nil {
			h.log.WarnContext(ctx, "release idempotency key", "err", rerr)
		}
		h.fail(w, r, err)
		return
	}
	h.wake()
	if resp.location != "" {
		w.Header().Set("Location", resp.location)
	}
	writeBody(w, resp.status, stored)
}

var errClaimLost = errors.New("api: idempotency claim lost")

func probInProgress() *Problem {
	return newProblem(http.StatusConflict, "idempotency_key_in_progress",
		"Una solicitud con este Idempotency-Key todavía se está procesando: espere un momento y reintente.",
		"A request with this Idempotency-Key is still being processed: wait a moment and retry.")
}

// answerExisting answers a repeated key from its record.
func (h *API) answerExisting(w http.ResponseWriter, r *http.Request, rec *store.IdempotencyRecord, fingerprint []byte) {
	switch {
	case string(rec.Fingerprint) != string(fingerprint):
		writeProblem(w, r, newProblem(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"Este Idempotency-Key ya se usó con otra solicitud: use una clave nueva para cada solicitud distinta.",
			"This Idempotency-Key was already used with a different request: use a new key for each different request."))
	case rec.State != store.IdempotencyDone:
		w.Header().Set("Retry-After", "1")
		writeProblem(w, r, probInProgress())
	default:
		var hdr storedHeaders
		_ = json.Unmarshal([]byte(rec.Headers), &hdr)
		if hdr.Location != "" {
			w.Header().Set("Location", hdr.Location)
		}
		w.Header().Set(replayedHeader, "true")
		writeBody(w, rec.Status, rec.Body)
	}
}

// postPrelude reads what every POST needs before its body: the key.
func postPrelude(w http.ResponseWriter, r *http.Request) (string, bool) {
	key, p := idempotencyKey(r)
	if p != nil {
		writeProblem(w, r, p)
		return "", false
	}
	return key, true
}
