package notification

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"buzon/internal/evidence"
	"buzon/internal/filetype"
	"buzon/internal/identity"
	"buzon/internal/store"
)

// Download is an attachment being downloaded: its description and a reader
// of its plaintext, which the caller streams and closes. A late read error
// means the blob was damaged: the download failed.
type Download struct {
	Attachment
	io.ReadCloser
}

// ContentDisposition is the header that makes the browser save the file
// under its safe name.
func (d *Download) ContentDisposition() string { return filetype.ContentDisposition(d.Filename) }

// Download opens an attachment of one of the signed-in citizen's
// notifications and records the download (an attachment_downloaded event)
// before a byte is sent. Anything not his is ErrNotFound.
func (s *Service) Download(ctx context.Context, p *identity.Principal, notificationID, attachmentID string) (*Download, error) {
	rid, err := citizen(p)
	if err != nil || !ValidID(notificationID) || !ValidID(attachmentID) {
		return nil, ErrNotFound
	}
	n, att, err := s.citizenAttachment(ctx, rid, notificationID, attachmentID)
	if err != nil {
		return nil, err
	}
	rc, err := s.Blobs.Get(ctx, att.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", att.ID, err)
	}
	now := s.now()
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return s.recordDownload(ctx, tx, p, n, att, now, "")
	})
	if err != nil {
		rc.Close()
		return nil, err
	}
	return &Download{Attachment: att, ReadCloser: rc}, nil
}

func (s *Service) citizenAttachment(ctx context.Context, rid, notificationID, attachmentID string) (*store.Notification, Attachment, error) {
	r := s.DB.Reader()
	n, err := r.Notification(ctx, notificationID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && n.RecipientID != rid) {
		return nil, Attachment{}, ErrNotFound
	}
	if err != nil {
		return nil, Attachment{}, err
	}
	atts, err := r.AttachmentsOfBatch(ctx, n.BatchID)
	if err != nil {
		return nil, Attachment{}, err
	}
	for i := range atts {
		if atts[i].ID == attachmentID {
			return n, attachmentOf(&atts[i]), nil
		}
	}
	return nil, Attachment{}, ErrNotFound
}

func (s *Service) recordDownload(ctx context.Context, tx *store.Tx, p *identity.Principal, n *store.Notification, att Attachment, now time.Time, via string) error {
	if _, err := tx.RecordNotificationDownload(ctx, n.ID, att.ID, now); err != nil {
		return err
	}
	details := map[string]string{"attachment_id": att.ID, "attachment_sha256": att.SHA256, "position": strconv.Itoa(att.Position)}
	if via != "" {
		details["via"] = via
	}
	_, err := evidence.Record(ctx, tx, evidence.Event{Type: evidence.AttachmentDownloaded, Time: now,
		Actor: evidence.Citizen(p.NUI), NotificationID: n.ID, InstitutionID: n.InstitutionID, RecipientNUI: p.NUI,
		AttachmentSHA256: []string{att.SHA256}, Details: details})
	return err
}

// Archive is "download everything": one ZIP with a printable PDF of the
// notification and all its attachments, for the citizen to keep.
type Archive struct {
	Name string // file name of the ZIP
	s    *Service
	d    *Detail
}

// ContentDisposition is the header for the ZIP.
func (a *Archive) ContentDisposition() string { return filetype.ContentDisposition(a.Name) }

// Archive prepares the ZIP of one of the signed-in citizen's notifications
// and records the download of every attachment. Write it with WriteTo.
func (s *Service) Archive(ctx context.Context, p *identity.Principal, id string) (*Archive, error) {
	rid, err := citizen(p)
	if err != nil || !ValidID(id) {
		return nil, ErrNotFound
	}
	now := s.now()
	var d *Detail
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		n, err := tx.Notification(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && n.RecipientID != rid) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if d, err = s.detail(ctx, tx, n, rid); err != nil {
			return err
		}
		for _, a := range d.Attachments {
			if err := s.recordDownload(ctx, tx, p, n, a, now, "zip"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	name := "notificacion-" + d.DepositedAt.In(ecuador).Format("2006-01-02") + "-" + d.VerificationCode + ".zip"
	return &Archive{Name: name, s: s, d: d}, nil
}

// WriteTo streams the ZIP to w: the PDF first, then each attachment as
// stored (already compressed formats are stored, not deflated again).
func (a *Archive) WriteTo(ctx context.Context, w io.Writer) error {
	z := zip.NewWriter(w)
	pdf, err := PrintablePDF(a.d, a.s.now())
	if err != nil {
		return err
	}
	modified := a.d.DepositedAt
	f, err := z.CreateHeader(&zip.FileHeader{Name: "notificacion.pdf", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	if _, err := f.Write(pdf); err != nil {
		return err
	}
	used := map[string]bool{"notificacion.pdf": true}
	for _, att := range a.d.Attachments {
		name := uniqueName(used, fmt.Sprintf("anexos/%02d-%s", att.Position, filetype.SafeName(att.Filename)))
		method := zip.Deflate
		if att.Type.ID != "text" && att.Type.ID != "csv" && att.Type.ID != "doc" && att.Type.ID != "xls" && att.Type.ID != "ppt" {
			method = zip.Store
		}
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified})
		if err != nil {
			return err
		}
		rc, err := a.s.Blobs.Get(ctx, att.BlobKey)
		if err != nil {
			return fmt.Errorf("archive %s: %w", att.ID, err)
		}
		_, err = io.Copy(f, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("archive %s: %w", att.ID, err)
		}
	}
	return z.Close()
}

func uniqueName(used map[string]bool, name string) string {
	base := name
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	used[name] = true
	return name
}
