package notifications

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"buzon/internal/calendar"
	"buzon/internal/notification"
	"buzon/internal/recipients"
	"buzon/internal/web/session"
)

// composeSubmit checks the form, reads the recipients (pasted or a CSV
// file, row by row), stores the attachments and keeps it all as a draft,
// then shows its preview. Nothing is sent yet.
func (h *handler) composeSubmit(w http.ResponseWriter, r *http.Request) {
	inst := r.PathValue("inst")
	p := session.Principal(r)
	r.Body = http.MaxBytesReader(w, r.Body, 10*h.maxAttachment()+64<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		h.renderCompose(w, r, http.StatusRequestEntityTooLarge, composeValues{}, map[string]string{"": message(r, notification.ErrAttachmentsTooLarge)})
		return
	}
	defer r.MultipartForm.RemoveAll()
	f := r.PostForm
	v := composeValues{Recipients: f.Get("destinatarios"), Subject: f.Get("asunto"), Reference: f.Get("referencia"),
		Body: f.Get("cuerpo"), Category: f.Get("categoria"), DeadlineKind: f.Get("plazo_tipo"), DeadlineDate: f.Get("plazo_fecha"),
		DeadlineCount: f.Get("plazo_dias"), Expediente: f.Get("expediente"), TramiteTitle: f.Get("tramite_titulo"),
		Rectifies: f.Get("rectifica")}
	in := notification.Submission{InstitutionID: inst, Subject: v.Subject, Reference: v.Reference, Body: v.Body,
		Category: notification.Category(v.Category), Expediente: v.Expediente, TramiteTitle: v.TramiteTitle, Rectifies: v.Rectifies}
	errs := map[string]string{}
	switch v.DeadlineKind {
	case "date":
		in.Deadline = calendar.Until(parseDate(v.DeadlineDate))
	case "termino", "plazo_days":
		n, _ := strconv.Atoi(strings.TrimSpace(v.DeadlineCount))
		in.Deadline = calendar.BusinessDays(n)
		if v.DeadlineKind == "plazo_days" {
			in.Deadline = calendar.CalendarDays(n)
		}
	}

	// Recipients: the pasted list, then the file. A file longer than
	// notification.InlineRows is checked in the background instead.
	var info notification.DraftInfo
	var entries []recipients.Entry
	add := func(list []recipients.Entry, problems []recipients.RowError) {
		for _, e := range list {
			in.Recipients = append(in.Recipients, e.NUI.String())
			info.Lines = append(info.Lines, e.Line)
		}
		entries = append(entries, list...)
		for _, pr := range problems {
			info.Problems = append(info.Problems, notification.RowProblem{Line: pr.Line, Value: pr.Value, Code: pr.Code,
				Spanish: pr.Message, English: pr.English})
		}
	}
	if strings.TrimSpace(v.Recipients) != "" {
		add(recipients.ParseList(v.Recipients))
	}
	if file, hdr, err := r.FormFile("archivo_destinatarios"); err == nil {
		defer file.Close()
		res, err := recipients.ParseCSV(file, recipients.Options{MaxRows: notification.InlineRows})
		switch {
		case errors.Is(err, recipients.ErrTooManyRows):
			if _, err := file.Seek(0, io.SeekStart); err != nil {
				h.views.ServerError(w, r, err)
				return
			}
			h.composeUpload(w, r, v, in, notification.UploadFile{Name: hdr.Filename, Body: file, Size: hdr.Size})
			return
		case err != nil:
			if probs, ok := problems(r, err); ok {
				errs["recipients"] = probs[""]
			} else {
				h.views.ServerError(w, r, err)
				return
			}
		default:
			info.File = hdr.Filename
			add(res.Entries, res.Errors)
		}
	}
	in.PerRecipient = notification.ValuesOf(entries)
	if len(in.Recipients) == 0 && len(info.Problems) == 0 && errs["recipients"] == "" {
		errs["recipients"] = message(r, notification.ErrNoRecipients)
	}
	if err := h.svc.Check(&in, h.svc.Today()); err != nil {
		probs, ok := problems(r, err)
		if !ok {
			h.views.ServerError(w, r, err)
			return
		}
		for k, m := range probs {
			if k == "recipients" && len(info.Problems) > 0 {
				continue // every row was refused: the preview says why
			}
			if _, set := errs[k]; !set {
				errs[k] = m
			}
		}
	}
	if len(errs) > 0 {
		h.renderCompose(w, r, http.StatusUnprocessableEntity, v, errs)
		return
	}
	if !h.storeAttachments(w, r, v, &in) {
		return
	}
	id, err := h.svc.SaveDraft(r.Context(), p, in, info)
	if err != nil {
		if probs, ok := problems(r, err); ok {
			h.renderCompose(w, r, http.StatusUnprocessableEntity, v, probs)
			return
		}
		h.views.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/institucion/"+inst+"/envios/"+id, http.StatusSeeOther)
}

// storeAttachments stores the form's attachments (last: only a valid form
// costs storage) into in; on a refusal it shows the form and reports false.
func (h *handler) storeAttachments(w http.ResponseWriter, r *http.Request, v composeValues, in *notification.Submission) bool {
	for _, fh := range r.MultipartForm.File["anexos"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		a, err := h.storeAttachment(r, fh)
		if err != nil {
			probs, ok := problems(r, err)
			if !ok {
				h.views.ServerError(w, r, err)
				return false
			}
			h.renderCompose(w, r, http.StatusUnprocessableEntity, v, map[string]string{"attachments": fh.Filename + ": " + probs[firstKey(probs)]})
			return false
		}
		in.Attachments = append(in.Attachments, a)
	}
	return true
}

// composeUpload keeps a send whose recipients file is too long to check
// within the request, and shows the check's progress.
func (h *handler) composeUpload(w http.ResponseWriter, r *http.Request, v composeValues, in notification.Submission, file notification.UploadFile) {
	errs := map[string]string{}
	if len(in.Recipients) > 0 || strings.TrimSpace(v.Recipients) != "" {
		errs["recipients"] = message(r, notification.ErrUploadWithList)
	}
	if err := h.svc.CheckContent(&in, h.svc.Today()); err != nil {
		probs, ok := problems(r, err)
		if !ok {
			h.views.ServerError(w, r, err)
			return
		}
		for k, m := range probs {
			if _, set := errs[k]; !set {
				errs[k] = m
			}
		}
	}
	if len(errs) > 0 {
		h.renderCompose(w, r, http.StatusUnprocessableEntity, v, errs)
		return
	}
	if !h.storeAttachments(w, r, v, &in) {
		return
	}
	id, err := h.svc.StartUpload(r.Context(), session.Principal(r), in, file)
	if err != nil {
		if probs, ok := problems(r, err); ok {
			h.renderCompose(w, r, http.StatusUnprocessableEntity, v, probs)
			return
		}
		h.views.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/institucion/"+in.InstitutionID+"/envios/"+id, http.StatusSeeOther)
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}

func (h *handler) storeAttachment(r *http.Request, fh *multipart.FileHeader) (notification.Attachment, error) {
	if fh.Size > h.maxAttachment() {
		return notification.Attachment{}, notification.ErrAttachmentTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return notification.Attachment{}, err
	}
	defer f.Close()
	a, err := h.svc.StoreDraftAttachment(r.Context(), session.Principal(r), r.PathValue("inst"), fh.Filename, f, fh.Size)
	if err != nil && errors.Is(err, notification.ErrAttachmentTooLarge) {
		return a, notification.ErrAttachmentTooLarge
	}
	return a, err
}
