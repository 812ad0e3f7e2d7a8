package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"buzon/internal/blob"
	"buzon/internal/config"
	"buzon/internal/jobs"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// RewrapKind is the background job that, after a master-key rotation,
// rewraps every sealed file (attachments, registration and institution
// documents) under the new sealing key, while the server keeps serving.
const RewrapKind = "keys.rewrap"

// rewrapSlice bounds one run of the job, well inside its lease; a run that
// has not finished queues the next one.
const rewrapSlice = 3 * time.Minute

type rewrapPayload struct {
	KeyID string `json:"key_id"`
	Round int    `json:"round"`
}

// registerKeyJobs adds the rewrap job and, when the keyring holds more than
// the sealing key (a rotation happened), queues it once per sealing key for
// the whole platform.
func registerKeyJobs(ctx context.Context, cfg *config.Config, db *store.DB, r *jobs.Runner, keys *seal.Keyring, reg prometheus.Registerer, logger *slog.Logger) {
	log := logger.With("component", "keys")
	checked := prometheus.NewCounter(prometheus.CounterOpts{Name: "buzon_keys_rewrap_checked_total",
		Help: "Sealed files the rewrap job checked after a master-key rotation."})
	rewrapped := prometheus.NewCounter(prometheus.CounterOpts{Name: "buzon_keys_rewrapped_total",
		Help: "Sealed files rewrapped under the current master key."})
	if reg != nil {
		reg.MustRegister(checked, rewrapped)
	}
	var stores []*blob.FS
	for _, dir := range []string{BlobDir, RegistrationDocumentsDir, InstitutionDocumentsDir} {
		if fs, err := blob.NewFS(filepath.Join(cfg.Data, dir)); err == nil {
			stores = append(stores, fs)
		}
	}
	r.Register(jobs.Kind{Name: RewrapKind, Timeout: rewrapSlice + time.Minute, MaxAttempts: 20,
		Handler: func(ctx context.Context, j *store.Job) error {
			var p rewrapPayload
			if err := jobs.Decode(j, &p); err != nil {
				return jobs.Permanent(err)
			}
			if p.KeyID != keys.KeyID() {
				log.Info("rewrap skipped: this node seals with another key (rolling restart in progress?)", "job_key", p.KeyID, "node_key", keys.KeyID())
				return fmt.Errorf("this node seals with %s, the job is for %s", keys.KeyID(), p.KeyID)
			}
			sliceCtx, cancel := context.WithTimeout(ctx, rewrapSlice)
			defer cancel()
			var total blob.RewrapReport
			for _, fs := range stores {
				list, err := fs.Keys()
				if err != nil {
					return err
				}
				var last blob.RewrapReport
				rep, err := (&blob.Sealed{Store: fs, Keyring: keys}).RewrapAll(sliceCtx, list, func(rep blob.RewrapReport) {
					checked.Add(float64(rep.Blobs - last.Blobs))
					rewrapped.Add(float64(rep.Rewrapped - last.Rewrapped))
					last = rep
					if rep.Blobs%500 == 0 {
						log.Info("rewrap progress", "store", fs.Dir(), "checked", rep.Blobs, "of", len(list), "rewrapped", rep.Rewrapped)
					}
				})
				total.Blobs += rep.Blobs
				total.Rewrapped += rep.Rewrapped
				if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
					log.Info("rewrap continues in another run", "checked", total.Blobs, "rewrapped", total.Rewrapped)
					return db.Write(ctx, func(tx *store.Tx) error {
						return enqueueRewrap(ctx, tx, keys.KeyID(), p.Round+1)
					})
				}
				if err != nil {
					return err
				}
			}
			log.Info("rewrap finished: every file is sealed by the current master key; bodies of notifications keep their data keys wrapped by the key that sealed them (immutable rows), so keep the old keys in the key file",
				"key", keys.KeyID(), "checked", total.Blobs, "rewrapped", total.Rewrapped)
			return nil
		}})
	if ids := keys.KeyIDs(); len(ids) > 1 {
		log.Info("master key rotated: data sealed by the older keys stays readable; rewrapping files in the background", "sealing", ids[0], "opening_too", ids[1:])
		if err := db.Write(ctx, func(tx *store.Tx) error { return enqueueRewrap(ctx, tx, keys.KeyID(), 0) }); err != nil {
			log.Warn("the rewrap job is not queued yet (are migrations pending?); it will be at the next start", "err", err)
		}
	}
}

func enqueueRewrap(ctx context.Context, tx *store.Tx, keyID string, round int) error {
	_, err := jobs.Enqueue(ctx, tx, RewrapKind, rewrapPayload{KeyID: keyID, Round: round}, time.Now(),
		jobs.Options{UniqueKey: fmt.Sprintf("%s:%s:%d", RewrapKind, keyID, round)})
	return err
}
