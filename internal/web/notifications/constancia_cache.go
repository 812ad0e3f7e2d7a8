package notifications

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"

	"buzon/internal/evidence"
)

// constanciaCacheSize bounds the constancias kept in memory (a signed PDF
// is tens of kilobytes).
const constanciaCacheSize = 64

// constanciaCache keeps the constancias issued by this process, by what
// they are about and the tree size they were issued at. A constancia only
// changes when the notification gets a new event, which grows the tree, so
// downloading the PDF and then the JSON gives the same issue, the JSON
// twin being byte for byte the one inside the PDF, and repeated downloads
// are not signed again.
type constanciaCache struct {
	mu      sync.Mutex
	entries map[string]*evidence.Issued
	order   []string // oldest first
}

// issue returns the cached constancia of c at the current tree size, or
// issues and keeps a new one.
func (k *constanciaCache) issue(ctx context.Context, log *evidence.Log, c evidence.Constancia) (*evidence.Issued, error) {
	// Integrating first fixes the tree size the constancia will be proven
	// against (at least: events may still arrive, and be in it).
	size, err := log.Integrate(ctx)
	if err != nil {
		return nil, err
	}
	key, err := cacheKey(c, size)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	iss, ok := k.entries[key]
	k.mu.Unlock()
	if ok {
		return iss, nil
	}
	if iss, err = log.IssueConstancia(ctx, c); err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.entries == nil {
		k.entries = map[string]*evidence.Issued{}
	}
	if _, dup := k.entries[key]; !dup {
		k.entries[key] = iss
		k.order = append(k.order, key)
		if len(k.order) > constanciaCacheSize {
			delete(k.entries, k.order[0])
			k.order = k.order[1:]
		}
	}
	return iss, nil
}

// cacheKey names a constancia's content: everything it says besides its
// events, and the tree size.
func cacheKey(c evidence.Constancia, size int64) (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("constancia cache key: %w", err)
	}
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%x/%d", sum, size), nil
}
