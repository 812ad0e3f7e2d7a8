package notification

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"buzon/internal/calendar"
	"buzon/internal/filetype"
	"buzon/internal/identity"
	"buzon/internal/store"
)

// Attachment is a file sent with a notification: stored once per send,
// sealed in the blob store, shared by every recipient of the send.
type Attachment struct {
	ID        string // "" until deposited
	Position  int
	Filename  string // safe, with an extension that matches Type
	Type      filetype.Type
	Size      int64
	SHA256    string // lowercase hex of the plaintext
	BlobKey   string
	CreatedAt time.Time
}

// StoreAttachment checks an uploaded file and seals it into the blob store,
// ready to go in a Submission. The type is detected from the content, never
// from the name, and must be allowed (PDF, images, office documents, text);
// the size must be within the limits. A file stored but never deposited is
// the caller's to clean up (the API keeps its files in api_files; the web
// form uses StoreDraftAttachment). r is read from offset 0 to size (a
// multipart.File or an *os.File will do).
func (s *Service) StoreAttachment(ctx context.Context, filename string, r io.ReaderAt, size int64) (Attachment, error) {
	return s.storeAttachment(ctx, filename, r, size, nil)
}

// StoreDraftAttachment is StoreAttachment for a file a notifier attaches
// while composing in the web form: the file is recorded before it is
// stored, so that if the send is never confirmed the hourly cleanup
// deletes it a day later (see ComposeCleanupJob). A deposit makes it the
// notifications' for good.
func (s *Service) StoreDraftAttachment(ctx context.Context, p *identity.Principal, institutionID, filename string, r io.ReaderAt, size int64) (Attachment, error) {
	if _, err := staffRole(p, institutionID); err != nil {
		return Attachment{}, err
	}
	return s.storeAttachment(ctx, filename, r, size, func(key string, now time.Time) error {
		return s.DB.Write(ctx, func(tx *store.Tx) error {
			return tx.InsertComposeFile(ctx, &store.ComposeFile{BlobKey: key, InstitutionID: institutionID, CreatedAt: now})
		})
	})
}

// storeAttachment checks and stores a file; record, if set, runs once the
// file is accepted and before its blob is written.
func (s *Service) storeAttachment(ctx context.Context, filename string, r io.ReaderAt, size int64, record func(key string, now time.Time) error) (Attachment, error) {
	lim := s.limits()
	if size > lim.MaxAttachmentSize {
		return Attachment{}, ErrAttachmentTooLarge
	}
	t, err := filetype.DetectFile(filename, r, size)
	if err != nil {
		return Attachment{}, fmt.Errorf("store attachment %q: %w", filename, err)
	}
	if err := filetype.Check(t); err != nil {
		return Attachment{}, err
	}
	now := s.now()
	key := fmt.Sprintf("adjuntos/%04d/%02d/%s", now.Year(), int(now.Month()), strings.ToLower(store.NewID()))
	if record != nil {
		if err := record(key, now); err != nil {
			return Attachment{}, fmt.Errorf("store attachment %q: %w", filename, err)
		}
	}
	info, err := s.Blobs.Put(ctx, key, io.NewSectionReader(r, 0, size))
	if err != nil {
		return Attachment{}, fmt.Errorf("store attachment %q: %w", filename, err)
	}
	if info.Size != size {
		return Attachment{}, fmt.Errorf("store attachment %q: read %d bytes of %d", filename, info.Size, size)
	}
	return Attachment{
		Filename: filetype.WithExt(filename, t), Type: t, Size: info.Size, SHA256: info.Hex(), BlobKey: key, CreatedAt: now,
	}, nil
}

func attachmentOf(a *store.NotificationAttachment) Attachment {
	return Attachment{
		ID: a.ID, Position: a.Position, Filename: a.Filename, Size: a.Size, SHA256: a.SHA256, BlobKey: a.BlobKey,
		CreatedAt: a.CreatedAt, Type: typeOf(a.TypeID, a.MediaType),
	}
}

// typeOf finds the allowed type with the stored id.
func typeOf(id, mime string) filetype.Type {
	for _, t := range filetype.AllowedTypes() {
		if t.ID == id {
			return t
		}
	}
	return filetype.Type{ID: id, MIME: mime}
}

// SizeLabel writes a size as people read it: "512 B", "34,5 KB", "2,1 MB".
func SizeLabel(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return strings.Replace(fmt.Sprintf("%.1f KB", float64(n)/1024), ".", ",", 1)
	default:
		return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/(1024*1024)), ".", ",", 1)
	}
}

// dayStart returns the first instant of a date in Ecuador.
func dayStart(d calendar.Date) time.Time { return d.Time() }
