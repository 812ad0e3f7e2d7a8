package reliability_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"buzon/internal/config"
)

// TestCitizenDownloadsAllHisData signs a demo citizen in and downloads his
// data archive from his account (LOPDP access and portability): profile,
// sign-in history, and every notification with its body, attachments (their
// SHA-256 as recorded) and evidence — without the download counting as an
// opening. The privacy notice is public in both languages.
func TestCitizenDownloadsAllHisData(t *testing.T) {
	data := t.TempDir()
	citizens := seed(t, data, "")
	srv := startInProcess(t, &config.Config{Data: data, Workers: 0})
	db := rawDB(t, data, "")

	for _, tt := range []struct{ lang, want string }{{"es", "Sus derechos"}, {"en", "Your rights"}} {
		c := browser(t)
		if tt.lang == "en" {
			status(t, c, srv.URL+"/idioma/en")
		}
		resp, err := c.Get(srv.URL + "/privacidad")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, s := range []string{tt.want, "15", "/cuenta/mis-datos"} {
			if resp.StatusCode != 200 || !strings.Contains(string(b), s) {
				t.Errorf("privacy notice (%s): %d, lacks %q", tt.lang, resp.StatusCode, s)
			}
		}
	}

	// The citizen with the most notifications.
	var nui, id string
	if err := db.QueryRow(`SELECT recipient_nui, recipient_id FROM notifications GROUP BY recipient_nui, recipient_id ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&nui, &id); err != nil {
		t.Fatal(err)
	}
	_ = citizens
	want := count(t, db, `SELECT COUNT(*) FROM notifications WHERE recipient_id = $1`, id)
	opened := count(t, db, `SELECT COUNT(*) FROM evidence_events WHERE type = 'opened'`)

	if resp, err := browser(t).Get(srv.URL + "/cuenta/mis-datos/descargar"); err != nil || resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/ingresar") {
		t.Fatalf("anonymous download: %v %v, want a redirect to sign in", err, resp)
	}
	c := browser(t)
	signIn(t, c, srv.URL, nui)
	page, err := c.Get(srv.URL + "/cuenta")
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(pb), `href="/cuenta/mis-datos"`) {
		t.Error("the account page does not link to the data export")
	}
	if code := status(t, c, srv.URL+"/cuenta/mis-datos"); code != 200 {
		t.Fatalf("export page: %d", code)
	}
	resp, err := c.Get(srv.URL + "/cuenta/mis-datos/descargar")
	if err != nil {
		t.Fatal(err)
	}
	archive, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	z, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		entries[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var prof struct {
		NUI string `json:"nui"`
	}
	json.Unmarshal(entries["perfil.json"], &prof)
	if prof.NUI != nui {
		t.Errorf("profile N.U.I. %q, want %s", prof.NUI, nui)
	}
	var signIns []map[string]any
	if err := json.Unmarshal(entries["ingresos.json"], &signIns); err != nil || len(signIns) == 0 {
		t.Errorf("sign-in history: %v, %d entries", err, len(signIns))
	}
	notes, attachments, events, constancias := 0, 0, 0, 0
	for name, b := range entries {
		if !strings.HasSuffix(name, "/notificacion.json") {
			continue
		}
		notes++
		dir := strings.TrimSuffix(name, "notificacion.json")
		var n struct {
			Anexos []struct {
				Archivo, Sha256 string
			} `json:"anexos"`
			Evidencia []struct{ Tipo string } `json:"evidencia"`
		}
		if err := json.Unmarshal(b, &n); err != nil {
			t.Fatal(err)
		}
		if len(entries[dir+"cuerpo.html"]) == 0 {
			t.Errorf("%s: no body", dir)
		}
		for _, a := range n.Anexos {
			sum := sha256.Sum256(entries[dir+a.Archivo])
			if hex.EncodeToString(sum[:]) != a.Sha256 {
				t.Errorf("%s%s: SHA-256 differs from the record", dir, a.Archivo)
			}
			attachments++
		}
		deposited := false
		for _, e := range n.Evidencia {
			deposited = deposited || e.Tipo == "deposited"
			events++
		}
		if !deposited {
			t.Errorf("%s: no deposited event", dir)
		}
		if len(entries[dir+"constancia.json"]) == 0 {
			t.Errorf("%s: no constancia", dir)
		} else if constancias++; constancias == 1 {
			// The constancia verifies offline, with the attachments as exported.
			tmp := t.TempDir()
			file := filepath.Join(tmp, "constancia.json")
			os.WriteFile(file, entries[dir+"constancia.json"], 0o600)
			args := []string{"verify", file}
			for _, a := range n.Anexos {
				f := filepath.Join(tmp, filepath.Base(a.Archivo))
				os.WriteFile(f, entries[dir+a.Archivo], 0o600)
				args = append(args, f)
			}
			if out, err := exec.Command(buzon(t), args...).CombinedOutput(); err != nil {
				t.Errorf("buzon verify of the exported constancia: %v\n%s", err, out)
			}
		}
	}
	if notes != want {
		t.Errorf("%d notifications in the archive, want %d", notes, want)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM evidence_events WHERE type = 'opened'`); n != opened {
		t.Errorf("the export recorded %d openings", n-opened)
	}
	t.Logf("FIGURE data export: %d notifications, %d attachments (SHA-256 checked), %d evidence events, %d signed constancias (one verified with buzon verify), %d sign-ins in one ZIP of %d bytes",
		notes, attachments, events, constancias, len(signIns), len(archive))
}
