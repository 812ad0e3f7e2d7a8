package reliability_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"buzon/internal/blob"
	"buzon/internal/config"
	"buzon/internal/seal"
	"buzon/internal/server"
)

// TestKeyRotationWithoutDowntime rotates the master key of a populated
// platform with `buzon keys rotate`, starts the server on the new key file
// and lets the background job rewrap every attachment while a citizen keeps
// reading his notifications and downloading their attachments: every
// request succeeds, data sealed under the old key stays readable, and at the
// end every file is sealed by the new key.
func TestKeyRotationWithoutDowntime(t *testing.T) {
	data := t.TempDir()
	seed(t, data, "")
	keyFile := filepath.Join(data, "master.key")
	before, _, err := seal.LoadKeyring(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(buzon(t), "keys", "rotate", "--data", data).CombinedOutput()
	if err != nil {
		t.Fatalf("buzon keys rotate: %v\n%s", err, out)
	}
	after, _, err := seal.LoadKeyring(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if ids := after.KeyIDs(); len(ids) != 2 || ids[1] != before.KeyID() {
		t.Fatalf("key file after rotation: %v", ids)
	}

	srv := startInProcess(t, &config.Config{Data: data, Workers: 0})
	db := rawDB(t, data, "")
	var nui, nid, aid string
	if err := db.QueryRow(`SELECT n.recipient_nui, n.id, a.id FROM notifications n JOIN notification_attachments a ON a.batch_id = n.batch_id LIMIT 1`).Scan(&nui, &nid, &aid); err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	signIn(t, c, srv.URL, nui)
	pages := []string{srv.URL + "/buzon/" + nid, srv.URL + "/buzon/" + nid + "/anexos/" + aid}
	for _, p := range pages {
		if code := status(t, c, p); code != 200 {
			t.Fatalf("%s before the rewrap: %d", p, code)
		}
	}

	var ok, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if code := status(t, c, pages[i%2]); code == 200 {
				ok.Add(1)
			} else {
				failed.Add(1)
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ran, err := srv.Srv.Jobs().RunDue(ctx)
	eventually(t, 20*time.Second, "requests during the rewrap", func() bool { return ok.Load()+failed.Load() >= 10 })
	close(stop)
	wg.Wait()
	if err != nil || ran == 0 {
		t.Fatalf("jobs: ran %d, %v", ran, err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state = 'done'`, server.RewrapKind); n != 1 {
		t.Fatalf("%d rewrap jobs done, want 1", n)
	}
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed during the rewrap", failed.Load(), ok.Load()+failed.Load())
	}
	checked := 0
	for _, dir := range []string{server.BlobDir, server.RegistrationDocumentsDir, server.InstitutionDocumentsDir} {
		fs, err := blob.NewFS(filepath.Join(data, dir))
		if err != nil {
			t.Fatal(err)
		}
		keys, _ := fs.Keys()
		sealed := &blob.Sealed{Store: fs, Keyring: after}
		for _, k := range keys {
			by, err := sealed.SealedBy(ctx, k)
			if err != nil || by != after.KeyID() {
				t.Errorf("%s/%s sealed by %q (%v), want %s", dir, k, by, err, after.KeyID())
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no file to check")
	}
	for _, p := range pages {
		if code := status(t, c, p); code != 200 {
			t.Errorf("%s after the rewrap: %d", p, code)
		}
	}
	if _, body := get(t, srv.URL+"/metrics"); !strings.Contains(body, fmt.Sprintf("buzon_keys_rewrapped_total %d\n", checked)) {
		t.Errorf("/metrics does not count %d rewrapped files", checked)
	}
	t.Logf("FIGURE key rotation: %d files rewrapped from %s to %s in the background; %d requests served during it, %d failed; bodies sealed before stay readable",
		checked, before.KeyID(), after.KeyID(), ok.Load()+failed.Load(), failed.Load())
}
