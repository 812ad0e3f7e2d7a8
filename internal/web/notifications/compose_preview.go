package notifications

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"buzon/internal/notification"
	"buzon/internal/richtext"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

type refusalView struct {
	Line   string
	Value  string
	Reason string
}

type previewPage struct {
	chrome
	Institution string
	Draft       string
	In          *notification.Submission
	// Subject, Reference and Body are as the first recipient who will
	// receive the send reads them (FirstNUI); the texts as written when
	// nobody will.
	Subject, Reference string
	Body               template.HTML
	FirstNUI           string
	Category           string
	Deadline           string
	Due                string
	Attachments        []attachmentView
	Ready              int
	Refused            []refusalView
	RefusedCount       int  // may exceed len(Refused), which shows the first rows only
	Report             bool // a downloadable report of every row exists (large files)
	File               string
}

// previewRows is how many refused rows the preview lists; the report of a
// large file has them all.
const previewRows = 1000

// composePreview shows a draft as it will be sent and, row by row, which
// recipients will receive it and which will not and why, before anything
// is sent. A large recipients file is shown while it is being checked
// (uploadShow), then here once checked.
func (h *handler) composePreview(w http.ResponseWriter, r *http.Request) {
	inst, id := r.PathValue("inst"), r.PathValue("draft")
	p := session.Principal(r)
	in, info, err := h.svc.Draft(r.Context(), p, inst, id)
	switch {
	case errors.Is(err, notification.ErrNotFound):
		// A large send confirmed a moment ago: its draft is gone, its upload goes on.
		if _, uerr := h.svc.Upload(r.Context(), p, inst, id); uerr == nil {
			http.Redirect(w, r, "/institucion/"+inst+"/cargas/"+id, http.StatusSeeOther)
			return
		}
		h.views.NotFound(w, r)
		return
	case errors.Is(err, notification.ErrForbidden):
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	data := previewPage{chrome: h.chrome(r), Institution: inst, Draft: id, In: in, Subject: in.Subject, Reference: in.Reference,
		Body: richtext.Render(in.Body), Category: category(r, in.Category), File: info.File}
	if in.Deadline.Kind != 0 {
		data.Deadline = in.Deadline.Format(i18n.Lang(r))
		if cal, err := h.svc.Calendar(r.Context()); err == nil {
			if due, ok := cal.Due(h.svc.Time(), in.Deadline); ok {
				data.Due = day(r, due)
			}
		}
	}
	for _, a := range in.Attachments {
		data.Attachments = append(data.Attachments, attachmentView{Name: a.Filename, Type: a.Type.Label,
			Size: notification.SizeLabel(a.Size), SHA256: a.SHA256})
	}
	if info.Upload {
		h.uploadPreview(w, r, data)
		return
	}

	check, err := h.svc.CheckRecipients(r.Context(), p, inst, in.Recipients)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	type row struct {
		line int
		v    refusalView
	}
	var rows []row
	for _, pr := range info.Problems {
		reason := pr.Spanish
		if english(r) {
			reason = pr.English
		}
		rows = append(rows, row{pr.Line, refusalView{Line: strconv.Itoa(pr.Line), Value: pr.Value, Reason: reason}})
	}
	lineOf := func(pos int) int {
		if pos-1 < len(info.Lines) {
			return info.Lines[pos-1]
		}
		return pos
	}
	refusedAt := map[int]bool{}
	for _, rf := range check.Refused {
		refusedAt[rf.Position] = true
		rows = append(rows, row{lineOf(rf.Position), refusalView{Line: strconv.Itoa(lineOf(rf.Position)), Value: rf.Recipient, Reason: message(r, rf.Err)}})
	}
	data.Ready = len(check.Ready)
	// Rows whose own values the texts need and lack are refused too.
	for _, rf := range notification.ValueProblems(in) {
		if refusedAt[rf.Position] {
			continue
		}
		data.Ready--
		rows = append(rows, row{lineOf(rf.Position), refusalView{Line: strconv.Itoa(lineOf(rf.Position)), Value: rf.Recipient, Reason: message(r, rf.Err)}})
	}
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].line < rows[j-1].line; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	for _, x := range rows {
		data.Refused = append(data.Refused, x.v)
	}
	data.RefusedCount = len(data.Refused)
	if first := firstDeliverable(in, refusedAt); first >= 0 {
		if rd, err := h.svc.RenderFor(r.Context(), in, first); err == nil {
			data.setRendered(rd)
		}
	}
	h.views.Render(w, r, "compose_preview", data)
}

// firstDeliverable is the index of the first recipient who will receive the
// send: not refused for his cédula, his buzón or his own values.
func firstDeliverable(in *notification.Submission, refusedAt map[int]bool) int {
	probs := map[int]bool{}
	for _, rf := range notification.ValueProblems(in) {
		probs[rf.Position] = true
	}
	for i := range in.Recipients {
		if !refusedAt[i+1] && !probs[i+1] {
			return i
		}
	}
	return -1
}

func (d *previewPage) setRendered(rd notification.Rendered) {
	d.Subject, d.Reference, d.Body, d.FirstNUI = rd.Subject, rd.Reference, richtext.Render(rd.Body), rd.NUI.String()
}

// uploadPreview is the preview of a send whose recipients file is checked
// in the background: its progress while it is read, its refusal, or the
// report and the confirmation once checked.
func (h *handler) uploadPreview(w http.ResponseWriter, r *http.Request, data previewPage) {
	p := session.Principal(r)
	u, err := h.svc.Upload(r.Context(), p, data.Institution, data.Draft)
	switch {
	case errors.Is(err, notification.ErrNotFound):
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	if u.State != notification.UploadChecked {
		h.renderUpload(w, r, u)
		return
	}
	rows, err := h.svc.UploadProblems(r.Context(), p, data.Institution, data.Draft, previewRows)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	for _, x := range rows {
		reason := message(r, x.Reason)
		if x.Column != "" {
			reason = x.Column + ": " + reason
		}
		data.Refused = append(data.Refused, refusalView{Line: strconv.Itoa(x.Line), Value: x.NUI, Reason: reason})
	}
	data.Ready, data.RefusedCount, data.Report = u.Ready, u.Problems, true
	if rd, ok, err := h.svc.UploadPreview(r.Context(), p, data.Institution, data.Draft); err != nil {
		h.views.ServerError(w, r, err)
		return
	} else if ok {
		data.setRendered(rd)
	}
	h.views.Render(w, r, "compose_preview", data)
}
