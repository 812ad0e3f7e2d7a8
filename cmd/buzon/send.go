package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"buzon/internal/client"
)

const sendUsage = `Usage: buzon send [flags] CÉDULA...

Sends one notification to the given N.U.I.s through the interconnection API
(the institution's key decides whether it is live or a test), attaching the
files given with --attach, and prints what happened to each recipient.
It exits with status 1 when a recipient was refused (notify them by other
means) or the API refused the request.

Example:
  BUZON_URL=https://buzon.example BUZON_API_KEY=bzn_test_… \
  buzon send --subject "Resolución 123" --body-file resolucion.txt \
    --attach resolucion.pdf --deadline termino:10 1714307103

Flags:
`

// cmdSend sends a notification through the API with the Go client: for
// institutions' scripts, and to try a key.
func cmdSend(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, sendUsage); fs.PrintDefaults() }
	baseURL := fs.String("url", os.Getenv("BUZON_URL"), "address of the Buzón site (BUZON_URL)")
	key := fs.String("key", os.Getenv("BUZON_API_KEY"), "the institution's API key (BUZON_API_KEY)")
	subject := fs.String("subject", "", "subject of the notification (required)")
	body := fs.String("body", "", "text of the notification")
	bodyFile := fs.String("body-file", "", "file holding the text (- reads standard input)")
	reference := fs.String("reference", "", "the institution's own reference, e.g. SRI-2026-00123")
	category := fs.String("category", "", "resolucion, multa, tributaria, citacion, requerimiento, informativa or otra")
	deadline := fs.String("deadline", "", "termino:N (business days), plazo_days:N, plazo_months:N or date:YYYY-MM-DD")
	expediente := fs.String("expediente", "", "case file number of the trámite (with --tramite-title)")
	tramiteTitle := fs.String("tramite-title", "", "title of the trámite (with --expediente)")
	rectifies := fs.String("rectifies", "", "id of the notification this one rectifies")
	idem := fs.String("idempotency-key", "", "repeat a send safely: the same key never deposits twice (default: a new one)")
	asJSON := fs.Bool("json", false, "print the API's answer as JSON")
	var attach []string
	fs.Func("attach", "file to attach (repeat the flag for several)", func(s string) error {
		attach = append(attach, s)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	problems := []string{}
	if *baseURL == "" {
		problems = append(problems, "--url (or BUZON_URL) is required")
	}
	if *key == "" {
		problems = append(problems, "--key (or BUZON_API_KEY) is required")
	}
	if fs.NArg() == 0 {
		problems = append(problems, "give at least one recipient's cédula")
	}
	if strings.TrimSpace(*subject) == "" {
		problems = append(problems, "--subject is required")
	}
	if (*body == "") == (*bodyFile == "") {
		problems = append(problems, "give the text with --body or --body-file (one of them)")
	}
	dl, err := parseDeadline(*deadline)
	if err != nil {
		problems = append(problems, err.Error())
	}
	if (*expediente == "") != (*tramiteTitle == "") {
		problems = append(problems, "--expediente and --tramite-title go together")
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "buzon send: %s\n\n", strings.Join(problems, "; "))
		fs.Usage()
		return errUsage
	}
	text := *body
	if *bodyFile != "" {
		var b []byte
		if *bodyFile == "-" {
			b, err = io.ReadAll(os.Stdin)
		} else {
			b, err = os.ReadFile(*bodyFile)
		}
		if err != nil {
			return fmt.Errorf("read the text: %w", err)
		}
		text = string(b)
	}

	c := client.New(*baseURL, *key)
	c.UserAgent = "buzon-send"
	req := client.NotificationRequest{Recipients: fs.Args(), Subject: *subject, Body: text, Category: *category,
		Reference: *reference, Deadline: dl, Rectifies: *rectifies}
	if *expediente != "" {
		req.Tramite = &client.Tramite{Expediente: *expediente, Title: *tramiteTitle}
	}
	for _, path := range attach {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("attach: %w", err)
		}
		up, err := c.UploadFile(ctx, filepath.Base(path), f)
		f.Close()
		if err != nil {
			return fmt.Errorf("attach %s: %w", path, err)
		}
		fmt.Fprintf(stderr, "attached %s (%d bytes, sha256 %s)\n", up.Filename, up.Size, up.SHA256)
		req.FileIDs = append(req.FileIDs, up.ID)
	}
	if *idem != "" {
		ctx = client.WithIdempotencyKey(ctx, *idem)
	}
	res, err := c.SendNotification(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		for _, r := range res.Results {
			if r.Deposited() {
				fmt.Fprintf(stdout, "%s\tdepositada\t%s\tcódigo %s\n", r.Recipient, r.NotificationID, r.VerificationCode)
			} else {
				fmt.Fprintf(stdout, "%s\trechazada\t%s\t%s\n", r.Recipient, r.Code, r.Detail)
			}
		}
		if res.Mode == "test" {
			fmt.Fprintln(stdout, "(clave de pruebas: nada llegó a los ciudadanos / test key: nothing reached citizens)")
		}
	}
	if res.Refused > 0 {
		return fmt.Errorf("%d of %d recipients refused", res.Refused, len(res.Results))
	}
	return nil
}

// parseDeadline reads "termino:10", "plazo_days:30", "plazo_months:2" or
// "date:2026-04-01".
func parseDeadline(s string) (*client.Deadline, error) {
	if s == "" {
		return nil, nil
	}
	kind, val, ok := strings.Cut(s, ":")
	if !ok || val == "" {
		return nil, fmt.Errorf("--deadline %q: use termino:N, plazo_days:N, plazo_months:N or date:YYYY-MM-DD", s)
	}
	switch kind {
	case "date":
		return &client.Deadline{Kind: kind, Date: val}, nil
	case "termino", "plazo_days", "plazo_months":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--deadline %q: the number of days or months must be a whole number, 1 or more", s)
		}
		return &client.Deadline{Kind: kind, Count: n}, nil
	}
	return nil, fmt.Errorf("--deadline %q: use termino:N, plazo_days:N, plazo_months:N or date:YYYY-MM-DD", s)
}
