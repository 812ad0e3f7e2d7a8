package notification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"buzon/internal/jobs"
	"buzon/internal/recipients"
	"buzon/internal/store"
)

// UploadCheckJob returns the job kind that reads and checks an uploaded
// recipients file, writing its progress as it goes, then its report: rows
// refused (a malformed or repeated cédula, a placeholder's value missing,
// a person without an active buzón) and the count of those who will
// receive the send. A run that dies starts over; nothing is sent by it.
func (s *Service) UploadCheckJob() jobs.Kind {
	return jobs.Kind{
		Name:        UploadCheckKind,
		MaxAttempts: 5,
		Timeout:     4 * time.Minute,
		Handler: func(ctx context.Context, j *store.Job) error {
			var p uploadJob
			if err := jobs.Decode(j, &p); err != nil {
				return err
			}
			return s.CheckUpload(ctx, p.UploadID)
		},
	}
}

// UploadDepositJob returns the job kind that deposits a confirmed upload,
// up to a few chunks per run (each chunk one transaction that also records
// it as done), queuing its own continuation. A run that dies resumes after
// the last chunk recorded, so nobody is notified twice.
func (s *Service) UploadDepositJob() jobs.Kind {
	return jobs.Kind{
		Name:        UploadDepositKind,
		MaxAttempts: 8,
		Timeout:     4 * time.Minute,
		Handler: func(ctx context.Context, j *store.Job) error {
			var p uploadJob
			if err := jobs.Decode(j, &p); err != nil {
				return err
			}
			err := s.DepositUpload(ctx, p.UploadID)
			if err != nil && (jobs.IsPermanent(err) || j.Attempts >= j.MaxAttempts) {
				s.logger().Error("upload deposit stopped", "upload", p.UploadID, "err", err)
				if serr := s.DB.Write(ctx, func(tx *store.Tx) error {
					_, err := tx.StopUpload(ctx, p.UploadID, ErrUploadFailed.code, ErrUploadFailed.spanish, ErrUploadFailed.english, s.now())
					return err
				}); serr != nil {
					s.logger().Error("record stopped upload", "upload", p.UploadID, "err", serr)
				}
			}
			return err
		},
	}
}

// CheckUpload reads and checks an upload that waits for its check; the
// check job calls it, and tests drive it directly.
func (s *Service) CheckUpload(ctx context.Context, id string) error {
	reader := s.DB.Reader()
	u, err := reader.RecipientUpload(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.State != store.UploadChecking {
		return nil
	}
	refuse := func(e *Error, es, en string) error {
		return s.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.FinishUploadCheck(ctx, id, store.UploadCheck{State: store.UploadRefused,
				ErrorCode: e.code, ErrorES: es, ErrorEN: en}, s.now())
			return err
		})
	}
	d, err := reader.NotificationDraftByID(ctx, id, u.InstitutionID, u.CreatedBy)
	if errors.Is(err, store.ErrNotFound) {
		return refuse(ErrUploadExpired, ErrUploadExpired.spanish, ErrUploadExpired.english)
	}
	if err != nil {
		return err
	}
	var dp draftPayload
	if plain, err := s.Keys.Open(d.Payload, []byte("draft:"+id)); err != nil {
		return jobs.Permanent(fmt.Errorf("check upload: %w", err))
	} else if err := json.Unmarshal(plain, &dp); err != nil {
		return jobs.Permanent(fmt.Errorf("check upload: %w", err))
	}
	in := dp.Submission

	if err := s.DB.Write(ctx, func(tx *store.Tx) error { return tx.ClearCheckRows(ctx, id) }); err != nil {
		return err
	}
	body, err := s.Blobs.Get(ctx, u.BlobKey)
	if err != nil {
		return fmt.Errorf("check upload: %w", err)
	}
	defer body.Close()
	counted := &countingReader{r: body}
	res, err := recipients.ParseCSV(counted, csvOptions(func(rows int) {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			return tx.SetUploadProgress(ctx, id, counted.n, rows, 0, s.now())
		})
		if err != nil {
			s.logger().Warn("upload progress", "upload", id, "err", err)
		}
	}))
	var fileErr *recipients.Error
	if errors.As(err, &fileErr) {
		return refuse(newError(fileErr.Code(), "", "", ""), err.Error(), fileErr.English())
	}
	if err != nil {
		return fmt.Errorf("check upload: %w", err)
	}

	// Every placeholder the texts use must be the platform's or a column.
	columns := map[string]bool{}
	for _, c := range res.Columns {
		columns[c] = true
	}
	for _, name := range append(placeholdersIn(in.Subject), placeholdersIn(in.Body)...) {
		if builtinPlaceholder(name) || columns[name] {
			continue
		}
		have := strings.Join(res.Columns, ", ")
		if have == "" {
			have = "—"
		}
		return refuse(ErrUploadColumnMissing,
			fmt.Sprintf("El texto usa {{%s}}, pero el archivo no tiene una columna «%s». Columnas adicionales del archivo: %s.", name, name, have),
			fmt.Sprintf("The text uses {{%s}}, but the file has no column “%s”. Further columns of the file: %s.", name, name, have))
	}

	var rows []store.UploadRow
	refused := func(line int, value, column string, code, es, en string) {
		rows = append(rows, store.UploadRow{UploadID: id, Line: line, Stage: store.UploadStageCheck,
			Outcome: store.UploadRowRefused, NUI: value, Column: column, Code: code, ReasonES: es, ReasonEN: en})
	}
	for _, e := range res.Errors {
		refused(e.Line, e.Value, e.Column, e.Code, e.Message, e.English)
	}
	// The entries' own values, checked as Deposit will.
	in.Recipients = make([]string, len(res.Entries))
	in.PerRecipient = make([]RecipientValues, len(res.Entries))
	for i, e := range res.Entries {
		in.Recipients[i], in.PerRecipient[i] = e.NUI.String(), entryValues(e)
	}
	ok := make([]bool, len(res.Entries))
	for i, e := range res.Entries {
		if p := in.rowProblem(i); p != nil {
			refused(e.Line, e.NUI.String(), "", p.code, p.spanish, p.english)
			continue
		}
		ok[i] = true
	}
	// Who has an active buzón, a thousand at a time.
	const step = 1000
	for start := 0; start < len(res.Entries); start += step {
		end := min(start+step, len(res.Entries))
		var nuis []string
		for i := start; i < end; i++ {
			if ok[i] {
				nuis = append(nuis, in.Recipients[i])
			}
		}
		active, err := reader.ActiveRecipients(ctx, nuis)
		if err != nil {
			return fmt.Errorf("check upload: %w", err)
		}
		has := make(map[string]bool, len(active))
		for _, r := range active {
			has[r.NUI] = true
		}
		for i := start; i < end; i++ {
			if ok[i] && !has[in.Recipients[i]] {
				ok[i] = false
				refused(res.Entries[i].Line, in.Recipients[i], "", ErrRecipientNotRegistered.code,
					ErrRecipientNotRegistered.spanish, ErrRecipientNotRegistered.english)
			}
		}
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			return tx.SetUploadProgress(ctx, id, u.Size, res.Rows, end, s.now())
		}); err != nil {
			s.logger().Warn("upload progress", "upload", id, "err", err)
		}
	}

	ready, first := 0, -1
	for i := range ok {
		if ok[i] {
			ready++
			if first < 0 {
				first = i
			}
		}
	}
	var sample []byte
	if first >= 0 {
		plain, err := json.Marshal(uploadSample{NUI: in.Recipients[first], Values: in.PerRecipient[first]})
		if err != nil {
			return fmt.Errorf("check upload: %w", err)
		}
		if sample, err = s.Keys.Seal(plain, []byte("upload-sample:"+id)); err != nil {
			return fmt.Errorf("check upload: %w", err)
		}
	}
	for len(rows) > 5000 {
		part := rows[:5000]
		if err := s.DB.Write(ctx, func(tx *store.Tx) error { return tx.InsertUploadRows(ctx, part) }); err != nil {
			return fmt.Errorf("check upload: %w", err)
		}
		rows = rows[5000:]
	}
	problems := len(rows) + res.ErrorsOmitted
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertUploadRows(ctx, rows); err != nil {
			return err
		}
		ok, err := tx.FinishUploadCheck(ctx, id, store.UploadCheck{State: store.UploadChecked, RowsRead: res.Rows,
			Entries: len(res.Entries), Ready: ready, Problems: problems, Columns: strings.Join(res.Columns, ","),
			Sample: sample}, s.now())
		if err == nil && !ok {
			return errCheckTaken
		}
		return err
	})
	if errors.Is(err, errCheckTaken) {
		return nil // another run finished the check first: its report stands
	}
	return err
}

// errCheckTaken rolls back the report of a check another run finished.
var errCheckTaken = errors.New("upload already checked")

// errChunkTaken rolls back a chunk someone else recorded first.
var errChunkTaken = errors.New("upload chunk already deposited")

// DepositUpload deposits a confirmed upload from the first chunk not yet
// recorded, up to uploadChunksPerRun chunks, and queues the rest; the
// deposit job calls it, and tests drive it directly.
func (s *Service) DepositUpload(ctx context.Context, id string) error {
	reader := s.DB.Reader()
	u, err := reader.RecipientUpload(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.State != store.UploadDepositing {
		return nil
	}
	var in Submission
	if plain, err := s.Keys.Open(u.Payload, []byte("upload:"+id)); err != nil {
		return jobs.Permanent(fmt.Errorf("deposit upload: %w", err))
	} else if err := json.Unmarshal(plain, &in); err != nil {
		return jobs.Permanent(fmt.Errorf("deposit upload: %w", err))
	}
	body, err := s.Blobs.Get(ctx, u.BlobKey)
	if err != nil {
		return fmt.Errorf("deposit upload: %w", err)
	}
	res, err := recipients.ParseCSV(body, csvOptions(nil))
	body.Close()
	if err != nil {
		return fmt.Errorf("deposit upload: %w", err)
	}
	skip, err := reader.UploadRowLines(ctx, id, store.UploadStageCheck)
	if err != nil {
		return err
	}
	size := max(u.ChunkSize, 1)
	chunks := (len(res.Entries) + size - 1) / size
	if chunks == 0 {
		chunks = 1 // an empty last chunk still marks the upload done
	}
	k := u.ChunksDone
	for ; k < chunks && k < u.ChunksDone+uploadChunksPerRun; k++ {
		part := res.Entries[min(k*size, len(res.Entries)):min((k+1)*size, len(res.Entries))]
		sub := in
		sub.Recipients, sub.PerRecipient = nil, nil
		lines := map[string]int{}
		for _, e := range part {
			if skip[e.Line] {
				continue
			}
			sub.Recipients = append(sub.Recipients, e.NUI.String())
			sub.PerRecipient = append(sub.PerRecipient, entryValues(e))
			lines[e.NUI.String()] = e.Line
		}
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			if ok, err := tx.ClaimUploadChunk(ctx, id, k, s.now()); err != nil {
				return err
			} else if !ok {
				return errChunkTaken
			}
			var r Result
			if len(sub.Recipients) > 0 {
				var err error
				if r, err = s.Deposit(ctx, tx, sub, s.now()); err != nil {
					return err
				}
			}
			out := make([]store.UploadRow, 0, len(sub.Recipients))
			for _, d := range r.Deposited {
				out = append(out, store.UploadRow{UploadID: id, Line: lines[d.NUI.String()], Stage: store.UploadStageDeposit,
					Outcome: store.UploadDeposited, NUI: d.NUI.String(), NotificationID: d.NotificationID})
			}
			for _, f := range r.Refused {
				out = append(out, store.UploadRow{UploadID: id, Line: lines[sub.Recipients[f.Position-1]], Stage: store.UploadStageDeposit,
					Outcome: store.UploadRowRefused, NUI: f.Recipient, Code: f.Err.code, ReasonES: f.Err.spanish, ReasonEN: f.Err.english})
			}
			if err := tx.InsertUploadRows(ctx, out); err != nil {
				return err
			}
			return tx.RecordUploadChunk(ctx, id, store.UploadChunk{Processed: len(sub.Recipients),
				Deposited: len(r.Deposited), Refused: len(r.Refused), Last: k == chunks-1}, s.now())
		})
		if errors.Is(err, errChunkTaken) {
			return nil // another run is ahead: it goes on
		}
		if ps := Problems(err); ps != nil {
			// The send as a whole is refused now (quota, institution
			// suspended): stop, keeping what was deposited.
			return s.DB.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.StopUpload(ctx, id, ps[0].code, ps[0].spanish, ps[0].english, s.now())
				return err
			})
		}
		if err != nil {
			return fmt.Errorf("deposit upload %s chunk %d: %w", id, k, err)
		}
	}
	if k >= chunks {
		return nil
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := jobs.Enqueue(ctx, tx, UploadDepositKind, uploadJob{UploadID: id}, s.now(),
			jobs.Options{UniqueKey: fmt.Sprintf("upload-deposit:%s:%d", id, k), MaxAttempts: 8})
		return err
	})
}
