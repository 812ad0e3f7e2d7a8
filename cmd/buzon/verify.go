package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"buzon/internal/evidence"
	"buzon/internal/store"
)

const verifyUsage = `Usage:
  buzon verify [--key KEY]... [--cert FILE]... CONSTANCIA [ANEXO...]
  buzon verify --consistency --key KEY OLD_CHECKPOINT NEW_CHECKPOINT (--proof FILE | --url BASE_URL)
  buzon verify --database DATABASE_URL

Verifies offline a constancia de notificación, PDF or JSON: its signatures,
each event's inclusion proof against the signed checkpoint, that the events
are the ones of the notification it describes, and that each ANEXO file
given is one of its attachments. Prints one line per check and exits with a
non-zero status if any fails.

--consistency checks that a newer checkpoint extends an older one (the log
was not rewritten), with a consistency proof from a file or fetched from
BASE_URL/evidence/proof/consistency. --database recomputes the whole log of a
Buzón database and compares it with its signed checkpoints.

KEY is a note verifier key as published at /evidence/keys, or a file with
one per line. Without --key the constancia's own keys are used, which proves
it is intact but not who made it: pin the platform's key.

Flags:
`

// errVerifyFailed is returned when something did not verify; the report
// has already said what.
var errVerifyFailed = errors.New("verification failed (verificación fallida)")

func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, verifyUsage); fs.PrintDefaults() }
	var keys, certFiles []string
	fs.Func("key", "a note verifier key, or a file of them, to pin (repeatable)", func(s string) error {
		keys = append(keys, s)
		return nil
	})
	fs.Func("cert", "a PEM certificate file the PDF must be signed with (repeatable)", func(s string) error {
		certFiles = append(certFiles, s)
		return nil
	})
	consistency := fs.Bool("consistency", false, "check that NEW_CHECKPOINT extends OLD_CHECKPOINT")
	proofFile := fs.String("proof", "", "with --consistency: the consistency proof file (JSON, as /evidence/proof/consistency serves it)")
	baseURL := fs.String("url", "", "with --consistency: fetch the proof from this Buzón site")
	database := fs.String("database", "", "audit the evidence log of this database (postgres://… or an SQLite file)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagError(err)
	}
	vkeys, err := readKeys(keys)
	if err != nil {
		return err
	}
	switch {
	case *database != "":
		if len(pos) > 0 {
			return usageError(fs, "--database takes no file")
		}
		return verifyDatabase(ctx, *database, stdout)
	case *consistency:
		if len(pos) != 2 {
			return usageError(fs, "--consistency needs OLD_CHECKPOINT and NEW_CHECKPOINT")
		}
		if len(vkeys) == 0 {
			return usageError(fs, "--consistency needs the platform's key (--key): checkpoint files carry none")
		}
		if (*proofFile == "") == (*baseURL == "") {
			return usageError(fs, "--consistency needs either --proof FILE or --url BASE_URL")
		}
		return verifyConsistency(ctx, pos[0], pos[1], *proofFile, *baseURL, vkeys, stdout)
	}
	if len(pos) == 0 {
		return usageError(fs, "name the constancia to verify")
	}
	opt := evidence.VerifyOptions{NoteKeys: vkeys}
	for _, f := range certFiles {
		certs, err := readCertificates(f)
		if err != nil {
			return err
		}
		opt.Certificates = append(opt.Certificates, certs...)
	}
	for _, name := range pos[1:] {
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("anexo: %w", err)
		}
		opt.Attachments = append(opt.Attachments, evidence.NewAttachmentFile(name, b))
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("constancia: %w", err)
	}
	var rep *evidence.Report
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		rep = evidence.VerifyPDF(data, opt)
	} else {
		rep = evidence.VerifyJSON(data, opt)
	}
	printReport(stdout, "Constancia de notificación "+pos[0], rep)
	if !rep.OK() {
		return errVerifyFailed
	}
	return nil
}

// readKeys takes each --key as a file of keys if such a file exists, and as
// a key otherwise.
func readKeys(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		b, err := os.ReadFile(a)
		switch {
		case err == nil:
			for _, l := range strings.Split(string(b), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					out = append(out, l)
				}
			}
		case strings.Count(a, "+") >= 2:
			out = append(out, a)
		default:
			return nil, fmt.Errorf("--key %s is neither a file nor a note verifier key (name+hash+key)", a)
		}
	}
	if _, err := evidence.Verifiers(out...); err != nil {
		return nil, fmt.Errorf("--key: %w", err)
	}
	return out, nil
}

func readCertificates(file string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--cert: %w", err)
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("--cert %s: %w", file, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--cert %s holds no PEM certificate", file)
	}
	return out, nil
}

func printReport(w io.Writer, title string, rep *evidence.Report) {
	fmt.Fprintln(w, title)
	if d := rep.Document; d != nil {
		n := d.Notification
		fmt.Fprintf(w, "  Institución: %s (RUC %s)\n  Destinatario: %s, N.U.I. %s\n  Asunto: %s\n",
			n.Institution.Name, n.Institution.RUC, n.Recipient.Name, n.Recipient.NUI, n.Subject)
	}
	failed := 0
	for _, c := range rep.Checks {
		mark := "✓"
		if !c.OK {
			mark = "✗"
			failed++
		}
		line := "  " + mark + " " + c.Name
		if c.Detail != "" {
			line += ": " + c.Detail
		}
		fmt.Fprintln(w, line)
	}
	for _, warn := range rep.Warnings {
		fmt.Fprintln(w, "  ! "+warn)
	}
	if rep.OK() {
		fmt.Fprintf(w, "VALID (válida): all %d checks passed\n", len(rep.Checks))
	} else {
		fmt.Fprintf(w, "INVALID (no válida): %d of %d checks failed\n", max(failed, 1), len(rep.Checks))
	}
}

func verifyConsistency(ctx context.Context, oldFile, newFile, proofFile, baseURL string, vkeys []string, w io.Writer) error {
	known, err := evidence.Verifiers(vkeys...)
	if err != nil {
		return err
	}
	rep := &evidence.Report{}
	add := func(ok bool, name, detail string) {
		rep.Checks = append(rep.Checks, evidence.Check{OK: ok, Name: name, Detail: detail})
	}
	open := func(label, file string) *evidence.Checkpoint {
		b, err := os.ReadFile(file)
		if err == nil {
			var cp *evidence.Checkpoint
			if cp, err = evidence.OpenCheckpoint(b, known); err == nil {
				add(true, label+" checkpoint signature", fmt.Sprintf("%s: log %s, %d records, root %s", file, cp.Origin, cp.Size, cp.Root))
				return cp
			}
		}
		add(false, label+" checkpoint signature", fmt.Sprintf("%s: %v", file, err))
		return nil
	}
	old, cur := open("old", oldFile), open("new", newFile)
	if old != nil && cur != nil {
		var body []byte
		if proofFile != "" {
			body, err = os.ReadFile(proofFile)
		} else {
			body, err = fetchProof(ctx, baseURL, old.Size, cur.Size)
		}
		if err == nil {
			var p *evidence.ConsistencyProofJSON
			var hashes tlog.TreeProof
			p, hashes, err = evidence.ParseConsistencyProof(body)
			if err == nil && (p.Old != old.Size || p.New != cur.Size) {
				err = fmt.Errorf("the proof is from %d to %d records, the checkpoints are of %d and %d", p.Old, p.New, old.Size, cur.Size)
			}
			if err == nil {
				err = evidence.CheckConsistency(old, cur, hashes)
			}
		}
		if err != nil {
			add(false, "consistency proof", err.Error())
		} else {
			add(true, "consistency proof", fmt.Sprintf("the log of %d records extends the log of %d unchanged", cur.Size, old.Size))
		}
	}
	printReport(w, "Evidence log consistency", rep)
	if !rep.OK() {
		return errVerifyFailed
	}
	return nil
}

func fetchProof(ctx context.Context, base string, old, cur int64) ([]byte, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/") + "/evidence/proof/consistency")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("--url %q is not an http(s) URL", base)
	}
	u.RawQuery = "old=" + strconv.FormatInt(old, 10) + "&new=" + strconv.FormatInt(cur, 10)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch consistency proof: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch consistency proof: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch consistency proof: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

func verifyDatabase(ctx context.Context, dbURL string, w io.Writer) error {
	db, err := store.Open(ctx, dbURL, store.Options{})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer db.Close()
	l := &evidence.Log{DB: db}
	audit, err := l.Audit(ctx)
	rep := &evidence.Report{}
	if audit != nil {
		rep.Checks = append(rep.Checks, evidence.Check{OK: audit.OK(), Name: "the stored records rebuild the stored tree and every signed checkpoint",
			Detail: fmt.Sprintf("%d records, %d checkpoints, latest of %d records", audit.Size, audit.Checkpoints, audit.Latest)})
		for _, p := range audit.Problems {
			rep.Checks = append(rep.Checks, evidence.Check{OK: false, Name: "problem", Detail: p})
		}
	} else {
		rep.Checks = append(rep.Checks, evidence.Check{OK: false, Name: "audit", Detail: err.Error()})
	}
	printReport(w, "Evidence log of "+db.String(), rep)
	if !rep.OK() {
		return errVerifyFailed
	}
	return nil
}
